import type { ApplyEvent } from '../apply/apply-events';
import type { RolledBack } from '../apply/execute-plan';
import type { LockHolder } from '../engine/host-lock';
import type { ImageLint, ServiceLint } from '../lint/lint-graph';
import type { PlanDocument, PlannedAction, PlanSummary } from '../plan/plan-types';

/** The command a change runs as: what locks, history records and messages call it. */
export type ChangeCommand = 'apply' | 'destroy' | 'rollback';

/** One container as read back after a change: what runs now. */
export interface RunningVersion {
  /** The stack the container belongs to. */
  readonly stack: string;
  /** The host it runs on. */
  readonly host: string;
  /** The container's name (`<stack>-<service>-<n>`). */
  readonly container: string;
  /** Null for a container that carries no revision label. */
  readonly revision: number | null;
  /** The image reference in its familiar form (`busybox:latest`). */
  readonly image: string;
  /** The engine's state (`running`, `exited`, ...). */
  readonly state: string;
}

/**
 * What the deploy functions report while they work, in order. Text in events that came from
 * a host (engine errors, container output) has every secret value the run read replaced by
 * `[REDACTED]` before the event is emitted.
 *
 * The executor's events ({@link ApplyEvent}: `stack-start`, `action-*`, `rollback-*`,
 * `interrupted`, `stack-done`) come between `confirmed` and `executed`.
 */
export type DeployEvent =
  | ApplyEvent
  /** Every host of the run was reached; `lockId` is the one id of every lock the run takes (`hoist lock release --id`). */
  | { readonly type: 'connected'; readonly command: ChangeCommand; readonly hosts: string[]; readonly lockId: string }
  /** About to lock a stack on these hosts, waiting up to `timeoutMs` for another run's lock. */
  | { readonly type: 'lock-waiting'; readonly stack: string; readonly hosts: string[]; readonly timeoutMs: number }
  /** The stack is locked on every host. */
  | { readonly type: 'lock-taken'; readonly stack: string; readonly id: string; readonly hosts: string[] }
  /** An expired lock of another run was taken over. */
  | { readonly type: 'lock-taken-over'; readonly stack: string; readonly holder: LockHolder }
  /** A lock was lost while held (taken over, removed): no new step starts. */
  | { readonly type: 'lock-lost'; readonly host: string; readonly message: string }
  /** A lock could not be released (the host did not answer); `hoist lock release --id <id>` does it later. */
  | { readonly type: 'lock-release-failed'; readonly host: string; readonly id: string; readonly error: string }
  /** The plan is made (or a saved plan passed its staleness check: `saved`). */
  | { readonly type: 'plan-ready'; readonly plan: PlanDocument; readonly saved: boolean }
  /** Lint results for the images the plan builds and the services it (re)creates. */
  | { readonly type: 'lint'; readonly results: readonly (ImageLint | ServiceLint)[] }
  /** The hosts already match: nothing to do. */
  | { readonly type: 'no-changes'; readonly command: ChangeCommand }
  /** The change goes ahead (confirmed, or nothing to confirm). */
  | { readonly type: 'confirmed'; readonly command: ChangeCommand }
  /** Execution is over (complete or not); the hosts are read again next. */
  | { readonly type: 'executed'; readonly command: ChangeCommand }
  /** What runs now, for every service the plan touched. */
  | { readonly type: 'versions'; readonly containers: RunningVersion[] }
  /** A host that did not answer when read again after the change. */
  | { readonly type: 'verify-unreachable'; readonly command: ChangeCommand; readonly host: string; readonly error: string }
  /** A history record was written on a host. */
  | { readonly type: 'history-recorded'; readonly stack: string; readonly host: string; readonly revision: number }
  /** The change did not complete: counts, and what was not started or was rolled back. */
  | { readonly type: 'incomplete'; readonly done: number; readonly failed: number; readonly notStarted: PlannedAction[]; readonly rolledBack: RolledBack[] }
  /** The hosts were read again and match the graph. */
  | { readonly type: 'verified'; readonly command: ChangeCommand }
  /** Old versions of built images removed beyond each image's keepVersions (`<image>@<host>`). */
  | { readonly type: 'pruned'; readonly removed: string[] }
  /** Something went wrong that does not fail the call (a history record or a cleanup not written). */
  | { readonly type: 'warning'; readonly host?: string; readonly message: string }
  /** A rollback chose its revision. */
  | { readonly type: 'rollback-target'; readonly stack: string; readonly revision: number }
  /** The change is complete and verified. `revision` is a rollback's target. */
  | { readonly type: 'complete'; readonly command: ChangeCommand; readonly summary: PlanSummary; readonly revision?: number };

/** Receives the events of a deploy call. */
export type DeployEventListener = (event: DeployEvent) => void;
