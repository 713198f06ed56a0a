import type { Command } from 'commander';
import type { CliIo } from './cli-io';

/**
 * One top-level command: its one-line summary, which the root help shows without loading the
 * command, and how to register it in full (options, arguments, action, subcommands).
 */
export interface CommandEntry {
  readonly name: string;
  /** What the root help shows after the name, as Commander writes it for the full command. */
  readonly arguments: string;
  readonly summary: string;
  register(program: Command, io: CliIo): void;
}

/**
 * Every top-level command, in the order the root help lists them. A run registers only the
 * command it names, so `hoist plan` never loads apply's or sandbox's code, and `hoist --help`
 * loads none (each command module pulls in its own part of Hoist: loading them all took a
 * third of a no-op plan's time). A new command is one entry here.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'synth',
    arguments: '[options]',
    summary: 'Run the program and write the desired-state graph (hoist.out/graph.json)',
    register: (program, io) => (require('./commands/synth') as typeof import('./commands/synth')).registerSynth(program, io),
  },
  {
    name: 'validate',
    arguments: '[options]',
    summary: 'Run the program and check every construct, without writing anything or connecting anywhere',
    register: (program, io) => (require('./commands/synth') as typeof import('./commands/synth')).registerValidate(program, io),
  },
  {
    name: 'init',
    arguments: '[options] [dir]',
    summary: 'Create a Hoist project (main.ts, hoist.json, inventory.json) or, with --template library, a jsii construct library',
    register: (program, io) => (require('./commands/init') as typeof import('./commands/init')).registerInit(program, io),
  },
  {
    name: 'import',
    arguments: '',
    summary: 'Write a Hoist program from an existing setup (a Compose file, or the containers running on a host)',
    register: (program, io) => (require('./commands/import') as typeof import('./commands/import')).registerImport(program, io),
  },
  {
    name: 'plan',
    arguments: '[options]',
    summary: 'Compare the graph with what runs on every host and show what apply would do',
    register: (program, io) => (require('./commands/plan') as typeof import('./commands/plan')).registerPlan(program, io),
  },
  {
    name: 'lint',
    arguments: '[options]',
    summary: 'Check the images the stacks build (root user, floating bases, secrets in layers, cache-killing COPY, ...) and the services they run (engine socket, capabilities, limits, writable root, anonymous volumes, ...); exit 1 on an error',
    register: (program, io) => (require('./commands/lint') as typeof import('./commands/lint')).registerLint(program, io),
  },
  {
    name: 'build',
    arguments: '[options]',
    summary: 'Build the images whose inputs have no build yet on their builders (hosts are not changed); a later plan then shows the bytes each host will be sent',
    register: (program, io) => (require('./commands/build') as typeof import('./commands/build')).registerBuild(program, io),
  },
  {
    name: 'apply',
    arguments: '[options] [planfile]',
    summary: 'Carry out a plan: a saved one exactly (refused if any host changed since), or a fresh one after confirmation',
    register: (program, io) => (require('./commands/apply') as typeof import('./commands/apply')).registerApply(program, io),
  },
  {
    name: 'destroy',
    arguments: '[options]',
    summary: 'Remove the stacks\' containers and networks from their hosts (volumes and their data are kept unless --remove-volumes)',
    register: (program, io) => (require('./commands/destroy') as typeof import('./commands/destroy')).registerDestroy(program, io),
  },
  {
    name: 'rollback',
    arguments: '[options]',
    summary: 'Put a stack back to an earlier applied revision (default: the one before the current), from the hosts\' history; images must still be on the hosts',
    register: (program, io) => (require('./commands/rollback') as typeof import('./commands/rollback')).registerRollback(program, io),
  },
  {
    name: 'history',
    arguments: '[options]',
    summary: 'Show the applies and destroys recorded on the stacks\' hosts (who, when, revision, outcome per host), newest first',
    register: (program, io) => (require('./commands/history') as typeof import('./commands/history')).registerHistory(program, io),
  },
  {
    name: 'prune',
    arguments: '[options]',
    summary: 'Remove the stacks\' stopped containers that left the graph and built image versions beyond keepVersions (only objects with the stack\'s labels; data volumes kept unless --remove-volumes)',
    register: (program, io) => (require('./commands/prune') as typeof import('./commands/prune')).registerPrune(program, io),
  },
  {
    name: 'status',
    arguments: '[options]',
    summary: 'Show what runs on every host of the stacks: state, health, image, created, revision (read live over SSH)',
    register: (program, io) => (require('./commands/status') as typeof import('./commands/status')).registerStatus(program, io),
  },
  {
    name: 'logs',
    arguments: '[options] <stack/service>',
    summary: 'Show the logs of a service\'s replicas on every host, merged by time (-f follows, new replicas included); secret values are redacted',
    register: (program, io) => (require('./commands/logs') as typeof import('./commands/logs')).registerLogs(program, io),
  },
  {
    name: 'top',
    arguments: '[options]',
    summary: 'Show CPU, memory (against the limit), network and restarts of the stacks\' containers on every host; refreshed on a terminal',
    register: (program, io) => (require('./commands/top') as typeof import('./commands/top')).registerTop(program, io),
  },
  {
    name: 'exec',
    arguments: '[options] <stack/service> <command...>',
    summary: 'Run a command in a running replica of a service (with a TTY on a terminal); exits with its exit code',
    register: (program, io) => (require('./commands/exec') as typeof import('./commands/exec')).registerExec(program, io),
  },
  {
    name: 'lock',
    arguments: '',
    summary: 'Show, take or release the locks that keep runs on a stack\'s hosts apart',
    register: (program, io) => (require('./commands/lock') as typeof import('./commands/lock')).registerLock(program, io),
  },
  {
    name: 'pipeline',
    arguments: '',
    summary: "Describe the app's pipelines, or run one on this machine as CI would",
    register: (program, io) => (require('./commands/pipeline') as typeof import('./commands/pipeline')).registerPipeline(program, io),
  },
  {
    name: 'sandbox',
    arguments: '',
    summary: 'Local test hosts: network namespaces with sshd and Docker Engine or Podman (Linux, root)',
    register: (program, io) => (require('./commands/sandbox') as typeof import('./commands/sandbox')).registerSandbox(program, io),
  },
];

/** The summary of a top-level command, for its own `.description()`: the root help and `hoist <command> --help` say the same. */
export function summaryOf(name: string): string {
  const entry = COMMANDS.find((command) => command.name === name);
  if (!entry) throw new Error(`no command ${name} in the command index`);
  return entry.summary;
}
