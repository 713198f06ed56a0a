import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { IDENTIFIER_PATTERN } from '../../values/docker-name';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { summaryOf } from '../command-index';

/** This installation of Hoist: the package root (dist/cli/commands -> three levels up). */
const HOIST_ROOT = path.resolve(__dirname, '..', '..', '..');
const TEMPLATES_DIR = path.join(HOIST_ROOT, 'templates');

/** A template's files, relative to it (sub-directories included), sorted. */
function templateFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? templateFiles(dir, relative) : [relative];
  }).sort();
}

/** Where a template file goes: npm drops .gitignore from packages, so it is stored as gitignore. */
function targetName(file: string): string {
  return file.split('/').map((part) => RENAMES[part] ?? part).join('/');
}

/** Whether a program in `dir` can import hoist (it is installed there or above). */
function resolvesHoist(dir: string): boolean {
  try {
    require.resolve('hoist/package.json', { paths: [dir] });
    return true;
  } catch {
    return false;
  }
}

// Files stored under another name in the template, because npm drops .gitignore from packages.
const RENAMES: Record<string, string> = { gitignore: '.gitignore' };

/** `hoist init [dir]`: start a project from a template, never overwriting a file. */
export function registerInit(program: Command, io: CliIo): void {
  program.command('init')
    .description(summaryOf('init'))
    .argument('[dir]', 'project directory', '.')
    .option('-t, --template <name>', 'template: basic (a project) or library (a construct library)', 'basic')
    .option('-n, --name <stack>', 'stack name (default: the directory name)')
    .action((dir: string, options: { template: string; name?: string }) => {
      const templates = fs.readdirSync(TEMPLATES_DIR);
      if (!templates.includes(options.template)) {
        throw new CliError(`unknown template "${options.template}"; choose one of: ${templates.join(', ')}`);
      }
      const target = path.resolve(dir);
      const stackName = options.name ?? (path.basename(target).toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'app');
      if (!IDENTIFIER_PATTERN.test(stackName)) {
        throw new CliError(`"${stackName}" is not a valid stack name; pass one with --name (letters, digits, "_", "." or "-")`);
      }
      const source = path.join(TEMPLATES_DIR, options.template);
      const files = templateFiles(source);
      const clashes = files.map(targetName).filter((f) => fs.existsSync(path.join(target, f)));
      if (clashes.length) {
        throw new CliError(`${target} already has ${clashes.join(', ')}; nothing was written (remove them or pick another directory)`);
      }
      // A Python module name for the library template's jsii target.
      const moduleName = stackName.replace(/[^a-z0-9]+/gi, '_').replace(/^(\d)/, '_$1').toLowerCase();
      fs.mkdirSync(target, { recursive: true });
      for (const file of files) {
        const text = fs.readFileSync(path.join(source, file), 'utf8').replaceAll('{{stackName}}', stackName).replaceAll('{{moduleName}}', moduleName);
        fs.mkdirSync(path.dirname(path.join(target, targetName(file))), { recursive: true });
        fs.writeFileSync(path.join(target, targetName(file)), text, { flag: 'wx' });
      }
      const where = path.relative(process.cwd(), target) || '.';
      io.out(`Created a Hoist project in ${where} (stack "${stackName}")`);
      const cd = where === '.' ? '' : `cd ${JSON.stringify(where)} && `;
      // Hoist is not on the public registry: say the install step that works from here.
      const next = options.template === 'library' ? 'npm test and npm run build (after npm install of its dev dependencies)' : 'npx hoist synth';
      if (resolvesHoist(target)) io.out(`Next: ${cd}${next}`);
      else io.out(`Next: ${cd}npm install ${JSON.stringify(HOIST_ROOT)} (or the hoist tarball you installed from), then ${next}`);
    });
}
