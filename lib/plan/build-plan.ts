import type { GraphDocument } from '../graph/graph-document';
import { specHash } from '../graph/spec-hash';
import { hostsAndBuildersOf } from '../graph/stack-hosts';
import type { ObservedBuild } from '../engine/read-build-state';
import type { ObservedHostState } from '../engine/read-host-state';
import { PlanOptions, planStack } from './plan-stack';
import { PLAN_FORMAT_VERSION, PlanDocument, HostObservation } from './plan-types';

/**
 * The whole plan: every stack planned against what its hosts run, with the graph's hash and a
 * fingerprint of what was observed on each host, so apply can refuse the plan if anything
 * changed since. Pure.
 */
export function buildPlan(graph: GraphDocument, observations: ReadonlyMap<string, HostObservation>, options: PlanOptions & { now?: Date }): PlanDocument {
  const stacks = graph.stacks.map((stack) => {
    const observed = new Map<string, ObservedHostState>();
    for (const host of stack.hosts) {
      const state = observations.get(host.name)?.states.get(stack.name);
      if (!state) throw new Error(`host ${host.name} was not read; a plan needs every host`);
      observed.set(host.name, state);
    }
    const builds = new Map<string, ObservedBuild>();
    for (const builder of hostsAndBuildersOf(stack)) {
      for (const build of observations.get(builder.name)?.builds?.get(stack.name) ?? []) builds.set(build.image, build);
    }
    const layers = new Map<string, ReadonlySet<string>>();
    for (const host of stack.hosts) {
      const known = observations.get(host.name)?.layers;
      if (known) layers.set(host.name, new Set(known));
    }
    return planStack(stack, observed, options, { builds, layers });
  });
  const summary = { build: 0, create: 0, update: 0, replace: 0, delete: 0 };
  for (const stack of stacks) for (const action of stack.actions) summary[action.action]++;
  const host_fingerprints: Record<string, string> = {};
  for (const [host, observation] of [...observations].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    host_fingerprints[host] = observationFingerprint(observation);
  }
  return {
    format_version: PLAN_FORMAT_VERSION,
    created_at: (options.now ?? new Date()).toISOString(),
    graph_hash: graphHash(graph),
    host_fingerprints,
    stacks,
    summary,
    targets: options.targets ?? null,
  };
}

/**
 * The graph's identity. Specs enter through their hashes (which cover them exactly), so
 * hashing a graph of thousands of resources does not serialize every spec again.
 */
export function graphHash(graph: GraphDocument): string {
  return specHash({
    formatVersion: graph.formatVersion,
    stacks: graph.stacks.map((s) => ({
      name: s.name,
      path: s.path,
      hosts: s.hosts,
      // Builders decide where images are built and sent from, so a changed one is another
      // graph; left out when there are none, which keeps the hash of graphs without builders.
      ...(s.builders?.length ? { builders: s.builders } : {}),
      resources: s.resources.map((r) => ({ id: r.id, kind: r.kind, host: r.host, hash: r.hash, dependsOn: r.dependsOn, policy: 'policy' in r ? r.policy : null })),
    })),
  });
}

/** A hash of everything observed on a host that planning looked at (container specs by their hash). */
export function observationFingerprint(observation: HostObservation): string {
  const states = [...observation.states].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([stack, state]) => ({
    stack,
    ...state,
    containers: state.containers.map(({ spec, imageDefaults, ...rest }) => ({ ...rest, spec: spec ? specHash(spec) : null, imageDefaults: imageDefaults ? specHash(imageDefaults) : null })),
  }));
  return specHash({ engine: observation.engine, states });
}

/** Whether the plan changes anything. */
export function hasChanges(plan: PlanDocument): boolean {
  return plan.stacks.some((s) => s.actions.length > 0);
}
