import type { GraphDocument } from '../graph/graph-document';
import { hostsOfStacks } from '../graph/stack-hosts';
import { readHostState } from '../engine/read-host-state';
import { forEachHost } from '../drivers/open-host';
import { HostReading, stackStatus, StatusDocument } from './stack-status';

export interface CollectOptions {
  readonly projectDir: string;
  readonly trustNewHosts: boolean;
  readonly parallelism: number;
  readonly connectMs: number;
}

/**
 * Reads every host of the given stacks once (a host shared by stacks is connected to once),
 * in parallel; an unreachable host yields its error and the others still report.
 */
export async function collectStatus(graph: GraphDocument, stackNames: string[], options: CollectOptions): Promise<StatusDocument> {
  const stacks = graph.stacks.filter((s) => stackNames.includes(s.name));
  const outcomes = await forEachHost(hostsOfStacks(stacks), {
    projectDir: options.projectDir,
    trustNewHosts: options.trustNewHosts,
    parallelism: options.parallelism,
    timeouts: { connectMs: options.connectMs, keepaliveMs: 5000, attempts: 3 },
  }, async (open) => {
    const states = new Map(await Promise.all(stacks.map(async (s) => [s.name, await readHostState(open.engine, s.name, { inspect: false })] as const)));
    return { engine: open.engine.info, states };
  });
  return {
    formatVersion: '1.0',
    stacks: stacks.map((stack) => {
      const readings = new Map<string, HostReading>();
      for (const outcome of outcomes) {
        readings.set(outcome.host, outcome.ok
          ? { ok: true, engine: outcome.value.engine, state: outcome.value.states.get(stack.name)! }
          : { ok: false, error: outcome.error });
      }
      return stackStatus(graph, stack.name, readings);
    }),
  };
}
