import type { Command } from 'commander';
import type * as OpenHostModule from '../../drivers/open-host';
import type * as UsageModule from '../../operate/container-usage';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { watchInterrupts } from '../interrupts';
import { loadGraph, withGraphSource } from '../load-graph';
import { positiveIntegerFlag } from '../parse-flags';
import { summaryOf } from '../command-index';

interface TopFlags {
  readonly stack?: string;
  readonly json: boolean;
  readonly once: boolean;
  readonly interval: string;
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
  readonly trustNewHosts: boolean;
}

/**
 * `hoist top`: CPU, memory against the limit, network and restarts of every container of the
 * stacks across their hosts; refreshed on a terminal, one snapshot otherwise or with --once
 * or --json. Over the hosts' existing SSH connections, no agent on the hosts.
 */
export function registerTop(program: Command, io: CliIo): void {
  withGraphSource(program.command('top')
    .description(summaryOf('top'))
    .option('--stack <name>', 'only this stack')
    .option('--once', 'print one snapshot and exit (the default when not on a terminal)', false)
    .option('--interval <seconds>', 'seconds between refreshes on a terminal', '2')
    .option('--json', 'one snapshot as JSON', false))
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .action(async (flags: TopFlags) => {
      const { readContainerUsage, usageTable } = require('../../operate/container-usage') as typeof UsageModule;
      const { openAllHosts } = require('../../drivers/open-host') as typeof OpenHostModule;
      const interval = positiveIntegerFlag(flags.interval, '--interval');
      const { graph, projectDir } = await loadGraph(flags, io);
      const stacks = flags.stack ? graph.stacks.filter((s) => s.name === flags.stack) : graph.stacks;
      if (flags.stack && stacks.length === 0) throw new CliError(`no stack named ${flags.stack}; stacks: ${graph.stacks.map((s) => s.name).join(', ')}`);
      const hosts = [...new Map(stacks.flatMap((s) => s.hosts).map((h) => [h.name, h])).values()];
      const names = stacks.map((s) => s.name);
      // One connection per host for the whole session: each refresh is a few API calls.
      const opened = await openAllHosts(hosts, { projectDir, trustNewHosts: flags.trustNewHosts });
      const snapshot = async () => (await Promise.all(opened.map((o) => readContainerUsage(o.engine, names)))).flat();
      try {
        const live = process.stdout.isTTY === true && !flags.once && !flags.json;
        if (!live) {
          const rows = await snapshot();
          if (flags.json) io.out(JSON.stringify({ containers: rows }, null, 2));
          else io.out(usageTable(rows).join('\n'));
          return;
        }
        let stop = false;
        const interrupts = watchInterrupts(() => { stop = true; }, () => process.exit(130));
        try {
          while (!stop) {
            const rows = await snapshot();
            // Clear the screen and draw the table again, as top does.
            io.out(`\u001b[H\u001b[2J${new Date().toISOString()}  ${rows.length} container(s) on ${opened.length} host(s); Ctrl-C to exit\n${usageTable(rows).join('\n')}`);
            for (let waited = 0; waited < interval * 10 && !stop; waited++) await new Promise((r) => setTimeout(r, 100));
          }
        } finally {
          interrupts.dispose();
        }
      } finally {
        for (const o of opened) o.close();
      }
    });
}
