import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPORT_FILE_ENV, SYNTH_MODE_ENV, SynthReport } from '../synth/synth-report';
import { CliError } from './cli-error';
import type { ProjectConfig } from './project-config';

/** What running the user's program produced. */
export interface ProgramRun {
  readonly report: SynthReport;
  /** What the program printed itself (console.log and warnings). */
  readonly output: string;
}

const TYPESCRIPT_FILE = /\.(c|m)?tsx?$/;

/**
 * Runs the user's program in its own process, the way `cdk synth` does: the program may be
 * in any language jsii supports, and a crash in it cannot take the CLI down. TypeScript runs
 * through tsx (a dependency of Hoist, so the project needs no TypeScript tool chain of its own).
 * The outcome comes back through a report file, never through the program's stdout.
 */
export async function runProgram(config: ProjectConfig, mode: 'synth' | 'validate'): Promise<ProgramRun> {
  const commonJs = runsAsCommonJs(config);
  const run = await runProgramOnce(config, mode, commonJs);
  // Only tsx's CommonJS hooks were loaded, and the program needs ES modules after all (an
  // ESM-only package): it runs again with all of tsx, as it would have from the start.
  if (commonJs && 'failure' in run && NEEDS_ES_MODULES.test(run.output)) return unwrap(await runProgramOnce(config, mode, false));
  return unwrap(run);
}

function unwrap(run: ProgramRun | { failure: CliError; output: string }): ProgramRun {
  if ('failure' in run) throw run.failure;
  return run;
}

/**
 * What Node or tsx print when a program needs tsx's ES module loader: a dynamic import() of a
 * TypeScript file, or an ES module that CommonJS cannot load.
 */
const NEEDS_ES_MODULES = /ERR_UNKNOWN_FILE_EXTENSION|ERR_REQUIRE_ESM|require\(\) of ES Module|Cannot use import statement outside a module|ERR_REQUIRE_ASYNC_MODULE/;

async function runProgramOnce(config: ProjectConfig, mode: 'synth' | 'validate', commonJs: boolean): Promise<ProgramRun | { failure: CliError; output: string }> {
  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-report-'));
  const reportFile = path.join(reportDir, 'report.json');
  const [command, args, label] = programCommand(config, commonJs);
  try {
    const { code, signal, output } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: config.projectDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, HOIST_OUTDIR: config.outdir, [REPORT_FILE_ENV]: reportFile, [SYNTH_MODE_ENV]: mode },
      });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.stderr.on('data', (c: Buffer) => chunks.push(c));
      child.on('error', (error: NodeJS.ErrnoException) => {
        reject(new CliError(error.code === 'ENOENT'
          ? `cannot run ${label}: ${command} was not found; install it or fix "app" in hoist.json`
          : `cannot run ${label}: ${error.message}`));
      });
      child.on('close', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal, output: Buffer.concat(chunks).toString('utf8') }));
    });
    let report: SynthReport | undefined;
    try {
      report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as SynthReport;
    } catch {
      report = undefined;
    }
    if (report) {
      return { report, output: report.ok ? output : '' };
    }
    if (code === 0) {
      return { failure: new CliError(`${label} finished without synthesizing; call app.synth() at its end`), output };
    }
    const tail = output.trimEnd().split('\n').slice(-30).join('\n');
    return { failure: new CliError(`${label} crashed (${signal ? `signal ${signal}` : `exit code ${code}`}) before synth finished:\n${indent(tail)}`), output };
  } finally {
    fs.rmSync(reportDir, { recursive: true, force: true });
  }
}

/**
 * Whether a TypeScript program can run with tsx's CommonJS hooks alone: not an .mts file, and
 * not in a package of "type": "module" (a project without a package.json, as `hoist init`
 * makes, is CommonJS). Those hooks load in a third of the time of all of tsx, whose ES module
 * loader starts a thread of its own: about 140 ms of every synth, measured by bench/cli.bench.ts.
 */
function runsAsCommonJs(config: ProjectConfig): boolean {
  if (config.app.kind !== 'file' || !TYPESCRIPT_FILE.test(config.app.file) || /\.mts$/.test(config.app.file)) return false;
  for (let dir = path.dirname(config.app.file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { type?: unknown }).type !== 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return true;
  }
}

function programCommand(config: ProjectConfig, commonJs: boolean): [string, string[], string] {
  if (config.app.kind === 'command') {
    const [command, ...args] = config.app.argv;
    return [command, args, `program "${config.app.argv.join(' ')}"`];
  }
  const file = config.app.file;
  const label = `program ${path.relative(process.cwd(), file) || file}`;
  if (TYPESCRIPT_FILE.test(file)) {
    if (commonJs) return [process.execPath, ['--require', resolveTsx(config.projectDir, 'tsx/cjs'), file], label];
    const tsx = pathToFileURL(resolveTsx(config.projectDir, 'tsx')).href;
    return [process.execPath, ['--import', tsx, file], label];
  }
  return [process.execPath, [file], label];
}

/**
 * tsx, which runs TypeScript programs: the project's own if it has one, else Hoist's. It is an
 * optional dependency of Hoist, not a bundled one, so that npm installs the esbuild binary of
 * the user's platform with it (a bundled copy would carry only the packing machine's).
 */
function resolveTsx(projectDir: string, entry: 'tsx' | 'tsx/cjs'): string {
  for (const paths of [[projectDir], undefined]) {
    try {
      return require.resolve(entry, paths ? { paths } : undefined);
    } catch {
      // Not there; try the next place.
    }
  }
  throw new CliError('TypeScript programs run through tsx, which is not installed (npm leaves out optional dependencies with --omit=optional): run "npm install tsx" in the project');
}

function indent(text: string): string {
  return text.split('\n').map((line) => `    ${line}`).join('\n');
}
