import type { ImageResource, StackGraph } from '../graph/graph-document';
import type { EngineDriver } from '../drivers/engine-driver';
import { ignoreNotFound } from '../drivers/engine-error';
import { IMAGE_LABEL } from './read-build-state';
import { resourceKeyOf } from '../graph/resource-id';
import { compareStrings as cmp } from '../values/compare-strings';

/** One image version Hoist built that a host keeps or removes. */
export interface PrunableImage {
  readonly host: string;
  readonly image: string;
  readonly id: string;
  readonly references: string[];
  readonly created: string;
}

/**
 * The versions of a stack's built images a host holds beyond what it keeps: per image, the
 * newest `keepVersions` (newest by build time) plus any version a container still uses
 * (running or not, of any stack). Only images with Hoist's image labels for this stack are
 * ever considered.
 */
export async function imagesToPrune(client: EngineDriver, stack: StackGraph, keepDefault = 3): Promise<PrunableImage[]> {
  const keep = new Map<string, number>();
  for (const r of stack.resources) {
    if (r.kind === 'image' && (r as ImageResource).policy) keep.set(resourceKeyOf(r.id), (r as ImageResource).policy!.keepVersions);
  }
  const [images, containers] = await Promise.all([
    client.listImages({ label: [`${IMAGE_LABEL.stack}=${stack.name}`] }),
    client.listContainers(),
  ]);
  const inUse = new Set(containers.map((c) => c.ImageID));
  const byImage = new Map<string, typeof images>();
  for (const image of images) {
    const key = image.Labels?.[IMAGE_LABEL.key];
    if (!key || image.Labels?.[IMAGE_LABEL.stack] !== stack.name) continue;
    byImage.set(key, [...(byImage.get(key) ?? []), image]);
  }
  const prune: PrunableImage[] = [];
  for (const [key, versions] of [...byImage].sort(([a], [b]) => cmp(a, b))) {
    // An image no longer in the graph keeps the default number, so a rollback can still find it.
    const limit = keep.get(key) ?? keepDefault;
    const newestFirst = [...versions].sort((a, b) => b.Created - a.Created || cmp(a.Id, b.Id));
    newestFirst.forEach((image, index) => {
      if (index < limit || inUse.has(image.Id)) return;
      prune.push({ host: client.host, image: key, id: image.Id, references: (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>'), created: new Date(image.Created * 1000).toISOString() });
    });
  }
  return prune;
}

/** Removes the given image versions (by id, untagging every name); one still in use or gone is skipped. */
export async function removeImages(client: EngineDriver, images: readonly PrunableImage[]): Promise<{ removed: PrunableImage[]; skipped: { image: PrunableImage; reason: string }[] }> {
  const removed: PrunableImage[] = [];
  const skipped: { image: PrunableImage; reason: string }[] = [];
  for (const image of images) {
    try {
      // Untag each name first: removing by id refuses an image with several names.
      for (const reference of image.references) await client.removeImage(reference).catch(ignoreNotFound);
      await client.removeImage(image.id).catch(ignoreNotFound);
      removed.push(image);
    } catch (error) {
      skipped.push({ image, reason: (error as Error).message.split('\n')[0] });
    }
  }
  return { removed, skipped };
}
