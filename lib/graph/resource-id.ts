import type { ResourceKind } from './resource-kind';

/**
 * Resource ids are `<kind>:<construct path>@<host>` (containers add `#<slot>` before the host).
 * They come from construct paths and host names only, so reordering declarations never
 * changes them, and they are readable in plans.
 */
export function resourceKey(kind: ResourceKind, constructPath: string): string {
  return `${kind}:${constructPath}`;
}

export function resourceId(kind: ResourceKind, constructPath: string, host: string, slot?: number): string {
  return `${resourceKey(kind, constructPath)}${slot === undefined ? '' : '#' + slot}@${host}`;
}

/** A resource id without its host: `image:shop/web@h1` -> `image:shop/web` (a resource shared by hosts). */
export function resourceKeyOf(id: string): string {
  const at = id.lastIndexOf('@');
  return at < 0 ? id : id.slice(0, at);
}
