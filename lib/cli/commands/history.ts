import type { Command } from 'commander';
import type * as HistoryModule from '../../engine/host-history';
import type * as OpenHostModule from '../../drivers/open-host';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { loadGraph, withGraphSource } from '../load-graph';
import { positiveIntegerFlag } from '../parse-flags';
import { summaryOf } from '../command-index';

interface HistoryFlags {
  readonly json: boolean;
  readonly limit: string;
  readonly stack?: string;
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
  readonly trustNewHosts: boolean;
}

/** One run as seen across hosts: the records of one run id merged. */
interface RunEntry {
  readonly id: string;
  readonly stack: string;
  readonly time: string;
  readonly user: string;
  readonly machine: string;
  readonly command: string;
  readonly revision: number;
  readonly hosts: { host: string; outcome: string; done: HistoryModule.HistoryRecord['done']; failed: string[] }[];
}

/** `hoist history`: the apply and destroy runs recorded on the stacks' hosts, newest first. */
export function registerHistory(program: Command, io: CliIo): void {
  withGraphSource(program.command('history')
    .description(summaryOf('history'))
    .option('--json', 'machine-readable output', false)
    .option('-n, --limit <n>', 'show this many runs per stack', '20')
    .option('--stack <name>', 'only this stack'))
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .action(async (flags: HistoryFlags) => {
      const limit = positiveIntegerFlag(flags.limit, '--limit');
      const { forEachHost } = require('../../drivers/open-host') as typeof OpenHostModule;
      const { readHistory } = require('../../engine/host-history') as typeof HistoryModule;
      const { graph, projectDir } = await loadGraph(flags, io);
      const stacks = flags.stack ? graph.stacks.filter((s) => s.name === flags.stack) : graph.stacks;
      if (flags.stack && stacks.length === 0) throw new CliError(`no stack named ${flags.stack}; stacks: ${graph.stacks.map((s) => s.name).join(', ')}`);
      const hosts = [...new Map(stacks.flatMap((s) => s.hosts).map((h) => [h.name, h])).values()];
      const outcomes = await forEachHost(hosts, { projectDir, trustNewHosts: flags.trustNewHosts, parallelism: 10 }, async (open) => {
        const records: HistoryModule.HistoryRecord[] = [];
        for (const stack of stacks) if (stack.hosts.some((h) => h.name === open.spec.name)) records.push(...await readHistory(open.engine, stack.name));
        return records;
      });
      const runs = new Map<string, RunEntry>();
      for (const outcome of outcomes) {
        if (!outcome.ok) continue;
        for (const r of outcome.value) {
          const key = `${r.stack}/${r.id}/${r.time}`;
          const run = runs.get(key) ?? { id: r.id, stack: r.stack, time: r.time, user: r.user, machine: r.machine, command: r.command, revision: r.revision, hosts: [] };
          run.hosts.push({ host: r.host, outcome: r.outcome, done: r.done, failed: r.failed });
          runs.set(key, run);
        }
      }
      const unreachable = outcomes.filter((o) => !o.ok).map((o) => `${o.host}: ${(o as { error: Error }).error.message.split('\n')[0]}`);
      const perStack = stacks.map((s) => ({
        stack: s.name,
        runs: [...runs.values()].filter((r) => r.stack === s.name).sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)).slice(0, limit),
      }));
      if (flags.json) {
        io.out(JSON.stringify({ stacks: perStack, unreachable }, null, 2));
      } else {
        for (const { stack, runs: list } of perStack) {
          io.out(`Stack ${stack}: ${list.length === 0 ? 'no runs recorded' : `${list.length} most recent run(s)`}`);
          for (const run of list) {
            const outcomes = [...new Set(run.hosts.map((h) => h.outcome))].join('/');
            io.out(`  ${run.time}  ${run.command} revision ${run.revision}  ${outcomes}  by ${run.user}@${run.machine}  (id ${run.id})`);
            for (const h of run.hosts.sort((a, b) => (a.host < b.host ? -1 : 1))) {
              const d = h.done;
              io.out(`    ${h.host}: ${h.outcome}; ${d.create} created, ${d.update} updated, ${d.replace} replaced, ${d.delete} deleted${h.failed.length ? `; failed: ${h.failed.join('; ')}` : ''}`);
            }
          }
        }
        for (const line of unreachable) io.err(`warning: history not read from ${line}`);
      }
      if (unreachable.length) throw new CliError(flags.json ? '' : `${unreachable.length} host(s) unreachable; their records are missing above`);
    });
}
