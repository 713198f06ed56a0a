import { Command, CommanderError, Help } from 'commander';
import { CliError } from './cli-error';
import { CliIo, processIo } from './cli-io';
import { COMMANDS } from './command-index';

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
  registerCommands(program, io, argv);
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

/**
 * Registers the command that `argv` names (or `hoist help <command>` asks about) in full, and
 * nothing else; without one (root help, --version, a mistyped name) every command is listed
 * by name and summary only, so Commander can show the root help and suggest a close name.
 */
function registerCommands(program: Command, io: CliIo, argv: readonly string[]): void {
  const first = argv.findIndex((arg) => !arg.startsWith('-'));
  const words = first < 0 ? [] : argv.slice(first).filter((arg) => !arg.startsWith('-'));
  // `hoist --help plan` is the root help: an option before the command is the root's.
  const rootOptionFirst = first > 0;
  const named = rootOptionFirst ? undefined : COMMANDS.find((command) => command.name === (words[0] === 'help' ? words[1] : words[0]));
  if (named) {
    named.register(program, io);
    return;
  }
  for (const command of COMMANDS) program.command(command.name).description(command.summary);
  program.configureHelp({
    subcommandTerm: (command) => {
      const entry = COMMANDS.find((candidate) => candidate.name === command.name());
      return entry ? [entry.name, entry.arguments].filter(Boolean).join(' ') : new Help().subcommandTerm(command);
    },
  });
}
