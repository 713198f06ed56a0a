import type { HostPlanning } from './kind-definition';

/** What a moved object needs to be recognised: its stack labels' resource id and its engine name. */
interface Owned {
  readonly resourceId: string | null;
}

/**
 * The owned object on this host that holds the engine name a wanted resource needs, under the
 * id of a resource the graph no longer wants here: the same thing after its construct moved or
 * was renamed (a service moved into a composite keeps its engine names, not its construct path).
 */
export function movedObject<T extends Owned>(owned: readonly T[], nameOf: (object: T) => string, want: { readonly id: string; readonly name: string }, planning: HostPlanning): T | undefined {
  const wanted = wantedIds(planning);
  return owned.find((o) => o.resourceId !== null && o.resourceId !== want.id && !wanted.has(o.resourceId) && nameOf(o) === want.name);
}

/** Whether an unwanted owned object is the moved object of a wanted resource (so it is neither deleted nor reported as left over). */
export function isMovedTo<T extends Owned>(object: T, owned: readonly T[], nameOf: (object: T) => string, wantedOfKind: readonly { readonly id: string; readonly name: string }[], planning: HostPlanning): boolean {
  return wantedOfKind.some((want) => !owned.some((o) => o.resourceId === want.id) && movedObject(owned, nameOf, want, planning) === object);
}

function wantedIds(planning: HostPlanning): Set<string> {
  return new Set(planning.stack.resources.filter((r) => r.host === planning.host).map((r) => r.id));
}
