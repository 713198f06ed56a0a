import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { plural } from '../format-summary';
import type * as ImportComposeModule from '../../import/compose/import-compose';
import type * as ComposeErrorModule from '../../import/compose/compose-import-error';
import type * as WriteProgramModule from '../../import/compose/write-program';

interface ComposeOptions {
  readonly output: string;
  readonly stack?: string;
  readonly profile: string[];
  readonly envFile?: string;
  readonly force: boolean;
}

/**
 * `hoist import`: existing setups into Hoist programs. `hoist import compose` reads a Compose
 * file; the group leaves room for other sources (a running host, say).
 */
export function registerImport(program: Command, io: CliIo): void {
  const group = program.command('import').description('Write a Hoist program from an existing setup (a Compose file)');
  group.command('compose')
    .description('Write a Hoist program (TypeScript) from a Compose file: one construct per service, volume, network and secret; what Hoist cannot express is listed with its line')
    .argument('<compose-file>', 'the Compose file, e.g. compose.yaml')
    .option('-o, --output <file>', 'the program to write ("-" for stdout)', 'main.ts')
    .option('--stack <name>', 'stack name (default: COMPOSE_PROJECT_NAME, the file\'s name:, else its directory\'s name)')
    .option('--profile <name>', 'import the services of this profile too (repeatable; default: COMPOSE_PROFILES)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--env-file <file>', 'read variables from this file instead of the .env beside the Compose file')
    .option('--force', 'overwrite the output file if it exists', false)
    .action((file: string, options: ComposeOptions) => {
      const { importCompose, formatNote, formatUnsupported } = require('../../import/compose/import-compose') as typeof ImportComposeModule;
      const { ComposeImportError } = require('../../import/compose/compose-import-error') as typeof ComposeErrorModule;
      const { loadTsMorph } = require('../../import/compose/write-program') as typeof WriteProgramModule;
      const toStdout = options.output === '-';
      const output = path.resolve(toStdout ? 'main.ts' : options.output);
      const shown = path.relative(process.cwd(), output) || output;
      if (!toStdout && fs.existsSync(output) && !options.force) {
        throw new CliError(`${shown} already exists; nothing was written (pass --force to overwrite it, or -o to write another file)`);
      }
      let tsMorph: ReturnType<typeof loadTsMorph>;
      try {
        tsMorph = loadTsMorph();
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      let result: ReturnType<typeof importCompose>;
      try {
        result = importCompose({ composeFile: file, outputFile: output, stackName: options.stack, profiles: options.profile, env: process.env, envFile: options.envFile }, tsMorph);
      } catch (error) {
        if (error instanceof ComposeImportError) throw new CliError(`cannot import ${file}; nothing was written:\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
        throw error;
      }
      // With the program on stdout, everything else goes to stderr.
      const say = toStdout ? (line: string) => io.err(line) : (line: string) => io.out(line);
      if (toStdout) {
        io.out(result.text.trimEnd());
      } else {
        fs.mkdirSync(path.dirname(output), { recursive: true });
        fs.writeFileSync(output, result.text);
      }
      const { services, volumes, networks, secrets } = result.imported;
      const counts = [
        `${plural(services.length, 'service')}${services.length ? ` (${services.join(', ')})` : ''}`,
        plural(volumes.length, 'volume'), plural(networks.length, 'network'), plural(secrets.length, 'secret'),
      ];
      say(`${toStdout ? 'Printed' : `Wrote ${shown}`}: stack "${result.stackName}"${result.profiles.length ? ` with profiles ${result.profiles.join(', ')}` : ''}: ${counts.join(', ')}`);
      const section = (title: string, lines: string[]) => {
        if (lines.length === 0) return;
        say(`${title} (${lines.length}):`);
        for (const line of lines) say(`  ${line}`);
      };
      section('Skipped', result.skipped.map((f) => formatNote(file, f)));
      section('Not imported', result.unsupported.map((f) => formatUnsupported(file, f)));
      section('Notes', result.notes.map((f) => formatNote(file, f)));
      if (!toStdout) say(`Next: check ${shown}, then npx hoist synth (hosts come from HOIST_INVENTORY, the local sandbox, or inventory.json beside it)`);
    });
}
