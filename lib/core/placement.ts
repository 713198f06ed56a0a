import type { Host } from './host';

/**
 * Where a service's replicas may run. Replicas are spread as evenly as possible over the
 * candidate hosts; which host gets which replica is decided by rendezvous hashing of the
 * service path and host name, so adding a host moves as few replicas as possible and the
 * result never depends on declaration order.
 */
export interface Placement {
  /**
   * Candidate hosts.
   *
   * @default - every host of the stack (or of those with `roles`)
   */
  readonly hosts?: Host[];

  /**
   * Only hosts that have at least one of these roles.
   *
   * @default - no role filter
   */
  readonly roles?: string[];

  /**
   * At most this many replicas on one host.
   *
   * @default - 1 when the service publishes a fixed host port, otherwise unlimited
   */
  readonly maxPerHost?: number;
}
