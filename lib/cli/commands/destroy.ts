import type { Command } from 'commander';
import type { CliIo } from '../cli-io';
import { type ChangeOptions, runChange, withChangeOptions } from '../run-change';
import { summaryOf } from '../command-index';

/** `hoist destroy`: remove what the program's stacks own from their hosts; volumes stay unless asked. */
export function registerDestroy(program: Command, io: CliIo): void {
  withChangeOptions(program.command('destroy')
    .description(summaryOf('destroy'))
    .option('--remove-volumes', 'also delete the stacks\' volumes and the data in them', false)
    .option('--json', 'progress as NDJSON events on stdout', false))
    .action(async (flags: Omit<ChangeOptions, 'command' | 'planfile'>) => {
      await runChange({ ...flags, command: 'destroy' }, io);
    });
}
