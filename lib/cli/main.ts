import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error';
import { CliIo, processIo } from './cli-io';
import { registerApply } from './commands/apply';
import { registerBuild } from './commands/build';
import { registerDestroy } from './commands/destroy';
import { registerExec } from './commands/exec';
import { registerHistory } from './commands/history';
import { registerImport } from './commands/import';
import { registerInit } from './commands/init';
import { registerLint } from './commands/lint';
import { registerLock } from './commands/lock';
import { registerLogs } from './commands/logs';
import { registerPipeline } from './commands/pipeline';
import { registerPlan } from './commands/plan';
import { registerPrune } from './commands/prune';
import { registerRollback } from './commands/rollback';
import { registerSandbox } from './commands/sandbox';
import { registerStatus } from './commands/status';
import { registerSynth, registerValidate } from './commands/synth';
import { registerTop } from './commands/top';

// Commander parses arguments and renders --help: a well-kept library that does exactly this,
// with subcommands and per-command help, so Hoist does not carry a parser of its own.

/** Runs the CLI and returns the exit code; only bin/hoist.js calls process.exit. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const program = new Command('hoist')
    .description('Infrastructure as code for container hosts: typed stacks, synthesized and planned across Docker Engine and Podman hosts over SSH')
    .version(require('../../package.json').version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError('(run hoist --help for usage)');
  registerSynth(program, io);
  registerValidate(program, io);
  registerInit(program, io);
  registerImport(program, io);
  registerPlan(program, io);
  registerLint(program, io);
  registerBuild(program, io);
  registerApply(program, io);
  registerDestroy(program, io);
  registerRollback(program, io);
  registerHistory(program, io);
  registerPrune(program, io);
  registerStatus(program, io);
  registerLogs(program, io);
  registerTop(program, io);
  registerExec(program, io);
  registerLock(program, io);
  registerPipeline(program, io);
  registerSandbox(program, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors with 1.
      return error.exitCode === 0 ? 0 : 1;
    }
    if (error instanceof CliError) {
      // An empty message: the command already said what went wrong; only the exit code remains.
      if (error.message) io.err(`error: ${error.message}`);
      return error.exitCode;
    }
    io.err(`error: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
