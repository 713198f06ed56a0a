import type { HistoryRecord } from '../engine/host-history';
import { GRAPH_FORMAT_VERSION, type GraphDocument, type GraphResource, type HostSpec, type StackGraph } from '../graph/graph-document';
import { compareStrings as cmp } from '../values/compare-strings';
import { DeployError } from './deploy-error';

const invalid = (message: string) => new DeployError('invalid', message, { nothingChanged: true });

/** The revision to go back to: the one asked for, or the last applied one before the newest. */
export function chooseRevision(stack: string, records: readonly HistoryRecord[], wanted: number | undefined): number {
  const applied = [...new Set(records.filter((r) => r.outcome === 'applied' && r.command !== 'destroy' && r.desired).map((r) => r.revision))].sort((a, b) => a - b);
  const list = applied.length ? applied.join(', ') : 'none';
  if (wanted !== undefined) {
    if (!applied.includes(wanted)) throw invalid(`revision ${wanted} of ${stack} was not applied completely by a hoist that records revisions (applied revisions: ${list}); nothing was changed`);
    return wanted;
  }
  // The current revision is the newest run's; go back to the newest applied one before it.
  const newest = [...records].sort((a, b) => cmp(b.time, a.time))[0]?.revision ?? 0;
  const earlier = applied.filter((r) => r < newest);
  if (earlier.length === 0) throw invalid(`${stack} has no applied revision before revision ${newest} to go back to (applied revisions: ${list}); nothing was changed`);
  return earlier[earlier.length - 1];
}

/**
 * The stack as it was at `revision`: on each host, what the newest run up to that revision
 * asked of it (a run records only the hosts it touched, and the others kept what they had).
 * Hosts that held nothing of the stack then get nothing now.
 */
export function revisionGraph(current: StackGraph, records: readonly HistoryRecord[], revision: number): GraphDocument {
  const hosts = new Map<string, HostSpec>(current.hosts.map((h) => [h.name, h]));
  const resources: GraphResource[] = [];
  const byHost = new Map<string, HistoryRecord>();
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
