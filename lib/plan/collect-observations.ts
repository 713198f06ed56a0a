import type { GraphDocument, GraphResource, HostSpec, ImageResource } from '../graph/graph-document';
import { hostsOfStacks } from '../graph/stack-hosts';
import type { EngineDriver } from '../drivers/engine-driver';
import { buildsOn, ObservedBuild, readBuildState } from '../engine/read-build-state';
import { type ExistingNames, readHostLayers, readHostState, ObservedHostState } from '../engine/read-host-state';
import { forEachHost } from '../drivers/open-host';
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
  const outcomes = await forEachHost(hostsToRead(graph), {
    projectDir: options.projectDir,
    trustNewHosts: options.trustNewHosts,
    parallelism: options.parallelism,
    timeouts: { connectMs: options.connectMs, keepaliveMs: 5000, attempts: 3 },
  }, (open) => observeHost(open.engine, readsOnHost(graph, open.spec.name)));
  const failures = outcomes.filter((o) => !o.ok).map((o) => ({ host: o.host, error: (o as { error: Error }).error }));
  if (failures.length) return { ok: false, failures };
  return { ok: true, observations: new Map(outcomes.map((o) => [o.host, (o as { value: HostObservation }).value])) };
}

/** The names of the graph's stacks placed on `host`. */
export function stacksOnHost(graph: GraphDocument, host: string): string[] {
  return graph.stacks.filter((s) => s.hosts.some((h) => h.name === host)).map((s) => s.name);
}

/** Every host a plan reads: the stacks' hosts, then builders that run nothing, once each. */
export function hostsToRead(graph: GraphDocument): HostSpec[] {
  const hosts = hostsOfStacks(graph.stacks);
  for (const stack of graph.stacks) {
    for (const builder of stack.builders ?? []) if (!hosts.some((h) => h.name === builder.name)) hosts.push(builder);
  }
  return hosts;
}

/** What a plan reads on one host: stacks placed there, images built there, and its layers if a built image may be sent to it. */
export interface HostReads {
  readonly stacks: string[];
  /** Objects not made by Hoist that each stack names exactly on this host, by stack. */
  readonly existing?: ReadonlyMap<string, ExistingNames>;
  readonly builds: ReadonlyMap<string, ImageResource[]>;
  readonly layers: boolean;
}

export function readsOnHost(graph: GraphDocument, host: string): HostReads {
  const builds = new Map<string, ImageResource[]>();
  let layers = false;
  for (const stack of graph.stacks) {
    const images = stack.resources.filter((r): r is ImageResource => r.kind === 'image');
    const mine = buildsOn(host, images);
    if (mine.length) builds.set(stack.name, mine);
    if (images.some((r) => r.host === host && r.spec.source === 'build' && r.policy?.delivery.mode === 'direct' && r.policy.builder !== host)) layers = true;
  }
  const existing = new Map<string, ExistingNames>();
  for (const stack of graph.stacks) {
    const names = existingNamesOn(stack.resources.filter((r) => r.host === host));
    if (names.container.length + names.volume.length + names.network.length > 0) existing.set(stack.name, names);
  }
  return { stacks: stacksOnHost(graph, host), builds, layers, ...(existing.size ? { existing } : {}) };
}

/** The names of existing volumes and networks, and of containers to adopt, among a host's resources. */
function existingNamesOn(resources: readonly GraphResource[]): ExistingNames {
  const names = { container: new Set<string>(), volume: new Set<string>(), network: new Set<string>() };
  for (const r of resources) {
    if (r.kind === 'container' && r.policy.adopt !== undefined) names.container.add(r.policy.adopt);
    if ((r.kind === 'volume' || r.kind === 'network') && r.policy?.existing) names[r.kind].add(r.spec.name);
  }
  return { container: [...names.container].sort(), volume: [...names.volume].sort(), network: [...names.network].sort() };
}

/** One host's state for the given stacks (fully inspected), builds and layers. */
export async function observeHost(engine: EngineDriver, reads: HostReads): Promise<HostObservation> {
  const states = new Map<string, ObservedHostState>();
  for (const stack of reads.stacks) states.set(stack, await readHostState(engine, stack, { inspect: true, existing: reads.existing?.get(stack) }));
  const builds = new Map<string, ObservedBuild[]>();
  for (const [stack, images] of reads.builds) builds.set(stack, await readBuildState(engine, images));
  return {
    engine: engine.info.kind,
    states,
    ...(builds.size ? { builds } : {}),
    ...(reads.layers ? { layers: await readHostLayers(engine) } : {}),
  };
}
