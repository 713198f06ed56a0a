import type { ContainerSpec } from '../graph/graph-document';
import type { CarriedVolume } from './container-create';
import { secretDirectories } from './secret-files';

/** A mount as the engine's container inspect lists it. */
export interface InspectedMount {
  readonly Type?: string;
  readonly Name?: string;
  readonly Destination?: string;
}

/** An anonymous volume's name: the engines name them with 64 hex digits. */
export function isAnonymousVolumeName(name: string): boolean {
  return /^[0-9a-f]{64}$/.test(name);
}

/**
 * The anonymous volumes of a container that hold data for paths its image declares with
 * VOLUME and its spec does not mount (a database image's data directory used without a
 * named Volume). Pure. These are what a replacement carries over and what destroy keeps.
 */
export function anonymousDataVolumes(mounts: readonly InspectedMount[] | null | undefined, imageVolumes: readonly string[], spec: Pick<ContainerSpec, 'mounts' | 'secrets'> | undefined): CarriedVolume[] {
  const covered = new Set([...(spec?.mounts ?? []).map((m) => m.target), ...(spec ? secretDirectories(spec) : [])]);
  const result: CarriedVolume[] = [];
  for (const m of mounts ?? []) {
    const target = String(m.Destination ?? '');
    const name = String(m.Name ?? '');
    if (m.Type !== 'volume' || !isAnonymousVolumeName(name) || covered.has(target) || !imageVolumes.includes(target)) continue;
    result.push({ volume: name, target });
  }
  return result.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
}

/**
 * What a new container takes over from the one it replaces: for every path the new image
 * declares as a VOLUME that the new spec does not mount, the old container's anonymous
 * volume at that path, if it had one (as Compose does). Pure.
 */
export function volumesToCarry(previousMounts: readonly InspectedMount[] | null | undefined, newImageVolumes: readonly string[], spec: Pick<ContainerSpec, 'mounts' | 'secrets'>): CarriedVolume[] {
  return anonymousDataVolumes(previousMounts, newImageVolumes, spec);
}
