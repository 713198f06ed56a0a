import type { Command } from 'commander';
import type { CliIo } from '../cli-io';
import { runChange } from '../run-change';

interface DestroyFlags {
  readonly yes: boolean;
  readonly removeVolumes: boolean;
  readonly lockTimeout: string;
  readonly trustNewHosts: boolean;
  readonly json: boolean;
  readonly parallelism: string;
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
}

/** `hoist destroy`: remove what the program's stacks own from their hosts; volumes stay unless asked. */
export function registerDestroy(program: Command, io: CliIo): void {
  program.command('destroy')
    .description('Remove the stacks\' containers and networks from their hosts (volumes and their data are kept unless --remove-volumes)')
    .option('-y, --yes', 'do not ask for confirmation (needed when not interactive)', false)
    .option('--remove-volumes', 'also delete the stacks\' volumes and the data in them', false)
    .option('--lock-timeout <duration>', 'wait this long for another run\'s lock', '0s')
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .option('--json', 'progress as NDJSON events on stdout', false)
    .option('--parallelism <n>', 'hosts changed at once within a step', '10')
    .option('--graph <file>', 'use a saved graph instead of synthesizing the program')
    .option('-a, --app <file>', 'program to run (default: "app" in hoist.json, else main.ts)')
    .option('-C, --project <dir>', 'project directory', '.')
    .action(async (flags: DestroyFlags) => {
      await runChange({ command: 'destroy', ...flags }, io);
    });
}
