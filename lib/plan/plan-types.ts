import type { ObservedBuild } from '../engine/read-build-state';
import type { ObservedHostState } from '../engine/read-host-state';
import type { PlanConflict, PlannedAction } from '../kinds/planned-action';
import type { EngineKind } from '../values/engine-kind';

/** The plan document's version; readers reject another major. */
export const PLAN_FORMAT_VERSION = '1.0';

export type { ActionType, Cause, PlanConflict, PlannedAction, PlannedAnonymousVolume, PlannedDelivery, PlannedKind } from '../kinds/planned-action';

export interface StackPlan {
  readonly stack: string;
  readonly actions: PlannedAction[];
  readonly conflicts: PlanConflict[];
  /** Owned objects kept although not in the graph (retained volumes). */
  readonly kept: { readonly host: string; readonly kind: string; readonly name: string; readonly reason: string }[];
}

export interface PlanSummary {
  /** Images to build (each once, however many hosts get it). */
  readonly build: number;
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
}

/** A whole plan: what `hoist plan --json` prints and `--out` saves. */
export interface PlanDocument {
  readonly format_version: typeof PLAN_FORMAT_VERSION;
  readonly created_at: string;
  readonly graph_hash: string;
  /** Per host: a hash of everything observed there; apply refuses the plan if any changed. */
  readonly host_fingerprints: Record<string, string>;
  readonly stacks: StackPlan[];
  readonly summary: PlanSummary;
  readonly targets: string[] | null;
}

/** What planning needs from each host: its observed state per stack and engine kind. */
export interface HostObservation {
  readonly engine: EngineKind;
  readonly states: ReadonlyMap<string, ObservedHostState>;
  /** On a builder: the images it builds, by stack. */
  readonly builds?: ReadonlyMap<string, ObservedBuild[]>;
  /** Layers the host has; read when some image may be sent to it directly. */
  readonly layers?: string[];
}
