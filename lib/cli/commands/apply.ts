import type { Command } from 'commander';
import type { CliIo } from '../cli-io';
import { type ChangeOptions, runChange, withChangeOptions } from '../run-change';
import { summaryOf } from '../command-index';

/** `hoist apply [plan.json]`: carry out a plan on every host, under the hosts' locks. */
export function registerApply(program: Command, io: CliIo): void {
  withChangeOptions(program.command('apply')
    .description(summaryOf('apply'))
    .argument('[planfile]', 'a plan saved with hoist plan --out')
    .option('--json', 'progress as NDJSON events on stdout (plan, actions, versions, result)', false))
    .action(async (planfile: string | undefined, flags: Omit<ChangeOptions, 'command' | 'planfile'>) => {
      await runChange({ ...flags, command: 'apply', planfile }, io);
    });
}
