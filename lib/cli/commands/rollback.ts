import type { Command } from 'commander';
import type * as HistoryModule from '../../engine/host-history';
import type * as OpenHostModule from '../../drivers/open-host';
import { GRAPH_FORMAT_VERSION, type GraphDocument, type GraphResource, type HostSpec, type StackGraph } from '../../graph/graph-document';
import { compareStrings as cmp } from '../../values/compare-strings';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { loadGraph } from '../load-graph';
import { type ChangeOptions, runChange, withChangeOptions } from '../run-change';

interface RollbackFlags extends Omit<ChangeOptions, 'command' | 'planfile' | 'desiredGraph'> {
  readonly to?: string;
  readonly stack?: string;
}

/**
 * `hoist rollback [--to REVISION]`: puts a stack back to an earlier applied revision, as the
 * hosts' history recorded it, through the same plan, locks, health gates and rollback on
 * failure as apply. It never builds: a revision whose image is gone from a host is refused.
 */
export function registerRollback(program: Command, io: CliIo): void {
  withChangeOptions(program.command('rollback')
    .description('Put a stack back to an earlier applied revision (default: the one before the current), from the hosts\' history; images must still be on the hosts')
    .option('--to <revision>', 'the revision to go back to (see hoist history)')
    .option('--stack <name>', 'the stack to roll back (needed when the program has several)')
    .option('--json', 'progress as NDJSON events on stdout', false))
    .action(async (flags: RollbackFlags) => {
      const { forEachHost } = require('../../drivers/open-host') as typeof OpenHostModule;
      const { readHistory } = require('../../engine/host-history') as typeof HistoryModule;
      const { graph, projectDir } = await loadGraph(flags, io);
      const stacks = flags.stack ? graph.stacks.filter((s) => s.name === flags.stack) : graph.stacks;
      if (stacks.length === 0) throw new CliError(`no stack named ${flags.stack}; stacks: ${graph.stacks.map((s) => s.name).join(', ')}`);
      if (stacks.length > 1) throw new CliError(`the program has ${stacks.length} stacks (${stacks.map((s) => s.name).join(', ')}); name one with --stack`);
      const stack = stacks[0];
      const wanted = flags.to === undefined ? undefined : Number(flags.to);
      if (wanted !== undefined && (!Number.isInteger(wanted) || wanted < 1)) throw new CliError(`--to: expected a revision number (see hoist history), got ${JSON.stringify(flags.to)}`);

      const outcomes = await forEachHost(stack.hosts, { projectDir, trustNewHosts: flags.trustNewHosts, parallelism: 10 }, (open) => readHistory(open.engine, stack.name));
      const unreachable = outcomes.filter((o) => !o.ok).map((o) => `${o.host} (${(o as { error: Error }).error.message.split('\n')[0]})`);
      if (unreachable.length) throw new CliError(`cannot roll back ${stack.name}: the history of ${unreachable.join(', ')} cannot be read; nothing was changed`);
      const records = outcomes.flatMap((o) => (o.ok ? o.value : []));
      const target = chooseRevision(stack.name, records, wanted);
      const desired = revisionGraph(stack, records, target);
      io.err(`Rolling ${stack.name} back to revision ${target}.`);
      await runChange({ ...flags, command: 'rollback', desiredGraph: { graph: desired, projectDir, revision: target } }, io);
    });
}

/** The revision to go back to: the one asked for, or the last applied one before the newest. */
export function chooseRevision(stack: string, records: readonly HistoryModule.HistoryRecord[], wanted: number | undefined): number {
  const applied = [...new Set(records.filter((r) => r.outcome === 'applied' && r.command !== 'destroy' && r.desired).map((r) => r.revision))].sort((a, b) => a - b);
  const list = applied.length ? applied.join(', ') : 'none';
  if (wanted !== undefined) {
    if (!applied.includes(wanted)) throw new CliError(`revision ${wanted} of ${stack} was not applied completely by a hoist that records revisions (applied revisions: ${list}); nothing was changed`);
    return wanted;
  }
  // The current revision is the newest run's; go back to the newest applied one before it.
  const newest = [...records].sort((a, b) => cmp(b.time, a.time))[0]?.revision ?? 0;
  const earlier = applied.filter((r) => r < newest);
  if (earlier.length === 0) throw new CliError(`${stack} has no applied revision before revision ${newest} to go back to (applied revisions: ${list}); nothing was changed`);
  return earlier[earlier.length - 1];
}

/**
 * The stack as it was at `revision`: on each host, what the newest run up to that revision
 * asked of it (a run records only the hosts it touched, and the others kept what they had).
 * Hosts that held nothing of the stack then get nothing now.
 */
export function revisionGraph(current: StackGraph, records: readonly HistoryModule.HistoryRecord[], revision: number): GraphDocument {
  const hosts = new Map<string, HostSpec>(current.hosts.map((h) => [h.name, h]));
  const resources: GraphResource[] = [];
  const byHost = new Map<string, HistoryModule.HistoryRecord>();
  for (const r of records) {
    // A host whose run did not finish holds something between two revisions: its earlier record says more.
    if (!r.desired || r.revision > revision || r.outcome !== 'applied') continue;
    const known = byHost.get(r.host);
    if (!known || r.revision > known.revision || (r.revision === known.revision && r.time > known.time)) byHost.set(r.host, r);
  }
  for (const [host, record] of byHost) {
    hosts.set(host, record.desired!.host);
    resources.push(...record.desired!.resources);
  }
  const stack: StackGraph = {
    name: current.name,
    path: current.path,
    hosts: [...hosts.values()].sort((a, b) => cmp(a.name, b.name)),
    builders: [],
    resources: resources.sort((a, b) => cmp(a.id, b.id)),
  };
  return { formatVersion: GRAPH_FORMAT_VERSION, stacks: [stack] };
}
