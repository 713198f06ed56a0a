import type { ContainerSpec, EngineKind, NetworkSpec, VolumeSpec } from '../graph/graph-document';
import { resourceKeyOf } from '../graph/resource-id';
import type { EngineDriver } from '../drivers/engine-driver';
import { ImageDefaults, imageDefaultsFrom, normalizeContainer } from './normalize-container';
import { familiarImageReference } from '../values/image-reference';
import { isLockContainer, LOCK_IMAGE } from './host-lock';
import { compareStrings as cmp } from '../values/compare-strings';
import { HELPER_LABEL, LABEL } from './ownership-labels';
import { isRolloutCopy } from './rollout-names';
import { anonymousDataVolumes } from './carried-volumes';
import { readLiveProxyConfig, readProxyServerAddresses } from '../ingress/live-config';
import { INGRESS_CONFIG_ENV } from '../values/ingress-config';
import type { CarriedVolume } from './container-create';

/** A container's run state, from the engine's list answer. */
export interface ContainerRunState {
  /** created, running, paused, restarting, removing, exited or dead. */
  readonly status: string;
  readonly exitCode: number | null;
  readonly health: 'healthy' | 'unhealthy' | 'starting' | null;
}

/** A container that carries this stack's ownership labels. */
export interface ObservedContainer {
  readonly id: string;
  readonly name: string;
  readonly resourceId: string | null;
  readonly specHash: string | null;
  readonly revision: number | null;
  readonly created: string;
  readonly image: string;
  /** Id of the image the container runs (to tell when the reference now points elsewhere). */
  readonly imageId: string;
  readonly state: ContainerRunState;
  /** Normalized config; present when read with `inspect: true`. */
  readonly spec?: ContainerSpec;
  /** The defaults its image supplies, for the planner to normalize desired specs alike. */
  readonly imageDefaults?: ImageDefaults;
  /** A rollout's extra copy (`-hoist-next`, `-hoist-prev`) left by an apply that did not finish. */
  readonly rolloutCopy: boolean;
  /** Its address on each network it is on, by network name; present when read with `inspect: true`. */
  readonly addresses?: Record<string, string>;
  /**
   * An ingress proxy's servers: where it sends each `<backend>/<server>`'s requests; present
   * when read with `inspect: true` and the proxy runs.
   */
  readonly proxyServers?: Record<string, string>;
  /**
   * Anonymous volumes holding data at paths the image declares and the spec does not mount;
   * present when read with `inspect: true`. Replacements carry them over; deletions keep them.
   */
  readonly anonymousVolumes?: CarriedVolume[];
}

export interface ObservedNetwork {
  readonly id: string;
  readonly resourceId: string | null;
  readonly specHash: string | null;
  readonly spec: NetworkSpec;
}

export interface ObservedVolume {
  readonly resourceId: string | null;
  readonly specHash: string | null;
  readonly spec: VolumeSpec;
}

/**
 * An object without the stack's ownership labels that is named like one of the stack's, or
 * that the graph names exactly (an existing volume or network, a container to adopt).
 * Never touched, except a container the graph adopts, on the plan's word.
 */
export interface ForeignObject {
  readonly kind: 'container' | 'network' | 'volume';
  readonly name: string;
  readonly id: string;
}

/** Names of objects not made by Hoist that a stack's graph names exactly, by kind. */
export interface ExistingNames {
  /** Containers its services adopt (`adoptContainer`). */
  readonly container: readonly string[];
  /** Volumes and networks named by `existingName`. */
  readonly volume: readonly string[];
  readonly network: readonly string[];
}

const NO_EXISTING_NAMES: ExistingNames = { container: [], volume: [], network: [] };

/** An image present on the host. */
export interface ObservedImage {
  readonly id: string;
  /** References as the engine lists them, in familiar form (`busybox:latest`). */
  readonly references: string[];
}

/** What runs on one host for one stack. */
export interface ObservedHostState {
  readonly host: string;
  /** The engine that answered: what it can change in place differs (Podman cannot update limits). */
  readonly engine: EngineKind;
  readonly containers: ObservedContainer[];
  readonly images: ObservedImage[];
  readonly networks: ObservedNetwork[];
  readonly volumes: ObservedVolume[];
  readonly foreign: ForeignObject[];
}

/**
 * Reads what a stack owns on a host: one list call each for containers, networks and
 * volumes (owned objects are told by the `hoist.stack` label, foreign ones by the stack's
 * name prefix), then, with `inspect`, the owned containers' and their images' inspect data,
 * all at once over the one connection.
 */
export async function readHostState(client: EngineDriver, stack: string, options: { inspect: boolean; existing?: ExistingNames }): Promise<ObservedHostState> {
  const prefix = `${stack}-`;
  const existing = options.existing ?? NO_EXISTING_NAMES;
  const named = (kind: keyof ExistingNames, name: string) => name.startsWith(prefix) || existing[kind].includes(name);
  // Lock containers carry the stack's label but are not part of it.
  const owned = (labels: Record<string, string> | null | undefined) => labels?.[LABEL.stack] === stack && !isLockContainer(labels);
  // Every read that does not depend on another's answer is in flight at once: the host's
  // round trips, not its answers' size, set how long a plan waits.
  const loggingDriverRead = options.inspect ? client.defaultLogDriver() : undefined;
  // Not awaited until needed; a failure must not go unhandled meanwhile.
  loggingDriverRead?.catch(() => undefined);
  const [containers, networks, volumesAnswer, images] = await Promise.all([
    client.listContainers(),
    client.listNetworks(),
    client.listVolumes(),
    client.listImages(),
  ]);
  const volumes = volumesAnswer;
  const foreign: ForeignObject[] = [];
  for (const c of containers) {
    const name = (c.Names?.[0] ?? '').replace(/^\//, '');
    if (!owned(c.Labels) && !isLockContainer(c.Labels) && !c.Labels?.[HELPER_LABEL] && named('container', name)) foreign.push({ kind: 'container', name, id: c.Id });
  }
  for (const n of networks) if (!owned(n.Labels) && named('network', n.Name)) foreign.push({ kind: 'network', name: n.Name, id: n.Id });
  for (const v of volumes) if (!owned(v.Labels) && !v.Labels?.[HELPER_LABEL] && named('volume', v.Name)) foreign.push({ kind: 'volume', name: v.Name, id: v.Name });

  const ownedNetworks: ObservedNetwork[] = networks.filter((n) => owned(n.Labels)).map((n) => ({
    id: n.Id,
    resourceId: n.Labels?.[LABEL.resource] ?? null,
    specHash: n.Labels?.[LABEL.specHash] ?? null,
    spec: {
      name: n.Name,
      driver: n.Driver,
      internal: n.Internal === true,
      subnet: n.IPAM?.Config?.[0]?.Subnet ?? null,
      labels: userLabels(n.Labels),
    },
  }));
  const ownedVolumes: ObservedVolume[] = volumes.filter((v) => owned(v.Labels)).map((v) => ({
    resourceId: v.Labels?.[LABEL.resource] ?? null,
    specHash: v.Labels?.[LABEL.specHash] ?? null,
    spec: { name: v.Name, driver: v.Driver, options: { ...(v.Options ?? {}) }, labels: userLabels(v.Labels) },
  }));

  const ownedContainers = containers.filter((c) => owned(c.Labels));
  let details: { spec: ContainerSpec; imageDefaults: ImageDefaults; anonymousVolumes: CarriedVolume[]; addresses: Record<string, string>; proxyServers?: Record<string, string> }[] | undefined;
  if (options.inspect && ownedContainers.length > 0) {
    const loggingDriver = await loggingDriverRead!;
    const networkResources = new Map(ownedNetworks.filter((n) => n.resourceId).map((n) => [n.spec.name, resourceKeyOf(n.resourceId!)]));
    // Existing networks the graph names carry no labels, so no resource key; attachments to
    // them are the stack's all the same (containers are compared by engine names).
    for (const name of existing.network) if (!networkResources.has(name)) networkResources.set(name, '');
    const volumeResources = new Map(ownedVolumes.filter((v) => v.resourceId).map((v) => [v.spec.name, resourceKeyOf(v.resourceId!)]));
    // The list names each container's image, so the images are inspected beside the containers;
    // an image the list did not name (replaced between the two reads) is inspected after.
    const imageDefaultsOf = async (id: string) => [id, imageDefaultsFrom(await client.inspectImage(id) as Record<string, any>)] as const;
    const [inspects, listedImages] = await Promise.all([
      Promise.all(ownedContainers.map((c) => client.inspectContainer(c.Id))),
      Promise.all([...new Set(ownedContainers.map((c) => c.ImageID).filter(Boolean))].map(imageDefaultsOf)),
    ]);
    const images = new Map(listedImages);
    const unlisted = [...new Set(inspects.map((i) => i.Image))].filter((id) => !images.has(id));
    for (const [id, defaults] of await Promise.all(unlisted.map(imageDefaultsOf))) images.set(id, defaults);
    details = await Promise.all(inspects.map(async (inspect) => {
      const imageDefaults = images.get(inspect.Image)!;
      let spec = normalizeContainer(inspect as unknown as Record<string, any>, imageDefaults, { profile: client.profile, loggingDriver, networkResources, volumeResources });
      // An ingress proxy serves the configuration in its file, which a reload may have
      // replaced since the container was created with the one in its environment.
      let proxyServers: Record<string, string> | undefined;
      if (spec.env[INGRESS_CONFIG_ENV] !== undefined && inspect.State.Running) {
        const [live, servers] = await Promise.all([readLiveProxyConfig(client, inspect.Id), readProxyServerAddresses(client, inspect.Id)]);
        if (live !== undefined) spec = { ...spec, env: { ...spec.env, [INGRESS_CONFIG_ENV]: live } };
        proxyServers = servers;
      }
      const addresses: Record<string, string> = {};
      for (const [network, endpoint] of Object.entries(inspect.NetworkSettings?.Networks ?? {})) {
        const ip = (endpoint as { IPAddress?: string } | null)?.IPAddress;
        if (ip) addresses[network] = ip;
      }
      return { imageDefaults, spec, addresses, ...(proxyServers ? { proxyServers } : {}), anonymousVolumes: anonymousDataVolumes(inspect.Mounts as never, imageDefaults.volumes, spec) };
    }));
  }
  return {
    host: client.host,
    engine: client.info.kind,
    containers: ownedContainers.map((c, i) => ({
      id: c.Id,
      name: (c.Names?.[0] ?? '').replace(/^\//, ''),
      resourceId: c.Labels?.[LABEL.resource] ?? null,
      specHash: c.Labels?.[LABEL.specHash] ?? null,
      revision: c.Labels?.[LABEL.revision] ? Number(c.Labels[LABEL.revision]) : null,
      created: new Date(Number(c.Created) * 1000).toISOString(),
      image: c.Image,
      imageId: c.ImageID,
      state: runStateOf(c.State, c.Status),
      rolloutCopy: isRolloutCopy((c.Names?.[0] ?? '').replace(/^\//, '')),
      ...(details ? details[i] : {}),
    })).sort((a, b) => cmp(a.name, b.name) || cmp(a.id, b.id)),
    // The lock image appears when a run first locks the host; it is not part of any stack.
    images: images.map((i) => ({ id: i.Id, references: referencesOf(i.RepoTags ?? [], client.profile.localImagePrefix) }))
      .filter((i) => !i.references.includes(familiarImageReference(LOCK_IMAGE)))
      .sort((a, b) => cmp(a.id, b.id)),
    // Engines list in no fixed order; the observation is fingerprinted, so it must be canonical.
    networks: ownedNetworks.sort((a, b) => cmp(a.spec.name, b.spec.name) || cmp(a.id, b.id)),
    volumes: ownedVolumes.sort((a, b) => cmp(a.spec.name, b.spec.name)),
    foreign: foreign.sort((a, b) => cmp(a.kind, b.kind) || cmp(a.name, b.name) || cmp(a.id, b.id)),
  };
}

/** Status text such as "Up 3 minutes (healthy)" or "Exited (137) 2 hours ago" -> structured state. */
export function runStateOf(state: string, status: string): ContainerRunState {
  const exit = /(?:Exited|Restarting) \((-?\d+)\)/.exec(status ?? '');
  const health = /\((healthy|unhealthy)\)|\(health: starting\)|\(starting\)/.exec(status ?? '');
  return {
    status: String(state ?? 'unknown').toLowerCase(),
    exitCode: exit ? Number(exit[1]) : null,
    health: health ? ((health[1] as 'healthy' | 'unhealthy') ?? 'starting') : null,
  };
}

/**
 * An image's references in familiar form. An engine with a local prefix (Podman's
 * `localhost/`) stores a name without a registry under it and finds it again by the bare
 * name, so both forms are listed.
 */
function referencesOf(tags: readonly string[], localPrefix: string | null): string[] {
  const references = new Set<string>();
  for (const tag of tags) {
    if (tag === '<none>:<none>') continue;
    const familiar = familiarImageReference(tag);
    references.add(familiar);
    if (localPrefix !== null && familiar.startsWith(localPrefix)) references.add(familiar.slice(localPrefix.length));
  }
  return [...references].sort();
}

/** Every layer (uncompressed digest) the host's images have, sorted: what need not be sent to it. */
export async function readHostLayers(client: EngineDriver): Promise<string[]> {
  const images = await client.listImages();
  const inspects = await Promise.all(images.map((i) => client.inspectImage(i.Id).catch(() => null)));
  const layers = new Set<string>();
  for (const inspect of inspects) for (const layer of inspect?.RootFS?.Layers ?? []) layers.add(layer);
  return [...layers].sort();
}

function userLabels(labels: Record<string, string> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => !k.startsWith('hoist.')));
}
