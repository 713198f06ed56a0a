/**
 * Names of the extra containers a replacement makes. While a service rolls out, the new
 * container starts under `<name>-hoist-next` (start-first), and the previous one is parked,
 * stopped, under `<name>-hoist-prev` until the whole service is through, so a failing later
 * batch can bring it back without pulling or rebuilding anything. Both carry the resource's
 * ownership labels; after a crash the next plan sees them by these names and removes them.
 */
export const NEXT_SUFFIX = '-hoist-next';
export const PREVIOUS_SUFFIX = '-hoist-prev';

export function nextName(name: string): string {
  return `${name}${NEXT_SUFFIX}`;
}

export function previousName(name: string): string {
  return `${name}${PREVIOUS_SUFFIX}`;
}

/** Whether a container name is one of a rollout's extra copies. */
export function isRolloutCopy(name: string): boolean {
  return name.endsWith(NEXT_SUFFIX) || name.endsWith(PREVIOUS_SUFFIX);
}
