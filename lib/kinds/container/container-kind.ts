import { removeOwnedContainer } from '../../engine/remove-container';
import type { ObservedContainer } from '../../engine/read-host-state';
import { nextName, previousName } from '../../engine/rollout-names';
import type { ContainerResource, StackGraph } from '../../graph/graph-document';
import { specHash } from '../../graph/spec-hash';
import { familiarImageReference } from '../../values/image-reference';
import type { HostPlanning, ParkedVersion, ResourceKindDefinition } from '../kind-definition';
import type { Cause, PlannedAnonymousVolume } from '../planned-action';
import { movedObject } from '../moved-object';
import { compareContainer, updatableInPlace } from './compare-container';
import { registerReplica, registerUpstreams } from './traffic-switch';
import { reloadProxy } from '../../ingress/live-config';
import { INGRESS_CONFIG_ENV } from '../../values/ingress-config';
import {
  adoptStopFirst, type AdoptedContainer, type ContainerTarget, createContainer, discardPrevious, type ParkedPrevious, replaceStartFirst, replaceStopFirst,
  restorePrevious, updateContainer,
} from './container-steps';

/**
 * One replica of a service. It is updated in place when only live-updatable fields differ,
 * replaced (start-first or stop-first, in the service's batches) when anything else does, when
 * its image reference now names other content, when something it depends on is replaced or
 * when it was never started; restarted when it stopped on its own. Rollout copies a killed
 * run left are removed; so are replicas that left the graph, keeping their anonymous data
 * volumes unless volumes are to be deleted.
 */
export const containerKind: ResourceKindDefinition<ContainerResource> = {
  kind: 'container',
  deletionOrder: 1,

  planWanted(wanted, planning) {
    const { state, stack } = planning;
    const observed = new Map(state.containers.filter((c) => c.resourceId && !c.rolloutCopy).map((c) => [c.resourceId!, c]));
    for (const want of wanted) {
      const have = observed.get(want.id);
      const base = { host: planning.host, kind: 'container' as const, resource: want.id, name: want.spec.name, service: want.spec.service, phase: 'service' as const };
      // A rollout puts the new or the old version under these names: they must be free of foreign objects too.
      const foreignCopy = [nextName(want.spec.name), previousName(want.spec.name)].find((n) => planning.isForeign('container', n));
      if (!have) {
        const moved = movedObject(state.containers.filter((c) => !c.rolloutCopy), (c) => c.name, { id: want.id, name: want.spec.name }, planning);
        if (moved) {
          // Replacing it would need the old construct's labels at every step; refuse in the plan
          // rather than fail halfway through an apply.
          planning.conflict('container', want.spec.name, `container ${want.spec.name} on ${planning.host} belongs to ${moved.resourceId}, which left the graph, and ${want.id} needs its name (its construct moved or was renamed): Hoist cannot move a container yet; remove the old one first (hoist destroy removes the stack's containers and keeps its volumes), or keep the construct path`);
          continue;
        }
        const adopted = adoptedContainer(want, planning);
        if (planning.isForeign('container', want.spec.name) && adopted?.name !== want.spec.name) planning.clash('container', want.spec.name);
        else if (foreignCopy) planning.clash('container', foreignCopy);
        else if (adopted) planning.add({ ...base, action: 'replace', order: 'stop-first', causes: [{ type: 'adopt', container: adopted.name, id: adopted.id }] });
        else planning.add({ ...base, action: 'create', causes: [{ type: 'missing' }] });
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
        if (planning.isReplaced(dependency.id)) causes.push({ type: 'dependency-replaced', dependency: dependency.id });
      }
      causes.push(...staleUpstreams(want, have, observed, planning));
      // A container that was created but never started may be half made (a run killed before
      // its secret files were written or its networks connected): only a new one is trusted.
      const neverStarted = have.state.status === 'created';
      if (neverStarted) causes.push({ type: 'not-running', state: have.state.status, exitCode: have.state.exitCode });
      // A proxy whose configuration alone changed reloads it in place, on every engine.
      const reloadable = differences.length > 0 && differences.every((d) => d.field === PROXY_CONFIG_FIELD);
      const mustReplace = neverStarted || causes.some((c) => c.type === 'image-content' || c.type === 'dependency-replaced') || (differences.length > 0 && !reloadable && !updatableInPlace(differences, state.engine));
      if (!mustReplace && !neverStarted && have.state.status !== 'running' && !completedOnPurpose(stack, want, have.state)) {
        causes.push({ type: 'not-running', state: have.state.status, exitCode: have.state.exitCode });
      }
      if (causes.length === 0) continue;
      if (mustReplace && foreignCopy) {
        planning.clash('container', foreignCopy);
        continue;
      }
      planning.add(mustReplace
        ? { ...base, action: 'replace', order: want.policy.update.order, causes, ...anonymousVolumes(have, true) }
        : { ...base, action: 'update', causes });
    }
  },

  planUnwanted(wantedIds, planning) {
    for (const c of planning.state.containers) {
      if (c.rolloutCopy) {
        // Its data volumes are the live version's too: always kept.
        planning.add({ host: planning.host, kind: 'container', resource: c.resourceId ?? c.name, name: c.name, action: 'delete', causes: [{ type: 'rollout-leftover' }], phase: 'delete', ...anonymousVolumes(c, true) });
        continue;
      }
      if (c.resourceId && !wantedIds.has(c.resourceId)) {
        const volumes = anonymousVolumes(c, !planning.deleteVolumes);
        planning.add({
          host: planning.host, kind: 'container', resource: c.resourceId, name: c.name, action: 'delete', causes: [{ type: 'removed-from-graph' }], phase: 'delete',
          ...volumes, ...(volumes.anonymousVolumes && planning.deleteVolumes ? { dataLoss: true } : {}),
        });
      }
    }
  },

  failureAction(action, stack) {
    if (action.action !== 'replace') return 'pause';
    return containerOf(stack, action.resource)?.policy.update.failureAction ?? 'pause';
  },

  executor({ stack, revision, secrets }) {
    return {
      async execute(action, client) {
        if (action.action === 'delete') {
          // Anonymous data volumes go only where the plan said so (destroy --remove-volumes).
          await removeOwnedContainer(client, action.name, { stack: stack.name, deleteVolumes: (action.anonymousVolumes ?? []).filter((v) => !v.kept).map((v) => v.volume) });
          return {};
        }
        const resource = containerOf(stack, action.resource);
        if (!resource) throw new Error(`${action.resource} is not in the graph`);
        const target: ContainerTarget = {
          client, resource, stack: stack.name, revision, secrets,
          runToCompletion: stack.resources.some((r) => r.dependsOn.some((d) => d.id === resource.id && d.condition === 'completed')),
        };
        // Whatever Hoist (re)started, the proxies on the host learn where it is.
        const routed = async () => {
          await registerReplica(client, resource);
          await registerUpstreams(client, stack, resource);
        };
        if (action.action === 'create') {
          await createContainer(target);
          await routed();
          return {};
        }
        if (action.action === 'update') {
          const isConfig = (c: Cause) => (c.type === 'changed' || c.type === 'drift') && c.field === PROXY_CONFIG_FIELD;
          const isUpstream = (c: Cause) => c.type === 'drift' && c.field.startsWith(UPSTREAM_FIELD_PREFIX);
          // Limits change only when a field differs; a container that merely stopped is started.
          // (Upstream addresses are set again by routed() below, as after any start.)
          await updateContainer(target, action.causes.some((c) => c.type !== 'not-running' && !isConfig(c) && !isUpstream(c)));
          if (action.causes.some(isConfig)) await reloadProxy(client, resource.spec.name, resource.spec.env[INGRESS_CONFIG_ENV]);
          await routed();
          return {};
        }
        if (action.action !== 'replace') throw new Error(`cannot ${action.action} a container`);
        const adopt = action.causes.find((c) => c.type === 'adopt');
        if (adopt) {
          const parked = await adoptStopFirst(target, { name: adopt.container, id: adopt.id });
          await routed();
          return { parked: { host: client.host, name: adopt.container, ...parked } };
        }
        // A start-first replacement switches the proxies' traffic itself (traffic-switch.ts).
        const parked = parkedVersion(await (action.order === 'stop-first' ? replaceStopFirst(target) : replaceStartFirst(target)));
        if (action.order === 'stop-first') await routed();
        else await registerUpstreams(client, stack, resource);
        return { parked };
      },
    };
  },
};

/** The field of an ingress proxy's configuration, as the planner names its difference. */
const PROXY_CONFIG_FIELD = `env.${INGRESS_CONFIG_ENV}`;

/** The field of a proxy's server whose address is not its replica's, as the plan names it. */
const UPSTREAM_FIELD_PREFIX = 'upstreams.';

/**
 * A running proxy's servers that do not point at their replica's current address (the proxy
 * or the replica restarted outside Hoist and the engine's DNS did not carry the new address):
 * drift that an update (which sets the addresses again) repairs. Replicas that are not
 * running are left out: there is nothing to point at. `observed` is the host's containers by
 * resource id, as planWanted has them.
 */
function staleUpstreams(want: ContainerResource, have: ObservedContainer, observed: ReadonlyMap<string, ObservedContainer>, planning: HostPlanning): Cause[] {
  if (!have.proxyServers || have.state.status !== 'running') return [];
  const causes: Cause[] = [];
  for (const replica of planning.stack.resources) {
    if (replica.kind !== 'container' || replica.host !== planning.host) continue;
    for (const upstream of (replica.policy.proxies ?? []).filter((u) => u.proxy === want.spec.name)) {
      const running = observed.get(replica.id);
      const address = running?.state.status === 'running' ? running.addresses?.[upstream.network] : undefined;
      const current = have.proxyServers[`${upstream.backend}/${upstream.server}`];
      if (address === undefined || current === undefined || current === address) continue;
      causes.push({ type: 'drift', field: `${UPSTREAM_FIELD_PREFIX}${upstream.backend}/${upstream.server}`, before: current, after: address });
    }
  }
  return causes;
}

function parkedVersion(previous: ParkedPrevious): ParkedVersion {
  return { host: previous.host, name: previous.name, restore: () => restorePrevious(previous), discard: () => discardPrevious(previous) };
}

/**
 * The container not made by Hoist that this replica adopts on its host: the one its service
 * names in `adoptContainer`, for the service's first replica on the host, if it is there.
 */
function adoptedContainer(want: ContainerResource, planning: HostPlanning): AdoptedContainer | undefined {
  const name = want.policy.adopt;
  if (name === undefined) return undefined;
  const first = planning.stack.resources
    .filter((r): r is ContainerResource => r.kind === 'container' && r.host === planning.host && r.spec.service === want.spec.service)
    .reduce((a, b) => (b.spec.slot < a.spec.slot ? b : a));
  if (first.id !== want.id) return undefined;
  const found = planning.state.foreign.find((f) => f.kind === 'container' && f.name === name);
  return found ? { name: found.name, id: found.id } : undefined;
}

function containerOf(stack: StackGraph, id: string): ContainerResource | undefined {
  return stack.resources.find((r): r is ContainerResource => r.id === id && r.kind === 'container');
}

/** The anonymous data volumes of an observed container as a replacement or deletion treats them. */
function anonymousVolumes(container: ObservedContainer, kept: boolean): { anonymousVolumes?: PlannedAnonymousVolume[] } {
  const volumes = container.anonymousVolumes ?? [];
  return volumes.length ? { anonymousVolumes: volumes.map((v) => ({ path: v.target, volume: v.volume, kept })) } : {};
}

/** An exited container whose service others wait on with "completed" ran to completion on purpose. */
function completedOnPurpose(stack: StackGraph, want: ContainerResource, state: { status: string; exitCode: number | null }): boolean {
  if (state.status !== 'exited' || state.exitCode !== 0) return false;
  return stack.resources.some((r) => r.dependsOn.some((d) => d.id === want.id && d.condition === 'completed'));
}
