import type { Command } from 'commander';
import type { CliIo } from '../cli-io';
import { runChange } from '../run-change';

interface ApplyFlags {
  readonly yes: boolean;
  readonly lockTimeout: string;
  readonly trustNewHosts: boolean;
  readonly json: boolean;
  readonly parallelism: string;
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
}

/** `hoist apply [plan.json]`: carry out a plan on every host, under the hosts' locks. */
export function registerApply(program: Command, io: CliIo): void {
  program.command('apply')
    .description('Carry out a plan: a saved one exactly (refused if any host changed since), or a fresh one after confirmation')
    .argument('[planfile]', 'a plan saved with hoist plan --out')
    .option('-y, --yes', 'do not ask for confirmation (needed when not interactive)', false)
    .option('--lock-timeout <duration>', 'wait this long for another run\'s lock', '0s')
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .option('--json', 'progress as NDJSON events on stdout (plan, actions, versions, result)', false)
    .option('--parallelism <n>', 'hosts changed at once within a step', '10')
    .option('--graph <file>', 'use a saved graph instead of synthesizing the program')
    .option('-a, --app <file>', 'program to run (default: "app" in hoist.json, else main.ts)')
    .option('-C, --project <dir>', 'project directory', '.')
    .action(async (planfile: string | undefined, flags: ApplyFlags) => {
      await runChange({ command: 'apply', planfile, ...flags }, io);
    });
}
