import type { IConstruct } from 'constructs';
import { Host } from '../core/host';
import { Image } from '../core/image';
import { Inventory } from '../core/inventory';
import { Network } from '../core/network';
import { Secret } from '../core/secret';
import { Service } from '../core/service';
import type { ServiceDefaults } from '../core/service-defaults';
import { Stack } from '../core/stack';
import { Volume } from '../core/volume';
import { checkLintRules } from './check-lint-rules';
import { parseImageReference } from '../values/image-reference';
import type {
  BuildImagePolicy, ImageDeliverySpec, SecretReference, ContainerResource, Dependency, GraphResource, HostSpec, ImageResource, NetworkResource, SecretOrigin, SecretResource, StackGraph, VolumeResource,
} from '../graph/graph-document';
import { resourceId, resourceKey } from '../graph/resource-id';
import { specHash } from '../graph/spec-hash';
import { networkPropsSchema, secretPropsSchema, stackPropsSchema, volumePropsSchema } from './resource-props';
import { zodProblems } from '../schemas/zod-problems';
import { dockerNameProblem, IDENTIFIER_PATTERN } from '../values/docker-name';
import { findCycle } from './find-cycle';
import { placeReplicas } from './place-replicas';
import { compareStrings, Problems } from './problems';
import { projectPath } from './project-path';
import { renderHost } from './render-host';
import { renderImage, RenderedImage } from './render-image';
import { renderService, RenderedService, StackNames } from './render-service';
import { checkPortClashes } from './check-port-clashes';
import { readSecretValue } from '../secrets/read-secret-value';
import { FingerprintKey, fingerprintSecret } from '../secrets/secret-fingerprint';

/** What synthesizing one stack needs from the app. */
export interface StackSynthContext {
  readonly projectDir: string;
  readonly problems: Problems;
  /** Hosts defined outside every stack, usable by all. */
  readonly sharedHosts: Host[];
  /** Loaded only when a secret needs it. */
  fingerprintKey(): FingerprintKey;
}

/**
 * Turns one stack's constructs into its part of the graph: hosts, then services placed on
 * them, then the networks, volumes, images and secrets each placed container needs on its
 * host. Problems go to `ctx.problems`; the result is only used when there are none.
 */
export function synthStack(stack: Stack, ctx: StackSynthContext): StackGraph {
  const { problems, projectDir } = ctx;
  const stackPath = stack.node.path;
  const members = stack.node.findAll().filter((c) => c !== stack && Stack.tryOf(c) === stack);
  const inStack = (c: IConstruct) => Stack.tryOf(c) === stack;

  const stackProps = stackPropsSchema.safeParse(stack._props);
  if (!stackProps.success) problems.addAll(stackPath, zodProblems(stackProps.error));
  const defaults: ServiceDefaults = stackProps.success ? stack.defaults : {};
  const defaultLint = checkLintRules(defaults.lintRules, 'service');
  for (const problem of defaultLint.problems) problems.add(stackPath, `defaults.${problem}`);
  const stackName = stack.stackName;
  // The stack name prefixes engine names (each checked in full below) and labels.
  if (stackProps.success && !IDENTIFIER_PATTERN.test(stackName)) {
    problems.add(stackPath, `stackName: ${JSON.stringify(stackName)} is not a valid stack name (letters, digits, "_", "." or "-", starting with a letter or digit)`);
  }

  for (const inventory of members.filter(Inventory.isInventory)) {
    problems.addAll(inventory.node.path, inventory._problems);
  }

  // Hosts: the stack's own and the app's shared ones.
  const hostSpecs = new Map<Host, HostSpec>();
  const hostsByName = new Map<string, Host>();
  for (const host of [...ctx.sharedHosts, ...members.filter(Host.isHost)]) {
    const rendered = renderHost(host, projectDir);
    problems.addAll(host.node.path, rendered.problems);
    if (!rendered.spec) continue;
    const other = hostsByName.get(rendered.spec.name);
    if (other) {
      problems.add(host.node.path, `hostName: "${rendered.spec.name}" is also the name of ${other.node.path}; host names must be unique`);
      continue;
    }
    hostsByName.set(rendered.spec.name, host);
    hostSpecs.set(host, rendered.spec);
  }

  // Engine names, each unique per kind within the stack.
  const engineNames = new Map<string, string>();
  const claimName = (kind: string, name: string, owner: IConstruct, field: string): string => {
    const full = `${stackName}-${name}`;
    const problem = dockerNameProblem(full);
    if (problem) {
      problems.add(owner.node.path, `${field}: ${problem}`);
    }
    const key = `${kind}:${full}`;
    const earlier = engineNames.get(key);
    if (earlier !== undefined && earlier !== owner.node.path) {
      problems.add(owner.node.path, `${field}: the ${kind} name "${full}" is also used by ${earlier}; give one of them another ${field}`);
    }
    engineNames.set(key, owner.node.path);
    return full;
  };

  const volumes = members.filter(Volume.isVolume);
  const networks = members.filter(Network.isNetwork);
  const secrets = members.filter(Secret.isSecret);
  for (const volume of volumes) {
    const parsed = volumePropsSchema.safeParse(volume._props);
    if (!parsed.success) problems.addAll(volume.node.path, zodProblems(parsed.error));
    else claimName('volume', volume.volumeName, volume, 'volumeName');
  }
  for (const network of networks) {
    const parsed = networkPropsSchema.safeParse(network._props);
    if (!parsed.success) problems.addAll(network.node.path, zodProblems(parsed.error));
    else claimName('network', network.networkName, network, 'networkName');
  }
  const secretFingerprints = new Map<Secret, { fingerprint: string; origin: SecretOrigin }>();
  const secretNames = new Map<string, string>();
  for (const secret of secrets) {
    const parsed = secretPropsSchema.safeParse(secret._props);
    if (!parsed.success) {
      problems.addAll(secret.node.path, zodProblems(parsed.error));
      continue;
    }
    const earlier = secretNames.get(secret.secretName);
    if (earlier) problems.add(secret.node.path, `secretName: "${secret.secretName}" is also the name of ${earlier}`);
    secretNames.set(secret.secretName, secret.node.path);
    const p = parsed.data;
    const origin: SecretOrigin = p.fromEnv !== undefined ? { kind: 'env', variable: p.fromEnv }
      : p.fromFile !== undefined ? { kind: 'file', path: projectPath(projectDir, p.fromFile) }
        : { kind: 'command', argv: [...p.fromCommand!] };
    const value = readSecretValue(origin, projectDir);
    if (!value.ok) {
      problems.add(secret.node.path, `missing secret: ${value.reason}`);
      continue;
    }
    secretFingerprints.set(secret, { fingerprint: fingerprintSecret(ctx.fingerprintKey(), stackName, secret.secretName, value.value), origin });
  }

  const fingerprintsByKey = new Map([...secretFingerprints].map(([secret, known]) => [resourceKey('secret', secret.node.path), known.fingerprint]));

  const names: StackNames = {
    stackName,
    volumeName: (v) => `${stackName}-${v.volumeName}`,
    networkName: (n) => `${stackName}-${n.networkName}`,
  };

  const images = new Map<Image, RenderedImage & { policy?: BuildImagePolicy }>();
  const imageKeys = new Map<string, Image>();
  const builderSpecs = new Map<string, HostSpec>();
  /** A Secret of this stack as images refer to it (fingerprint and origin, never the value); undefined for anything else. */
  const secretReference = (secret: unknown): SecretReference | undefined => {
    if (!Secret.isSecret(secret)) return undefined;
    const known = secretFingerprints.get(secret);
    if (!known) return undefined;
    return { secret: resourceKey('secret', secret.node.path), name: secret.secretName, fingerprint: known.fingerprint, origin: known.origin };
  };
  /** Where and how a built image is built and delivered; problems are reported on the service using it. */
  const buildPolicyOf = (image: Image, user: Service): BuildImagePolicy | undefined => {
    const source = image._source;
    if (source.kind === 'registry') return undefined;
    const options = source.options;
    const path = user.node.path;
    let builder: HostSpec | undefined;
    if (options.builder === undefined) {
      builder = LOCAL_BUILDER;
    } else if (!Host.isHost(options.builder)) {
      problems.add(path, 'image: builder must be a Host');
    } else {
      builder = hostSpecs.get(options.builder);
      if (!builder) {
        const rendered = renderHost(options.builder, projectDir);
        problems.addAll(options.builder.node.path, rendered.problems);
        builder = rendered.spec;
      }
    }
    if (builder) {
      const known = builderSpecs.get(builder.name) ?? (hostsByName.has(builder.name) && hostSpecs.get(hostsByName.get(builder.name)!));
      if (known && known.source !== builder.source) {
        problems.add(path, `image: builder ${builder.source} is named "${builder.name}" like ${known.source}; give it another hostName`);
      }
      builderSpecs.set(builder.name, builder);
    }
    const { settings: lint, problems: lintProblems } = checkLintRules(options.lintRules, 'image');
    for (const problem of lintProblems) problems.add(path, `image: ${problem}`);
    const keepVersions = options.keepVersions ?? 3;
    if (!Number.isInteger(keepVersions) || keepVersions < 1) problems.add(path, `image: keepVersions: expected a whole number of at least 1 (the running version counts), got ${keepVersions}`);
    let delivery: ImageDeliverySpec = { mode: 'direct' };
    const registry = options.delivery?._registry;
    if (options.delivery !== undefined && options.delivery.mode === 'registry' && registry) {
      const parsed = parseImageReference(registry.repository);
      if (!parsed.ok || parsed.reference.normalized !== `${registry.repository}:latest` || parsed.reference.domain === undefined) {
        problems.add(path, `image: delivery.repository: ${JSON.stringify(registry.repository)} is not a repository with a registry address (like "registry.example.com:5000/shop/web", without a tag)`);
      }
      let password: Extract<ImageDeliverySpec, { mode: 'registry' }>['password'] = null;
      if (registry.password !== undefined) {
        password = secretReference(registry.password) ?? null;
        if (!password) problems.add(path, 'image: delivery.password: must be a Secret defined in this stack (its value is read when pushing and pulling)');
      }
      if ((registry.username === undefined) !== (registry.password === undefined)) {
        problems.add(path, 'image: delivery: set both username and password, or neither (an open registry)');
      }
      delivery = { mode: 'registry', repository: registry.repository, username: registry.username ?? null, password };
    }
    const buildSecrets: SecretReference[] = [];
    for (const secret of options.buildSecrets ?? []) {
      const reference = secretReference(secret);
      if (reference) buildSecrets.push(reference);
      else problems.add(path, 'image: buildSecrets: each must be a Secret defined in this stack (its value is read when building)');
    }
    if (builder && builder.engine === 'podman' && buildSecrets.length) {
      problems.add(path, `image: buildSecrets: the builder ${builder.name} runs Podman, whose API cannot serve build secrets; build on a Docker Engine host`);
    }
    return { builder: builder?.name ?? 'local', delivery, keepVersions, lint, ...(buildSecrets.length ? { buildSecrets } : {}) };
  };
  const renderImageOnce = (image: Image, user: Service): RenderedImage & { policy?: BuildImagePolicy } => {
    let result = images.get(image);
    if (!result) {
      result = renderImage(image, stackPath, projectDir);
      const policy = buildPolicyOf(image, user);
      if (policy) result = { ...result, policy };
      images.set(image, result);
      problems.addAll(user.node.path, result.problems, 'image');
      const other = imageKeys.get(result.key);
      if (other && other.isBuilt) {
        problems.add(user.node.path, `image: another built image of this stack is also named "${result.key.slice(result.key.lastIndexOf('/') + 1)}"; set imageName on one of them`);
      }
      imageKeys.set(result.key, image);
    }
    return result;
  };

  // Services: render, check references, place.
  const services = members.filter(Service.isService).sort((a, b) => compareStrings(a.node.path, b.node.path));
  const rendered = new Map<Service, RenderedService>();
  for (const service of services) {
    const result = renderService(service, { ...defaults, lintRules: defaultLint.settings }, names);
    problems.addAll(service.node.path, result.problems);
    if (!result.rendered) {
      // Still check the image, so its problems show in the same run as the props'.
      if (Image.isImage(service._props.image)) renderImageOnce(service._props.image, service);
      continue;
    }
    claimName('container', `${result.rendered.name}-1`, service, 'serviceName');
    rendered.set(service, result.rendered);
    checkReferences(result.rendered, stack, inStack, problems);
  }

  const edges = new Map<string, string[]>();
  for (const r of rendered.values()) {
    edges.set(r.service.node.path, r.dependencies.map((d) => d.service.node.path));
  }
  const cycle = findCycle(edges);
  if (cycle) {
    problems.add(cycle[0], `dependsOn: dependency cycle ${cycle.join(' -> ')}; break it by removing one dependsOn`);
  }

  // Specs of what containers use, each normalized and hashed once, then placed per host.
  const volumeTemplates = new Map(volumes.map((volume) => [volume, hashedTemplate<VolumeResource>({
    kind: 'volume', source: volume.node.path, dependsOn: [],
    spec: { name: names.volumeName(volume), driver: volume._props.driver ?? 'local', options: { ...(volume._props.options ?? {}) }, labels: {} },
    policy: { retainOnDelete: volume._props.retainOnDelete ?? true },
  })]));
  const networkTemplates = new Map(networks.map((network) => [network, hashedTemplate<NetworkResource>({
    kind: 'network', source: network.node.path, dependsOn: [],
    spec: { name: names.networkName(network), driver: network._props.driver ?? 'bridge', internal: network._props.internalOnly ?? false, subnet: network._props.subnet ?? null, labels: {} },
  })]));
  const secretTemplates = new Map([...secretFingerprints].map(([secret, known]) => [secret, hashedTemplate<SecretResource>({
    kind: 'secret', source: secret.node.path, dependsOn: [],
    spec: { name: secret.secretName, fingerprint: known.fingerprint },
    policy: { origin: known.origin },
  })]));

  const resources = new Map<string, GraphResource>();
  /** Places a shared resource on a host (once) and returns the dependency on it. */
  const placeOn = <T extends GraphResource>(template: Omit<T, 'id' | 'host'>, key: string, host: string): Dependency => {
    const id = `${key}@${host}`;
    if (!resources.has(id)) resources.set(id, { ...template, id, host } as unknown as T);
    return { id, condition: 'exists' };
  };
  const containersOf = new Map<Service, Omit<ContainerResource, 'hash'>[]>();
  const usedHosts = new Set<string>();

  for (const r of rendered.values()) {
    const servicePath = r.service.node.path;
    const image = renderImageOnce(r.props.image, r.service);
    const imageTemplate = hashedTemplate<ImageResource>({ kind: 'image', source: servicePath, dependsOn: [], spec: image.spec, ...(image.policy ? { policy: image.policy } : {}) });
    const candidates = candidateHosts(r, hostSpecs, hostsByName, stack, problems);
    if (!candidates || (r.replicas > 0 && candidates.length === 0)) continue;
    if (r.replicas > candidates.length * r.maxPerHost) {
      const why = r.hasFixedHostPort && r.props.placement?.maxPerHost === undefined
        ? ' (it publishes a fixed host port, so at most one replica fits per host)' : ` (at most ${r.maxPerHost} per host)`;
      problems.add(servicePath, `replicas: cannot place ${r.replicas} replicas on ${candidates.length} host${candidates.length === 1 ? '' : 's'} (${candidates.join(', ')})${why}; add hosts or lower replicas`);
      continue;
    }
    const spec = {
      ...r.template,
      image: { resource: image.key, reference: image.reference },
      secrets: r.template.secrets.map((s) => ({ ...s, fingerprint: fingerprintsByKey.get(s.resource) ?? '' })),
    };
    const placed: Omit<ContainerResource, 'hash'>[] = [];
    for (const { host, slot } of placeReplicas(servicePath, candidates, r.replicas, r.maxPerHost)) {
      usedHosts.add(host);
      const dependsOn = [
        placeOn<ImageResource>(imageTemplate, image.key, host),
        ...r.volumes.map((v) => placeOn<VolumeResource>(volumeTemplates.get(v)!, resourceKey('volume', v.node.path), host)),
        ...r.networks.map((n) => placeOn<NetworkResource>(networkTemplates.get(n)!, resourceKey('network', n.node.path), host)),
        ...r.secrets.filter((x) => secretTemplates.has(x))
          .map((x) => placeOn<SecretResource>(secretTemplates.get(x)!, resourceKey('secret', x.node.path), host)),
      ];
      placed.push({
        id: resourceId('container', servicePath, host, slot),
        kind: 'container',
        host,
        source: servicePath,
        dependsOn,
        spec: { ...spec, name: `${stackName}-${r.name}-${slot}`, slot },
        policy: r.policy,
      });
    }
    containersOf.set(r.service, placed);
  }

  // Containers last: their edges reach the containers of the services they depend on.
  for (const r of rendered.values()) {
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

  return {
    name: stackName,
    path: stackPath,
    hosts: [...hostSpecs.values()].filter((h) => usedHosts.has(h.name)).sort((a, b) => compareStrings(a.name, b.name)),
    builders: [...builderSpecs.values()].filter((h) => !usedHosts.has(h.name)).sort((a, b) => compareStrings(a.name, b.name)),
    resources: [...resources.values()].sort((a, b) => compareStrings(a.id, b.id)),
  };
}

/**
 * The default builder: the engine of the machine running hoist, through its standard socket
 * (like `docker build` without DOCKER_HOST).
 */
const LOCAL_BUILDER: HostSpec = {
  name: 'local', source: '(this machine)', address: 'localhost', port: null, user: null,
  identity: { kind: 'agent', socketEnv: 'SSH_AUTH_SOCK' }, hostKey: { knownHostsFile: null, fingerprint: null },
  engine: 'detect', engineSocket: null, roles: [], labels: {}, arch: null, local: true,
};

/** The names of the hosts a service may be placed on, or undefined after reporting why none. */
function candidateHosts(r: RenderedService, hostSpecs: Map<Host, HostSpec>, hostsByName: Map<string, Host>, stack: Stack, problems: Problems): string[] | undefined {
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
      if (hostSpecs.has(host)) hosts.push(host);
    }
    if (r.candidateHosts.length === 0) {
      problems.add(path, 'placement.hosts: is empty; name at least one host (an inventory select() that matched nothing is reported on the inventory)');
      return undefined;
    }
  } else {
    hosts = [...hostsByName.values()];
  }
  if (r.roles && r.roles.length > 0) {
    hosts = hosts.filter((h) => r.roles!.some((role) => hostSpecs.get(h)!.roles.includes(role)));
  }
  const names = hosts.map((h) => hostSpecs.get(h)!.name).sort(compareStrings);
  if (r.replicas > 0 && names.length === 0) {
    if (hostsByName.size === 0) {
      problems.add(path, 'placement: the stack has no hosts; add a Host or an Inventory to the stack (or to the App)');
    } else {
      problems.add(path, `placement: no host has role ${r.roles!.map((x) => `"${x}"`).join(' or ')} (hosts: ${[...hostsByName.keys()].sort(compareStrings).join(', ')})`);
    }
    return undefined;
  }
  return names;
}

/** Reports references from a service to constructs of another stack. */
function checkReferences(r: RenderedService, stack: Stack, inStack: (c: IConstruct) => boolean, problems: Problems): void {
  const path = r.service.node.path;
  const foreign = (c: IConstruct, field: string, what: string) => {
    if (!inStack(c)) {
      const owner = Stack.tryOf(c);
      problems.add(path, `${field}: ${what} ${c.node.path} belongs to ${owner ? `stack ${owner.node.path}` : 'no stack'}; a service can only use resources of its own stack (${stack.node.path})`);
    }
  };
  r.volumes.forEach((v) => foreign(v, 'mounts', 'volume'));
  r.networks.forEach((n) => foreign(n, 'networks', 'network'));
  r.secrets.forEach((s) => foreign(s, 'secrets', 'secret'));
  r.dependencies.forEach((d) => foreign(d.service, 'dependsOn', 'service'));
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
