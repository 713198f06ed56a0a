import type { ResourceKind } from '../graph/resource-kind';

/**
 * The vocabulary in which resource kinds tell the planner what to do: actions, their causes,
 * conflicts. The plan document (lib/plan/plan-types.ts) is made of these; they live below the
 * planner so that a kind's own module can speak them without importing the planner.
 */

export type ActionType = 'build' | 'create' | 'update' | 'replace' | 'delete';

/** Why an action is planned. */
export type Cause =
  /** The graph asks for something that does not exist on the host. */
  | { readonly type: 'missing' }
  /** A field differs: in the graph since the object was created, or `drift` when changed outside Hoist. */
  | { readonly type: 'changed' | 'drift'; readonly field: string; readonly before: unknown; readonly after: unknown; readonly sensitive?: boolean }
  /** The container's image reference now names other image content on the host. */
  | { readonly type: 'image-content'; readonly reference: string; readonly before: string; readonly after: string }
  /** Something it depends on (a network, a volume) is replaced. */
  | { readonly type: 'dependency-replaced'; readonly dependency: string }
  /** The container is not running (stopped or exited outside Hoist). */
  | { readonly type: 'not-running'; readonly state: string; readonly exitCode: number | null }
  /** The object is on the host with the stack's labels but no longer in the graph. */
  | { readonly type: 'removed-from-graph' }
  /** A rollout's extra copy (`-hoist-next` / `-hoist-prev`) left by an apply that was killed. */
  | { readonly type: 'rollout-leftover' }
  /**
   * The service adopts a container not made by Hoist (`adoptContainer`): the replacement stops
   * it, starts Hoist's container with its anonymous data volumes, then removes it.
   */
  | { readonly type: 'adopt'; readonly container: string; readonly id: string }
  /** A built image has no build with its inputs: what changed since the last build (empty if none is known). */
  | { readonly type: 'inputs-changed'; readonly changes: string[] };

/** The kinds a plan acts on: every resource kind but secrets, which travel with their containers. */
export type PlannedKind = Exclude<ResourceKind, 'secret'>;

/** One thing apply will do. */
export interface PlannedAction {
  /** Position in the apply order: actions with the same step run together. */
  readonly step: number;
  readonly host: string;
  readonly kind: PlannedKind;
  /** Resource id from the graph (or from the object's labels, for deletions). */
  readonly resource: string;
  /** Engine name of the object. */
  readonly name: string;
  readonly action: ActionType;
  /** For replaced containers: start the new one first, or stop the old one first. */
  readonly order?: 'start-first' | 'stop-first';
  /** For replaced containers: the batch of the service's rollout (1-based). */
  readonly batch?: number;
  readonly service?: string;
  readonly causes: Cause[];
  /** Deleting this loses data (a volume). */
  readonly dataLoss?: boolean;
  /** For a built image sent to a host: how, and how much. */
  readonly delivery?: PlannedDelivery;
  /**
   * For a replaced or deleted container: the anonymous volumes holding data at paths its
   * image declares (VOLUME) and no mount of the spec covers. A replacement carries them over
   * to the new container; a deletion keeps them unless volumes are deleted (`kept: false`).
   */
  readonly anonymousVolumes?: PlannedAnonymousVolume[];
}

/** An anonymous data volume of a container that a replacement or deletion keeps, or deletes. */
export interface PlannedAnonymousVolume {
  /** The path in the container (the image's VOLUME). */
  readonly path: string;
  /** The volume's name on the host. */
  readonly volume: string;
  readonly kept: boolean;
}

/** How a built image reaches a host. */
export interface PlannedDelivery {
  readonly mode: 'direct' | 'registry';
  /** The host that builds it. */
  readonly from: string;
  /** Direct: layers to send of the image's total; null until the image is built. */
  readonly layers: { readonly send: number; readonly total: number } | null;
  /** Direct: uncompressed bytes of the layers to send; null until built, or when the engine cannot tell. */
  readonly bytes: number | null;
}

/** Something that stops the plan from being applied as it is. */
export interface PlanConflict {
  readonly host: string;
  readonly kind: string;
  readonly name: string;
  readonly message: string;
}
