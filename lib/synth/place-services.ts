import type { Host } from '../core/host';
import { Stack } from '../core/stack';
import type { ModelService, StackModel } from './build-model';
import { placeReplicas, type ReplicaPlacement } from './place-replicas';
import { compareStrings, type Problems } from './problems';
import type { RenderedService } from './render-service';
import type { StackHosts } from './validate-props';

/** A service with the host and slot of each of its replicas (none when it has 0 replicas). */
export interface PlacedService {
  readonly service: ModelService;
  readonly replicas: readonly ReplicaPlacement[];
}

/**
 * Synth's placement phase: the hosts each service may run on (its placement's hosts and
 * roles, else every host of the stack), then its replicas spread over them by
 * {@link placeReplicas}. A service that cannot be placed is reported and left out, in the
 * model's order otherwise.
 */
export function placeServices(model: StackModel, problems: Problems): PlacedService[] {
  const placed: PlacedService[] = [];
  for (const service of model.services) {
    const r = service.rendered;
    const candidates = candidateHosts(r, model.validated.hosts, model.validated.stack, problems);
    if (!candidates || (r.replicas > 0 && candidates.length === 0)) continue;
    if (r.replicas > candidates.length * r.maxPerHost) {
      const why = r.hasFixedHostPort && r.props.placement?.maxPerHost === undefined
        ? ' (it publishes a fixed host port, so at most one replica fits per host)' : ` (at most ${r.maxPerHost} per host)`;
      problems.add(r.service.node.path, `replicas: cannot place ${r.replicas} replicas on ${candidates.length} host${candidates.length === 1 ? '' : 's'} (${candidates.join(', ')})${why}; add hosts or lower replicas`);
      continue;
    }
    placed.push({ service, replicas: placeReplicas(r.service.node.path, candidates, r.replicas, r.maxPerHost) });
  }
  return placed;
}

/** The names of the hosts a service may be placed on, or undefined after reporting why none. */
function candidateHosts(r: RenderedService, stackHosts: StackHosts, stack: Stack, problems: Problems): string[] | undefined {
  const { specs, byName } = stackHosts;
  const path = r.service.node.path;
  let hosts: Host[];
  if (r.candidateHosts) {
    hosts = [];
    for (const host of r.candidateHosts) {
      const owner = Stack.tryOf(host);
      if (owner && owner !== stack) {
        problems.add(path, `placement.hosts: host ${host.node.path} belongs to stack ${owner.node.path}; define shared hosts outside any stack (in the App) or in this stack`);
        return undefined;
      }
      if (specs.has(host)) hosts.push(host);
    }
    if (r.candidateHosts.length === 0) {
      problems.add(path, 'placement.hosts: is empty; name at least one host (an inventory select() that matched nothing is reported on the inventory)');
      return undefined;
    }
  } else {
    hosts = [...byName.values()];
  }
  if (r.roles && r.roles.length > 0) {
    hosts = hosts.filter((h) => r.roles!.some((role) => specs.get(h)!.roles.includes(role)));
  }
  const names = hosts.map((h) => specs.get(h)!.name).sort(compareStrings);
  if (r.replicas > 0 && names.length === 0) {
    if (byName.size === 0) {
      problems.add(path, 'placement: the stack has no hosts; add a Host or an Inventory to the stack (or to the App)');
    } else {
      problems.add(path, `placement: no host has role ${r.roles!.map((x) => `"${x}"`).join(' or ')} (hosts: ${[...byName.keys()].sort(compareStrings).join(', ')})`);
    }
    return undefined;
  }
  return names;
}
