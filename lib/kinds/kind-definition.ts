import type { EngineDriver } from '../drivers/engine-driver';
import type { ObservedBuild } from '../engine/read-build-state';
import type { ObservedHostState } from '../engine/read-host-state';
import type { GraphResource, StackGraph } from '../graph/graph-document';
import type { ImageSecretValues, ImageSent } from './image/ship-image';
import type { PlannedAction } from './planned-action';

/**
 * What one kind of graph resource means to the planner and to apply, in one object: how its
 * wanted resources compare with what a host runs (what counts as a change, which changes
 * force a replacement), what happens to its objects that left the graph, what this version
 * refuses to do, and the engine steps of each of its actions. The planner and the executor
 * loop over the registry (resource-kinds.ts) and know no kind by name, except that the
 * `service` phase is ordered by the services' dependencies and update batches.
 *
 * The kind's document half (its type in graph-document.ts and its branch of the graph schema)
 * stays with the graph format, which readers check without knowing any behaviour; its
 * rendering from constructs is synth's.
 */
export interface ResourceKindDefinition<R extends GraphResource = GraphResource> {
  readonly kind: R['kind'];
  /**
   * Where the kind's deletions fall among deletions, lower first (containers go before the
   * networks and volumes they used). Absent: the kind is never deleted on its own.
   */
  readonly deletionOrder?: number;
  /** Plans the resources of this kind that the graph wants on one host. */
  planWanted?(wanted: readonly R[], planning: HostPlanning): void;
  /** Plans this kind's objects on the host that carry the stack's labels but are not wanted. */
  planUnwanted?(wantedIds: ReadonlySet<string>, planning: HostPlanning): void;
  /**
   * Resource keys whose actions go with this resource's when a plan is narrowed to targets
   * (a built image's build goes with its delivery to a host).
   */
  companions?(resource: R): string[];
  /** Why this version cannot carry out an action on this kind, checked before anything changes. */
  refusal?(action: PlannedAction, resource: R | undefined): string | undefined;
  /**
   * What a failed action of this kind asks apply to do with the rest of its service: put the
   * service's already replaced hosts back to their parked versions, or leave them.
   * @default 'pause'
   */
  failureAction?(action: PlannedAction, stack: StackGraph): 'rollback' | 'pause';
  /** The steps of this kind's actions, for one apply. Absent: the kind has no actions. */
  executor?(context: KindApplyContext): KindExecutor;
}

/** Where an action that changes rather than deletes falls in the apply order. */
export type PlanPhase =
  /** Images built on their builders: one step, first. */
  | 'build'
  /** What services need (networks, volumes, images on the hosts): one step. */
  | 'infra'
  /** Containers, by the dependency level of their services, replacements in update batches. */
  | 'service';

/** An action a kind plans, before the planner orders and numbers it. */
export type DraftAction = Omit<PlannedAction, 'step'> & { readonly phase: PlanPhase | 'delete' };

/** What the builders have built and which layers each host has, for built images. */
export interface ImageObservations {
  /** By image resource key (`image:<stack path>/<name>`). */
  readonly builds: ReadonlyMap<string, ObservedBuild>;
  /** By host name; present for hosts a built image may be sent to directly. */
  readonly layers: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * One host of one stack, as a kind plans it. Kinds plan in the order of RESOURCE_KINDS, so a
 * kind can see what an earlier kind replaces (a container whose network is replaced).
 */
export interface HostPlanning {
  readonly stack: StackGraph;
  readonly host: string;
  readonly state: ObservedHostState;
  /** Delete volumes (and anonymous data volumes) that left the graph. */
  readonly deleteVolumes: boolean;
  readonly images: ImageObservations;
  add(action: DraftAction): void;
  /** Something that stops the plan from being applied as it is. */
  conflict(kind: string, name: string, message: string): void;
  /** An owned object that is not in the graph and stays, with why. */
  keep(kind: string, name: string, reason: string): void;
  /** Whether an object of this kind and name exists on the host without the stack's labels. */
  isForeign(kind: string, name: string): boolean;
  /** Records the conflict of a name the graph needs held by a foreign object. */
  clash(kind: string, name: string): void;
  /** Marks a resource as replaced by this plan, for the resources that depend on it. */
  markReplaced(id: string): void;
  isReplaced(id: string): boolean;
  /** True the first time a key is claimed in this stack's plan (a build planned once for all hosts). */
  claimOnce(key: string): boolean;
}

/** Secret values one stack's apply needs, by secret resource key (`secret:<path>`). */
export type SecretValues = ReadonlyMap<string, Buffer>;

/** What every kind's executor gets for one apply of one stack. */
export interface KindApplyContext {
  readonly stack: StackGraph;
  readonly revision: number;
  /** Every host's and builder's engine, by host name. */
  readonly clients: ReadonlyMap<string, EngineDriver>;
  readonly secrets: SecretValues;
  /** Build secrets and registry passwords of the plan's images, by secret key. */
  readonly imageSecrets: ImageSecretValues;
  /** Where build contexts are read from. */
  readonly projectDir: string;
}

/** Carries out one kind's actions within one apply. */
export interface KindExecutor {
  /** Runs one action on the host's engine; reports progress through `progress`. */
  execute(action: PlannedAction, client: EngineDriver, progress: (message: string) => void): Promise<ActionResult>;
  /** Frees what the executor held for the apply (spooled archives). */
  dispose?(): void;
}

/** What an action left for apply to know. */
export interface ActionResult {
  /** A replacement's previous version, kept until its service's rollout is through. */
  readonly parked?: ParkedVersion;
  /** What delivering a built image sent. */
  readonly sent?: ImageSent;
}

/** A replaced object's previous version, stopped and kept aside until its rollout is through. */
export interface ParkedVersion {
  readonly host: string;
  readonly name: string;
  /** Puts the previous version back in place of the new one. */
  restore(): Promise<void>;
  /** Removes the previous version for good. */
  discard(): Promise<void>;
}
