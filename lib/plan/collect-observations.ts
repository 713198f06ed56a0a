import type { GraphDocument } from '../graph/graph-document';
import { hostsOfStacks } from '../graph/stack-hosts';
import type { EngineClient } from '../engine/engine-client';
import { readHostState, ObservedHostState } from '../engine/read-host-state';
import { forEachHost } from '../transport/open-host';
import type { HostObservation } from './plan-types';

export interface ObserveOptions {
  readonly projectDir: string;
  readonly trustNewHosts: boolean;
  readonly parallelism: number;
  readonly connectMs: number;
}

/** What a plan needs from the hosts: every host's state for every stack on it, or the hosts that failed. */
export type ObservationResult =
  | { readonly ok: true; readonly observations: Map<string, HostObservation> }
  | { readonly ok: false; readonly failures: { host: string; error: Error }[] };

/**
 * Reads every host of the graph once, in parallel, with full inspection. A plan is all or
 * nothing: if any host cannot be read, the result lists the failures instead of a partial map.
 */
export async function collectObservations(graph: GraphDocument, options: ObserveOptions): Promise<ObservationResult> {
  const stacksOn = (host: string) => stacksOnHost(graph, host);
  const outcomes = await forEachHost(hostsOfStacks(graph.stacks), {
    projectDir: options.projectDir,
    trustNewHosts: options.trustNewHosts,
    parallelism: options.parallelism,
    timeouts: { connectMs: options.connectMs, keepaliveMs: 5000, attempts: 3 },
  }, (open) => observeHost(open.engine, stacksOn(open.spec.name)));
  const failures = outcomes.filter((o) => !o.ok).map((o) => ({ host: o.host, error: (o as { error: Error }).error }));
  if (failures.length) return { ok: false, failures };
  return { ok: true, observations: new Map(outcomes.map((o) => [o.host, (o as { value: HostObservation }).value])) };
}

/** The names of the graph's stacks placed on `host`. */
export function stacksOnHost(graph: GraphDocument, host: string): string[] {
  return graph.stacks.filter((s) => s.hosts.some((h) => h.name === host)).map((s) => s.name);
}

/** One host's state for the given stacks, fully inspected. */
export async function observeHost(engine: EngineClient, stacks: string[]): Promise<HostObservation> {
  const states = new Map<string, ObservedHostState>();
  for (const stack of stacks) states.set(stack, await readHostState(engine, stack, { inspect: true }));
  return { engine: engine.info.kind, states };
}
