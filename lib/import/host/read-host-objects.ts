import type { EngineDriver } from '../../drivers/engine-driver';
import type { ContainerInspect, NetworkSummary, VolumeSummary } from '../../drivers/engine-objects';
import { imageDefaultsFrom, type ImageDefaults } from '../../engine/normalize-container';

/** A container Hoist did not make, with what its inspect and its image's say. */
export interface HostContainer {
  readonly inspect: ContainerInspect;
  readonly imageDefaults: ImageDefaults;
  /** The image's tags, for a container started from an image id. */
  readonly imageTags: readonly string[];
  /** The id of the image the container's reference names now, or null when it names none. */
  readonly referenceImageId: string | null;
}

/** What `hoist import host` reads of a host: the containers, networks and volumes Hoist did not make. */
export interface HostObjects {
  readonly host: string;
  readonly engine: EngineDriver['info']['kind'];
  readonly profile: EngineDriver['profile'];
  /** The engine's default log driver. */
  readonly loggingDriver: string;
  readonly containers: readonly HostContainer[];
  readonly networks: readonly NetworkSummary[];
  readonly volumes: readonly VolumeSummary[];
}

/**
 * Reads every container, network and volume on a host that carries none of Hoist's labels
 * (a stack's objects, locks and helpers all do): the containers inspected with their images.
 * Read only: nothing on the host changes.
 */
export async function readHostObjects(client: EngineDriver): Promise<HostObjects> {
  const notHoist = (labels: Readonly<Record<string, string>> | null | undefined) => !Object.keys(labels ?? {}).some((k) => k.startsWith('hoist.'));
  const [containers, networks, volumes, loggingDriver] = await Promise.all([
    client.listContainers(), client.listNetworks(), client.listVolumes(), client.defaultLogDriver(),
  ]);
  const inspects = await Promise.all(containers.filter((c) => notHoist(c.Labels)).map((c) => client.inspectContainer(c.Id)));
  const images = new Map<string, { defaults: ImageDefaults; tags: string[] }>();
  for (const id of new Set(inspects.map((i) => i.Image))) {
    const image = await client.inspectImage(id) as Record<string, any>;
    images.set(id, { defaults: imageDefaultsFrom(image), tags: [...(image.RepoTags ?? [])].filter((t: string) => t !== '<none>:<none>') });
  }
  const referenceIds = new Map<string, string | null>();
  for (const reference of new Set(inspects.map((i) => String(i.Config.Image ?? '')))) {
    referenceIds.set(reference, await client.inspectImage(reference).then((i) => String((i as { Id?: string }).Id ?? ''), () => null));
  }
  return {
    host: client.host,
    engine: client.info.kind,
    profile: client.profile,
    loggingDriver,
    containers: inspects.map((inspect) => ({
      inspect,
      imageDefaults: images.get(inspect.Image)!.defaults,
      imageTags: images.get(inspect.Image)!.tags,
      referenceImageId: referenceIds.get(String(inspect.Config.Image ?? '')) ?? null,
    })),
    networks: networks.filter((n) => notHoist(n.Labels)),
    volumes: volumes.filter((v) => notHoist(v.Labels)),
  };
}
