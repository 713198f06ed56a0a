import type { ResourceKind } from './graph-document';

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
