import { gunzipSync, gzipSync } from 'node:zlib';
import type { ImageResource } from '../graph/graph-document';
import { contentTag } from '../images/build-context';
import { resourceKeyOf } from '../graph/resource-id';
import type { EngineDriver } from '../drivers/engine-driver';
import { isNotFound } from '../drivers/engine-error';
import type { ImageInspect } from '../drivers/engine-objects';
import { compareStrings as cmp } from '../values/compare-strings';

/**
 * Labels Hoist puts on the images it builds. They are not the container ownership labels
 * (`hoist.stack`...): an image's labels show up on every container made from it, and a
 * container someone starts by hand from a Hoist image must not look like one of the stack's.
 */
export const IMAGE_LABEL = {
  stack: 'hoist.image.stack',
  /** The image resource key, `image:<stack path>/<name>`. */
  key: 'hoist.image.key',
  identity: 'hoist.image.identity',
  /** The build's inputs (gzip + base64 JSON), so the next plan can name what changed. */
  inputs: 'hoist.image.inputs',
} as const;

/** One layer of an image: its uncompressed digest and, when the engine tells, its size. */
export interface ObservedLayer {
  readonly diffId: string;
  /** Uncompressed bytes; null when the engine's history does not let Hoist tell. */
  readonly size: number | null;
}

/** What a builder holds of one image the stack builds there. */
export interface ObservedBuild {
  /** Image resource key. */
  readonly image: string;
  /** `<repository>:<content tag>` */
  readonly reference: string;
  /** The build with this identity, when the builder has it. */
  readonly built: { readonly id: string; readonly layers: ObservedLayer[] } | null;
  /** Inputs of the newest other build of this image on the builder, to say what changed. */
  readonly previousInputs: Record<string, string> | null;
}

/** The images a builder builds for a stack: their graph resources, one per image key. */
export function buildsOn(builder: string, resources: readonly ImageResource[]): ImageResource[] {
  const seen = new Map<string, ImageResource>();
  for (const r of resources) {
    if (r.spec.source !== 'build' || r.policy?.builder !== builder) continue;
    const key = resourceKeyOf(r.id);
    if (!seen.has(key)) seen.set(key, r);
  }
  return [...seen.values()].sort((a, b) => cmp(a.id, b.id));
}

/** The reference containers run a built image by. */
export function builtReference(resource: ImageResource): string {
  if (resource.spec.source !== 'build') return resource.spec.reference;
  return `${resource.spec.repository}:${contentTag(resource.spec.identity)}`;
}

/** Reads, on a builder, whether each image is built with its current identity, with its layers. */
export async function readBuildState(client: EngineDriver, images: readonly ImageResource[]): Promise<ObservedBuild[]> {
  return Promise.all(images.map(async (resource): Promise<ObservedBuild> => {
    const key = resourceKeyOf(resource.id);
    const reference = builtReference(resource);
    const built = await inspectBuilt(client, reference);
    let previousInputs: Record<string, string> | null = null;
    if (!built) {
      const others = await client.listImages({ label: [`${IMAGE_LABEL.key}=${key}`] });
      const newest = [...others].sort((a, b) => b.Created - a.Created || cmp(a.Id, b.Id))[0];
      if (newest) previousInputs = decodeInputs(newest.Labels?.[IMAGE_LABEL.inputs]);
    }
    return { image: key, reference, built, previousInputs };
  }));
}

async function inspectBuilt(client: EngineDriver, reference: string): Promise<ObservedBuild['built']> {
  let inspect: ImageInspect;
  try {
    inspect = await client.inspectImage(reference);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
  const diffIds = inspect.RootFS?.Layers ?? [];
  const history = await client.imageHistory(reference);
  const sizes = layerSizes(diffIds.length, [...history].reverse());
  return { id: inspect.Id, layers: diffIds.map((diffId, i) => ({ diffId, size: sizes?.[i] ?? null })) };
}

/**
 * Layer sizes from an image's history (oldest first). The engines do not say which history
 * entries made a layer; metadata instructions (`#(nop) ENV ...`, but not COPY or ADD) make
 * none, everything else one. When that count does not match the layers, the sizes are unknown.
 */
export function layerSizes(layers: number, history: readonly { CreatedBy?: string; Size?: number }[]): number[] | null {
  const makesLayer = (h: { CreatedBy?: string; Size?: number }) => {
    const by = h.CreatedBy ?? '';
    if ((h.Size ?? 0) > 0) return true;
    const nop = /#\(nop\)\s*(\w+)/.exec(by);
    return !nop || /^(COPY|ADD)$/i.test(nop[1]);
  };
  for (const rule of [makesLayer, (h: { Size?: number }) => (h.Size ?? 0) > 0]) {
    const chosen = history.filter(rule);
    if (chosen.length === layers) return chosen.map((h) => Math.max(0, h.Size ?? 0));
  }
  return null;
}

/** The inputs label's value for a build. */
export function encodeInputs(inputs: Record<string, string>): string {
  return gzipSync(Buffer.from(JSON.stringify(inputs), 'utf8')).toString('base64');
}

function decodeInputs(value: string | undefined): Record<string, string> | null {
  if (!value) return null;
  try {
    return JSON.parse(gunzipSync(Buffer.from(value, 'base64')).toString('utf8')) as Record<string, string>;
  } catch {
    return null;
  }
}
