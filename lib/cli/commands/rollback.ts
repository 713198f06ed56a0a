import type { Command } from 'commander';
import type * as RollbackModule from '../../deploy/rollback';
import { CliError } from '../cli-error';
import { cliErrorOf } from '../cli-error-of';
import type { CliIo } from '../cli-io';
import { loadGraph } from '../load-graph';
import { type ChangeOptions, runChange, withChangeOptions } from '../run-change';
import { summaryOf } from '../command-index';

interface RollbackFlags extends Omit<ChangeOptions, 'command' | 'planfile' | 'rollback' | 'source'> {
  readonly to?: string;
  readonly stack?: string;
}

/**
 * `hoist rollback [--to REVISION]`: puts a stack back to an earlier applied revision, as the
 * hosts' history recorded it, through the same plan, locks, health gates and rollback on
 * failure as apply (lib/deploy/rollback.ts). It never builds: a revision whose image is gone
 * from a host is refused.
 */
export function registerRollback(program: Command, io: CliIo): void {
  withChangeOptions(program.command('rollback')
    .description(summaryOf('rollback'))
    .option('--to <revision>', 'the revision to go back to (see hoist history)')
    .option('--stack <name>', 'the stack to roll back (needed when the program has several)')
    .option('--json', 'progress as NDJSON events on stdout', false))
    .action(async (flags: RollbackFlags) => {
      const { rollbackStack } = require('../../deploy/rollback') as typeof RollbackModule;
      const source = await loadGraph(flags, io);
      try {
        rollbackStack(source.graph, flags.stack);
      } catch (error) {
        throw cliErrorOf(error);
      }
      const wanted = flags.to === undefined ? undefined : Number(flags.to);
      if (wanted !== undefined && (!Number.isInteger(wanted) || wanted < 1)) throw new CliError(`--to: expected a revision number (see hoist history), got ${JSON.stringify(flags.to)}`);
      await runChange({ ...flags, command: 'rollback', source, rollback: { stack: flags.stack, to: wanted } }, io);
    });
}
