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

/**
 * The name a start-first copy takes, once ready, to join its service's network aliases:
 * unique per revision, and still a rollout copy's name. Podman's DNS (the CNI dnsname plugin)
 * files a container's addresses under the name it had when it joined a network, keeps them
 * there when the container is renamed, and when any container leaves removes every address
 * filed under its name: a copy that joined as `-hoist-next` would drop out of its alias as
 * soon as the next rollout's `-hoist-next` left the network.
 */
export function joiningName(name: string, revision: number): string {
  return `${name}-r${revision}${NEXT_SUFFIX}`;
}

/** Whether a container name is one of a rollout's extra copies. */
export function isRolloutCopy(name: string): boolean {
  return name.endsWith(NEXT_SUFFIX) || name.endsWith(PREVIOUS_SUFFIX);
}
