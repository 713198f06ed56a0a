import type { Command } from 'commander';
import type * as StatusModule from '../../deploy/status';
import type * as StackStatusModule from '../../status/stack-status';
import { CliError } from '../cli-error';
import { cliErrorOf } from '../cli-error-of';
import type { CliIo } from '../cli-io';
import { loadGraph, withGraphSource } from '../load-graph';
import { positiveIntegerFlag } from '../parse-flags';
import { summaryOf } from '../command-index';

interface StatusOptions {
  readonly json: boolean;
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
  readonly trustNewHosts: boolean;
  readonly parallelism: string;
  readonly connectTimeout: string;
  readonly stack?: string;
}

/** `hoist status`: what runs on every host of the stacks, read live. */
export function registerStatus(program: Command, io: CliIo): void {
  withGraphSource(program.command('status')
    .description(summaryOf('status'))
    .option('--json', 'machine-readable output (versioned document)', false))
    .option('--stack <name>', 'only this stack')
    .option('--parallelism <n>', 'hosts read at once', '10')
    .option('--connect-timeout <seconds>', 'give up on a host after this long', '10')
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .action(async (options: StatusOptions) => {
      const parallelism = positiveIntegerFlag(options.parallelism, '--parallelism');
      const connectMs = positiveIntegerFlag(options.connectTimeout, '--connect-timeout') * 1000;
      // Loaded here, not at start-up: other commands need neither SSH nor the engine client.
      const { status } = require('../../deploy/status') as typeof StatusModule;
      const { formatStatus } = require('../../status/stack-status') as typeof StackStatusModule;
      const { graph, projectDir, prewarm } = await loadGraph(options, io, { prewarmHosts: true });
      let document: StackStatusModule.StatusDocument;
      try {
        document = await status({ graph, projectDir }, {
          stack: options.stack, trustNewHosts: options.trustNewHosts, parallelism, connectTimeoutMs: connectMs, ...(prewarm ? { openHost: prewarm.opener } : {}),
        });
      } catch (error) {
        throw cliErrorOf(error);
      } finally {
        prewarm?.close();
      }
      if (options.json) io.out(JSON.stringify(document, null, 2));
      else for (const line of formatStatus(document)) io.out(line);
      const unreachable = document.stacks.flatMap((s) => s.hosts).filter((h) => !h.reachable);
      if (unreachable.length) {
        throw new CliError(options.json ? '' : `${unreachable.length} host(s) unreachable: ${[...new Set(unreachable.map((h) => h.host))].join(', ')}`);
      }
    });
}
