import { canonicalJson } from '../graph/canonical-json';
import { specHash } from '../graph/spec-hash';
import type {
  ContainerResource, GraphResource, ImageResource, NetworkResource, StackGraph, VolumeResource,
} from '../graph/graph-document';
import type { ObservedContainer, ObservedHostState } from '../engine/read-host-state';
import { nextName, previousName } from '../engine/rollout-names';
import { familiarImageReference } from '../values/image-reference';
import { compareContainer, updatableInPlace } from './compare-container';
import type { Cause, PlanConflict, PlannedAction, PlannedAnonymousVolume, PlannedDelivery, StackPlan } from './plan-types';
import { builtReference, type ObservedBuild } from '../engine/read-build-state';
import { resourceKeyOf } from '../graph/resource-id';
import { inputChanges } from '../images/build-context';
import { compareStrings as cmp } from '../values/compare-strings';

export interface PlanOptions {
  /** Delete volumes that left the graph (data loss); otherwise they are kept. */
  readonly deleteVolumes: boolean;
  /** Only these resources (ids or construct-path prefixes) and what they need. */
  readonly targets?: string[];
}

type Draft = Omit<PlannedAction, 'step'> & { readonly phase: 'build' | 'infra' | 'container' | 'delete' };

/** What the builders have built and which layers each host has, for built images. */
export interface ImageObservations {
  /** By image resource key (`image:<stack path>/<name>`). */
  readonly builds: ReadonlyMap<string, ObservedBuild>;
  /** By host name; present for hosts a built image may be sent to directly. */
  readonly layers: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Plans one stack: desired graph + what each host runs -> actions with causes, in apply
 * order. Pure: no I/O, the same inputs always give the same plan. Objects without the
 * stack's labels are never acted on; one that holds a name the graph needs is a conflict.
 */
export function planStack(stack: StackGraph, observed: ReadonlyMap<string, ObservedHostState>, options: PlanOptions, images: ImageObservations = { builds: new Map(), layers: new Map() }): StackPlan {
  const drafts: Draft[] = [];
  const builds = new Set<string>();
  const conflicts: PlanConflict[] = [];
  const kept: StackPlan['kept'] = [];
  const replacedDependencies = new Set<string>();

  for (const host of stack.hosts) {
    const state = observed.get(host.name);
    if (!state) throw new Error(`no observed state for host ${host.name}`);
    const desired = stack.resources.filter((r) => r.host === host.name);
    const observedContainers = new Map(state.containers.filter((c) => c.resourceId && !c.rolloutCopy).map((c) => [c.resourceId!, c]));
    const foreignNamed = (kind: string, name: string) => state.foreign.find((f) => f.kind === kind && f.name === name);
    const clash = (kind: string, name: string) => {
      conflicts.push({ host: host.name, kind, name, message: `a ${kind} named ${name} exists on ${host.name} without this stack's labels; Hoist will not touch it: rename or remove it by hand, or rename the construct` });
    };

    for (const want of desired.filter((r): r is NetworkResource => r.kind === 'network')) {
      const have = state.networks.find((n) => n.resourceId === want.id);
      if (!have) {
        if (foreignNamed('network', want.spec.name)) clash('network', want.spec.name);
        else drafts.push(infra(want, 'create', [{ type: 'missing' }]));
        continue;
      }
      // A subnet left to the engine is whatever it picked.
      const causes = specCauses(want.spec, have.spec, have.specHash === want.hash, ['subnet']);
      if (causes.length) {
        drafts.push(infra(want, 'replace', causes));
        replacedDependencies.add(want.id);
      }
    }

    for (const want of desired.filter((r): r is VolumeResource => r.kind === 'volume')) {
      const have = state.volumes.find((v) => v.resourceId === want.id);
      if (!have) {
        if (foreignNamed('volume', want.spec.name)) clash('volume', want.spec.name);
        else drafts.push(infra(want, 'create', [{ type: 'missing' }]));
        continue;
      }
      const causes = specCauses(want.spec, have.spec, have.specHash === want.hash);
      if (!causes.length) continue;
      if (want.policy.retainOnDelete) {
        conflicts.push({ host: host.name, kind: 'volume', name: want.spec.name, message: `volume ${want.spec.name} on ${host.name} differs from the graph (${describeCauses(causes)}) and is retained, so Hoist will not replace it and lose its data: move the data and remove the volume by hand, or set retainOnDelete: false` });
      } else {
        drafts.push({ ...infra(want, 'replace', causes), dataLoss: true });
        replacedDependencies.add(want.id);
      }
    }

    for (const want of desired.filter((r): r is ImageResource => r.kind === 'image')) {
      const reference = builtReference(want);
      const present = state.images.some((i) => i.references.includes(familiarImageReference(reference)));
      if (present) continue;
      if (want.spec.source === 'registry' || !want.policy) {
        drafts.push(infra(want, 'create', [{ type: 'missing' }]));
        continue;
      }
      const key = resourceKeyOf(want.id);
      const build = images.builds.get(key);
      if (!build?.built && !builds.has(key)) {
        builds.add(key);
        const changes = build?.previousInputs ? inputChanges(build.previousInputs, want.spec.inputs) : [];
        drafts.push({
          host: want.policy.builder, kind: 'image', resource: key, name: reference, action: 'build', phase: 'build',
          causes: [{ type: 'inputs-changed', changes }],
        });
      }
      // The builder holds the image once built; every other host is sent it.
      if (want.policy.builder === host.name) continue;
      drafts.push({ ...infra(want, 'create', [{ type: 'missing' }]), delivery: plannedDelivery(want, build, images.layers.get(host.name)) });
    }

    for (const want of desired.filter((r): r is ContainerResource => r.kind === 'container')) {
      const have = observedContainers.get(want.id);
      const base = { host: host.name, kind: 'container' as const, resource: want.id, name: want.spec.name, service: want.spec.service, phase: 'container' as const };
      // A rollout puts the new or the old version under these names: they must be free of foreign objects too.
      const foreignCopy = [nextName(want.spec.name), previousName(want.spec.name)].find((n) => foreignNamed('container', n));
      if (!have) {
        if (foreignNamed('container', want.spec.name)) clash('container', want.spec.name);
        else if (foreignCopy) clash('container', foreignCopy);
        else drafts.push({ ...base, action: 'create', causes: [{ type: 'missing' }] });
        continue;
      }
      const causes: Cause[] = [];
      // Most containers match exactly: one hash settles it before any field-by-field walk.
      const differences = !have.spec || specHash(have.spec) === want.hash ? [] : compareContainer(want.spec, have.spec, have.imageDefaults);
      const drift = have.specHash === want.hash;
      for (const d of differences) causes.push({ type: drift ? 'drift' : 'changed', ...d });
      const current = state.images.find((i) => i.references.includes(familiarImageReference(want.spec.image.reference)));
      // Only news when the container asks for the same reference; a new reference says it already.
      if (current && have.imageId && current.id !== have.imageId && !differences.some((d) => d.field.startsWith('image'))) {
        causes.push({ type: 'image-content', reference: want.spec.image.reference, before: have.imageId, after: current.id });
      }
      for (const dependency of want.dependsOn) {
        if (replacedDependencies.has(dependency.id)) causes.push({ type: 'dependency-replaced', dependency: dependency.id });
      }
      // A container that was created but never started may be half made (a run killed before
      // its secret files were written or its networks connected): only a new one is trusted.
      const neverStarted = have.state.status === 'created';
      if (neverStarted) causes.push({ type: 'not-running', state: have.state.status, exitCode: have.state.exitCode });
      const mustReplace = neverStarted || causes.some((c) => c.type === 'image-content' || c.type === 'dependency-replaced') || (differences.length > 0 && !updatableInPlace(differences, state.engine));
      if (!mustReplace && !neverStarted && have.state.status !== 'running' && !completedOnPurpose(stack, want, have.state)) {
        causes.push({ type: 'not-running', state: have.state.status, exitCode: have.state.exitCode });
      }
      if (causes.length === 0) continue;
      if (mustReplace && foreignCopy) {
        clash('container', foreignCopy);
        continue;
      }
      drafts.push(mustReplace
        ? { ...base, action: 'replace', order: want.policy.update.order, causes, ...anonymousVolumes(have, true) }
        : { ...base, action: 'update', causes });
    }

    const desiredIds = new Set(desired.map((r) => r.id));
    for (const c of state.containers) {
      if (c.rolloutCopy) {
        // Its data volumes are the live version's too: always kept.
        drafts.push({ host: host.name, kind: 'container', resource: c.resourceId ?? c.name, name: c.name, action: 'delete', causes: [{ type: 'rollout-leftover' }], phase: 'delete', ...anonymousVolumes(c, true) });
        continue;
      }
      if (c.resourceId && !desiredIds.has(c.resourceId)) {
        const volumes = anonymousVolumes(c, !options.deleteVolumes);
        drafts.push({
          host: host.name, kind: 'container', resource: c.resourceId, name: c.name, action: 'delete', causes: [{ type: 'removed-from-graph' }], phase: 'delete',
          ...volumes, ...(volumes.anonymousVolumes && options.deleteVolumes ? { dataLoss: true } : {}),
        });
      }
    }
    for (const n of state.networks) {
      if (n.resourceId && !desiredIds.has(n.resourceId)) drafts.push({ host: host.name, kind: 'network', resource: n.resourceId, name: n.spec.name, action: 'delete', causes: [{ type: 'removed-from-graph' }], phase: 'delete' });
    }
    for (const v of state.volumes) {
      if (!v.resourceId || desiredIds.has(v.resourceId)) continue;
      if (options.deleteVolumes) {
        drafts.push({ host: host.name, kind: 'volume', resource: v.resourceId, name: v.spec.name, action: 'delete', causes: [{ type: 'removed-from-graph' }], phase: 'delete', dataLoss: true });
      } else {
        kept.push({ host: host.name, kind: 'volume', name: v.spec.name, reason: 'no longer in the graph; volumes are kept (pass --delete-volumes to delete it and its data)' });
      }
    }
  }

  const targeted = options.targets ? selectTargets(drafts, stack.resources, options.targets) : drafts;
  return { stack: stack.name, actions: order(targeted, stack), conflicts, kept };
}

/** The anonymous data volumes of an observed container as a replacement or deletion treats them. */
function anonymousVolumes(container: ObservedContainer, kept: boolean): { anonymousVolumes?: PlannedAnonymousVolume[] } {
  const volumes = container.anonymousVolumes ?? [];
  return volumes.length ? { anonymousVolumes: volumes.map((v) => ({ path: v.target, volume: v.volume, kept })) } : {};
}

/** How much of a built image goes to a host: known once the builder has it. */
function plannedDelivery(want: ImageResource, build: ObservedBuild | undefined, hostLayers: ReadonlySet<string> | undefined): PlannedDelivery {
  const policy = want.policy!;
  if (policy.delivery.mode === 'registry' || !build?.built) return { mode: policy.delivery.mode, from: policy.builder, layers: null, bytes: null };
  const missing = build.built.layers.filter((l) => !hostLayers?.has(l.diffId));
  const known = missing.every((l) => l.size !== null);
  return {
    mode: 'direct', from: policy.builder,
    layers: { send: missing.length, total: build.built.layers.length },
    bytes: known ? missing.reduce((sum, l) => sum + l.size!, 0) : null,
  };
}

function infra(resource: NetworkResource | VolumeResource | ImageResource, action: 'create' | 'replace', causes: Cause[]): Draft {
  const name = resource.kind === 'image' ? builtReference(resource) : resource.spec.name;
  return { host: resource.host, kind: resource.kind, resource: resource.id, name, action, causes, phase: 'infra' };
}

/** Field causes for a network or volume spec; `engineChosen` fields left null in the graph match anything. */
function specCauses<T extends object>(wantSpec: T, haveSpec: T, drift: boolean, engineChosen: string[] = []): Cause[] {
  const want = wantSpec as Record<string, unknown>;
  const have = haveSpec as Record<string, unknown>;
  const causes: Cause[] = [];
  for (const key of Object.keys(want).sort()) {
    if (want[key] === null && engineChosen.includes(key)) continue;
    if (canonicalJson(want[key] ?? null) !== canonicalJson(have[key] ?? null)) {
      causes.push({ type: drift ? 'drift' : 'changed', field: key, before: have[key] ?? null, after: want[key] ?? null });
    }
  }
  return causes;
}

function describeCauses(causes: Cause[]): string {
  return causes.map((c) => ('field' in c ? `${c.field}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}` : c.type)).join('; ');
}

/** An exited container whose service others wait on with "completed" ran to completion on purpose. */
function completedOnPurpose(stack: StackGraph, want: ContainerResource, state: { status: string; exitCode: number | null }): boolean {
  if (state.status !== 'exited' || state.exitCode !== 0) return false;
  return stack.resources.some((r) => r.dependsOn.some((d) => d.id === want.id && d.condition === 'completed'));
}

/** Keeps the actions on targeted resources and the creations they depend on. */
function selectTargets(drafts: Draft[], resources: GraphResource[], targets: string[]): Draft[] {
  const matches = (id: string) => targets.some((t) => id === t || id.startsWith(`container:${t}#`) || id.slice(id.indexOf(':') + 1).startsWith(`${t}@`) || id.slice(id.indexOf(':') + 1).startsWith(`${t}/`));
  const wanted = new Set(drafts.filter((d) => matches(d.resource)).map((d) => d.resource));
  for (const id of [...wanted]) {
    for (const dep of resources.find((r) => r.id === id)?.dependsOn ?? []) wanted.add(dep.id);
  }
  // A targeted image's build goes with its delivery.
  for (const id of [...wanted]) if (id.startsWith('image:')) wanted.add(resourceKeyOf(id));
  return drafts.filter((d) => wanted.has(d.resource));
}

/**
 * Numbers the actions in apply order: networks, volumes and images first; then the
 * services level by level of their dependencies (services of one level together), each
 * level's creations and updates in one step and its replacements in batches of each
 * service's batchSize across hosts; deletions last (containers before the networks they used).
 */
function order(drafts: Draft[], stack: StackGraph): PlannedAction[] {
  if (drafts.length === 0) return [];
  const byKey = (a: Draft, b: Draft) => cmp(a.host, b.host) || cmp(a.resource, b.resource);
  const result: PlannedAction[] = [];
  let step = 0;
  const buildActions = drafts.filter((d) => d.phase === 'build').sort(byKey);
  if (buildActions.length) {
    step++;
    for (const { phase: _phase, ...a } of buildActions) result.push({ ...a, step });
  }
  const infraActions = drafts.filter((d) => d.phase === 'infra').sort(byKey);
  if (infraActions.length) {
    step++;
    for (const { phase: _phase, ...a } of infraActions) result.push({ ...a, step });
  }
  const containers = drafts.filter((d) => d.phase === 'container');
  const policies = new Map<string, ContainerResource['policy']['update']>();
  for (const r of stack.resources) if (r.kind === 'container' && !policies.has(r.source)) policies.set(r.source, r.policy.update);
  const byService = new Map<string, Draft[]>();
  for (const d of containers) {
    const service = d.resource.slice('container:'.length, d.resource.indexOf('#'));
    byService.set(service, [...(byService.get(service) ?? []), d]);
  }
  // Services that do not depend on each other roll out together: one step per dependency
  // level for creations and updates, then the level's replacement batches, batch by batch.
  for (const level of containers.length ? serviceLevels(stack) : []) {
    const mine = level.flatMap((service) => byService.get(service) ?? []).sort(byKey);
    const others = mine.filter((d) => d.action !== 'replace');
    if (others.length) {
      step++;
      for (const { phase: _phase, ...a } of others) result.push({ ...a, step });
    }
    const batches: Draft[][] = [];
    for (const service of level) {
      const size = policies.get(service)?.batchSize ?? 1;
      const replacing = (byService.get(service) ?? []).filter((d) => d.action === 'replace').sort(byKey);
      for (let i = 0; i < replacing.length; i += size) (batches[i / size] ??= []).push(...replacing.slice(i, i + size).map((d) => ({ ...d, batch: i / size + 1 })));
    }
    for (const batch of batches) {
      step++;
      for (const { phase: _phase, ...a } of batch.sort(byKey)) result.push({ ...a, step });
    }
  }
  const deletions = drafts.filter((d) => d.phase === 'delete');
  for (const kind of ['container', 'network', 'volume'] as const) {
    const mine = deletions.filter((d) => d.kind === kind).sort(byKey);
    if (mine.length === 0) continue;
    step++;
    for (const { phase: _phase, ...a } of mine) result.push({ ...a, step });
  }
  return result;
}

/** Service construct paths grouped by dependency level (a level needs only earlier ones), each sorted. */
function serviceLevels(stack: StackGraph): string[][] {
  const services = [...new Set(stack.resources.filter((r) => r.kind === 'container').map((r) => r.source))].sort(cmp);
  const deps = new Map(services.map((s) => [s, new Set<string>()]));
  const byId = new Map(stack.resources.map((r) => [r.id, r]));
  for (const r of stack.resources) {
    if (r.kind !== 'container') continue;
    for (const d of r.dependsOn) {
      const target = byId.get(d.id);
      if (target?.kind === 'container' && target.source !== r.source) deps.get(r.source)!.add(target.source);
    }
  }
  const level = new Map<string, number>();
  const levelOf = (s: string, seen: Set<string>): number => {
    const known = level.get(s);
    if (known !== undefined) return known;
    // Synth rejects cycles; if one got here anyway, cut it rather than recurse forever.
    if (seen.has(s)) return 0;
    seen.add(s);
    const value = Math.max(-1, ...[...deps.get(s)!].map((d) => levelOf(d, seen))) + 1;
    level.set(s, value);
    return value;
  };
  const levels: string[][] = [];
  for (const s of services) (levels[levelOf(s, new Set())] ??= []).push(s);
  return levels.filter((l) => l !== undefined).map((l) => l.sort(cmp));
}
