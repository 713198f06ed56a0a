import type { ImageResource, ImageDeliverySpec } from '../../graph/graph-document';
import type { EngineDriver, RegistryAuth } from '../../drivers/engine-driver';
import { builtReference } from '../../engine/read-build-state';
import { resourceKeyOf } from '../../graph/resource-id';
import { readHostLayers } from '../../engine/read-host-state';
import { archiveForHost, type SpooledImage, spoolImageArchive } from '../../images/image-archive';
import { parseImageReference } from '../../values/image-reference';
import { pullImage } from './pull-image';
import { progressError } from '../../drivers/engine-api/follow-progress';
import { EngineError } from '../../drivers/engine-error';

/** What delivering a built image to a host sent. */
export interface ImageSent {
  readonly mode: 'direct' | 'registry';
  /** Direct: bytes of the archive sent to the host. */
  readonly bytes: number | null;
  /** Direct: layers whose bytes were sent, of the image's total. */
  readonly layers: number | null;
  readonly totalLayers: number;
}

type RegistryDelivery = Extract<ImageDeliverySpec, { mode: 'registry' }>;

/** The secrets of an apply's images (build secrets, registry passwords) by secret key; read and checked before anything changes. */
export type ImageSecretValues = ReadonlyMap<string, Buffer>;

/**
 * Gets built images from their builders to the hosts, for one apply. Direct: the image is
 * read from the builder once (and its digests checked), then each host is sent an archive
 * holding only the layers it lacks, and the result is checked by image id. Registry: the
 * builder pushes once, each host pulls by digest and tags the image with its content tag.
 */
export class ImageShipping {
  private readonly spools = new Map<string, Promise<SpooledImage>>();
  private readonly pushes = new Map<string, Promise<{ digest: string; id: string }>>();

  constructor(
    private readonly clients: ReadonlyMap<string, EngineDriver>,
    private readonly passwords: ImageSecretValues,
  ) {}

  /** Sends one built image to one host; returns what went over the wire. */
  public async deliver(resource: ImageResource, host: EngineDriver, progress: (message: string) => void): Promise<ImageSent> {
    const policy = resource.policy!;
    const builder = this.clients.get(policy.builder);
    if (!builder) throw new Error(`no connection to the builder ${policy.builder}`);
    const reference = builtReference(resource);
    if (policy.delivery.mode === 'registry') return this.deliverThroughRegistry(resource, policy.delivery, builder, host, progress);

    const spool = await this.spool(resourceKeyOf(resource.id), builder, reference, progress);
    // Read now rather than taken from the plan: what the host lacks decides what it must get.
    const present = new Set(await readHostLayers(host));
    const archive = archiveForHost(spool, present);
    progress(`sending ${archive.layersSent} of ${spool.layers.length} layers`);
    let failure: string | undefined;
    await host.loadImage(archive.stream, `loading ${reference} on ${host.host}`, {
      onEvent: (event) => {
        failure ??= progressError(event) ?? (typeof event.cause === 'string' && event.cause && typeof event.message === 'string' ? event.message : undefined);
      },
    });
    if (failure) throw new Error(`loading ${reference} on ${host.host} failed: ${failure}`);
    await checkArrived(host, reference, spool.id);
    return { mode: 'direct', bytes: await archive.bytes, layers: archive.layersSent, totalLayers: spool.layers.length };
  }

  /** Removes the local copies of images read from builders. */
  public dispose(): void {
    for (const spool of this.spools.values()) spool.then((s) => s.dispose(), () => undefined);
    this.spools.clear();
  }

  private spool(key: string, builder: EngineDriver, reference: string, progress: (message: string) => void): Promise<SpooledImage> {
    let spool = this.spools.get(key);
    if (!spool) {
      spool = (async () => {
        const id = await builtImageId(builder, reference);
        progress(`reading the image from ${builder.host}`);
        return spoolImageArchive(await builder.saveImage(reference), id, builder.host);
      })();
      this.spools.set(key, spool);
    }
    return spool;
  }

  private async deliverThroughRegistry(resource: ImageResource, delivery: RegistryDelivery, builder: EngineDriver, host: EngineDriver, progress: (message: string) => void): Promise<ImageSent> {
    const reference = builtReference(resource);
    const tag = reference.slice(reference.lastIndexOf(':') + 1);
    const auth = this.authFor(delivery);
    const pushed = await this.push(resourceKeyOf(resource.id), delivery, builder, reference, tag, auth, progress);
    const byDigest = `${delivery.repository}@${pushed.digest}`;
    await pullImage(host, byDigest, progress, auth);
    // Containers run the image by its content tag, whatever the delivery.
    const repository = reference.slice(0, reference.lastIndexOf(':'));
    await host.tagImage(byDigest, repository, tag);
    await checkArrived(host, reference, pushed.id);
    const layers = (await host.inspectImage(reference)).RootFS?.Layers?.length ?? 0;
    return { mode: 'registry', bytes: null, layers: null, totalLayers: layers };
  }

  private push(key: string, delivery: RegistryDelivery, builder: EngineDriver, reference: string, tag: string, auth: RegistryAuth | undefined, progress: (message: string) => void): Promise<{ digest: string; id: string }> {
    let push = this.pushes.get(key);
    if (!push) {
      push = (async () => {
        const id = await builtImageId(builder, reference);
        const target = `${delivery.repository}:${tag}`;
        await builder.tagImage(reference, delivery.repository, tag);
        progress(`pushing ${target} from ${builder.host}`);
        let failure: string | undefined;
        let digest: string | undefined;
        // Docker Engine wants the auth header even for an open registry: the driver sends an empty one then.
        await builder.pushImage(target, auth, `pushing ${target} from ${builder.host}`, {
          onEvent: (event) => {
            failure ??= progressError(event);
            const aux = event.aux as { Digest?: unknown } | undefined;
            digest ??= typeof aux?.Digest === 'string' && aux.Digest ? aux.Digest
              : /digest: (sha256:[0-9a-f]{64})/.exec(typeof event.status === 'string' ? event.status : '')?.[1];
          },
        }).catch((error: Error) => {
          throw error instanceof EngineError ? new Error(`pushing ${target} from ${builder.host} failed: ${error.message}`) : error;
        });
        if (failure) throw new Error(`pushing ${target} from ${builder.host} failed: ${failure}`);
        if (!digest) throw new Error(`pushing ${target} from ${builder.host}: the engine did not report the pushed digest`);
        return { digest, id };
      })();
      this.pushes.set(key, push);
    }
    return push;
  }

  /** The engine's auth header content; the password goes nowhere else. */
  private authFor(delivery: RegistryDelivery): RegistryAuth | undefined {
    if (!delivery.password || delivery.username === null) return undefined;
    const password = this.passwords.get(delivery.password.secret);
    if (!password) throw new Error(`the registry password ${delivery.password.name} was not read before the apply`);
    const parsed = parseImageReference(delivery.repository);
    return { username: delivery.username, password: password.toString('utf8'), serveraddress: parsed.ok ? parsed.reference.domain : undefined };
  }
}

/** The id of the built image on its builder; it must be there (built by this apply or an earlier one). */
async function builtImageId(builder: EngineDriver, reference: string): Promise<string> {
  const built = await builder.inspectImage(reference).catch(() => null);
  if (!built) throw new Error(`${reference} is not on its builder ${builder.host}; run hoist apply again to build it`);
  return built.Id;
}

/** The image arrived whole: the engine holds `reference` as exactly the built image. */
async function checkArrived(host: EngineDriver, reference: string, expectedId: string): Promise<void> {
  const arrived = await host.inspectImage(reference).catch(() => null);
  if (!arrived) throw new Error(`${reference} is not on ${host.host} after loading it`);
  if (arrived.Id !== expectedId) throw new Error(`${reference} on ${host.host} is image ${arrived.Id}, not the built ${expectedId}`);
}
