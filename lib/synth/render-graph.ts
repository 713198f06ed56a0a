import type { Service } from '../core/service';
import type {
  ContainerResource, Dependency, GraphResource, ImageResource, NetworkResource, SecretResource, StackGraph, VolumeResource,
} from '../graph/graph-document';
import { resourceId, resourceKey } from '../graph/resource-id';
import { specHash } from '../graph/spec-hash';
import type { StackModel } from './build-model';
import { checkPortClashes } from './check-port-clashes';
import { renderIngressRoutes } from './render-ingress';
import { networkEngineName, volumeEngineName } from './engine-names';
import type { PlacedService } from './place-services';
import { compareStrings, type Problems } from './problems';

/**
 * Synth's last phase: the stack's part of the graph. Each placed replica becomes a container
 * resource; the image, volumes, networks and secrets it uses are placed on its host once
 * each; ingress proxies get their hosts' routes (render-ingress.ts); containers depend on
 * those and on the containers of the services they depend on.
 * Specs are hashed, lists sorted, and port clashes between containers on a host reported.
 */
export function renderGraph(model: StackModel, placed: readonly PlacedService[], problems: Problems): StackGraph {
  const { stackName, stackPath, volumes, networks } = model.validated;

  // Specs of what containers use, each normalized and hashed once, then placed per host.
  const volumeTemplates = new Map(volumes.map((volume) => [volume, hashedTemplate<VolumeResource>({
    kind: 'volume', source: volume.node.path, dependsOn: [],
    spec: { name: volumeEngineName(stackName, volume), driver: volume._props.driver ?? 'local', options: { ...(volume._props.options ?? {}) }, labels: {} },
    policy: { retainOnDelete: volume._props.retainOnDelete ?? true, ...(volume._props.existingName !== undefined ? { existing: true } : {}) },
  })]));
  const networkTemplates = new Map(networks.map((network) => [network, hashedTemplate<NetworkResource>({
    kind: 'network', source: network.node.path, dependsOn: [],
    spec: { name: networkEngineName(stackName, network), driver: network._props.driver ?? 'bridge', internal: network._props.internalOnly ?? false, subnet: network._props.subnet ?? null, labels: {} },
    ...(network._props.existingName !== undefined ? { policy: { existing: true } } : {}),
  })]));
  const secretTemplates = new Map([...model.secrets].map(([secret, known]) => [secret, hashedTemplate<SecretResource>({
    kind: 'secret', source: secret.node.path, dependsOn: [],
    spec: { name: secret.secretName, fingerprint: known.fingerprint },
    policy: { origin: known.origin },
  })]));
  const fingerprintsByKey = new Map([...model.secrets].map(([secret, known]) => [resourceKey('secret', secret.node.path), known.fingerprint]));

  const resources = new Map<string, GraphResource>();
  /** Places a shared resource on a host (once: the first service to use it is its source) and returns the dependency on it. */
  const placeOn = <T extends GraphResource>(template: Omit<T, 'id' | 'host'>, key: string, host: string): Dependency => {
    const id = `${key}@${host}`;
    if (!resources.has(id)) resources.set(id, { ...template, id, host } as unknown as T);
    return { id, condition: 'exists' };
  };
  const containersOf = new Map<Service, Omit<ContainerResource, 'hash'>[]>();
  const usedHosts = new Set<string>();

  for (const { service: { rendered: r, image }, replicas } of placed) {
    const servicePath = r.service.node.path;
    const imageTemplate = hashedTemplate<ImageResource>({ kind: 'image', source: servicePath, dependsOn: [], spec: image.spec, ...(image.policy ? { policy: image.policy } : {}) });
    const spec = {
      ...r.template,
      image: { resource: image.key, reference: image.reference },
      secrets: r.template.secrets.map((s) => ({ ...s, fingerprint: fingerprintsByKey.get(s.resource) ?? '' })),
    };
    const containers: Omit<ContainerResource, 'hash'>[] = [];
    for (const { host, slot } of replicas) {
      usedHosts.add(host);
      const dependsOn = [
        placeOn<ImageResource>(imageTemplate, image.key, host),
        ...r.volumes.map((v) => placeOn<VolumeResource>(volumeTemplates.get(v)!, resourceKey('volume', v.node.path), host)),
        ...r.networks.map((n) => placeOn<NetworkResource>(networkTemplates.get(n)!, resourceKey('network', n.node.path), host)),
        ...r.secrets.filter((x) => secretTemplates.has(x))
          .map((x) => placeOn<SecretResource>(secretTemplates.get(x)!, resourceKey('secret', x.node.path), host)),
      ];
      containers.push({
        id: resourceId('container', servicePath, host, slot),
        kind: 'container',
        host,
        source: servicePath,
        dependsOn,
        spec: { ...spec, name: `${stackName}-${r.name}-${slot}`, slot },
        policy: r.policy,
      });
    }
    containersOf.set(r.service, containers);
  }

  const addresses = new Map([...model.validated.hosts.specs.values()].map((h) => [h.name, h.privateAddress ?? h.address]));
  renderIngressRoutes(placed, containersOf, (ingress) => networkEngineName(stackName, ingress.network), (host) => addresses.get(host), problems);

  // Containers last: their edges reach the containers of the services they depend on.
  for (const { service: { rendered: r } } of placed) {
    for (const container of containersOf.get(r.service) ?? []) {
      const edges: Dependency[] = [...container.dependsOn];
      for (const dependency of r.dependencies) {
        for (const target of containersOf.get(dependency.service) ?? []) {
          edges.push({ id: target.id, condition: dependency.condition });
        }
      }
      resources.set(container.id, { ...container, dependsOn: sortDependencies(edges), hash: specHash(container.spec) });
    }
  }

  checkPortClashes([...resources.values()].filter((x): x is ContainerResource => x.kind === 'container'), problems);

  const hosts = [...model.validated.hosts.specs.values()];
  return {
    name: stackName,
    path: stackPath,
    hosts: hosts.filter((h) => usedHosts.has(h.name)).sort((a, b) => compareStrings(a.name, b.name)),
    builders: [...model.builders.values()].filter((h) => !usedHosts.has(h.name)).sort((a, b) => compareStrings(a.name, b.name)),
    resources: [...resources.values()].sort((a, b) => compareStrings(a.id, b.id)),
  };
}

/** A resource without its id and host, with its spec hashed: the same on every host. */
function hashedTemplate<T extends GraphResource>(template: Omit<T, 'id' | 'host' | 'hash'>): Omit<T, 'id' | 'host'> {
  return { ...template, hash: specHash((template as { spec: unknown }).spec) } as Omit<T, 'id' | 'host'>;
}

/** One edge per target (the first declared wins), sorted by id. */
function sortDependencies(deps: Dependency[]): Dependency[] {
  const seen = new Map<string, Dependency>();
  for (const d of deps) if (!seen.has(d.id)) seen.set(d.id, d);
  return [...seen.values()].sort((a, b) => compareStrings(a.id, b.id));
}
