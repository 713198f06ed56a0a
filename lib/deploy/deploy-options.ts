import type { PlanDocument } from '../plan/plan-types';
import { DeployError } from './deploy-error';
import type { DeployEventListener } from './deploy-events';
import { defaultHostOpener, type HostOpener } from './host-access';

/** Options every deploy function takes. */
export interface HostAccessOptions {
  /**
   * Accept and record host keys not yet in known_hosts (never a changed key).
   * @default false
   */
  readonly trustNewHosts?: boolean;
  /**
   * How hosts are reached.
   * @default - SSH (or a local connection for hosts marked local), as the `hoist` command does
   */
  readonly openHost?: HostOpener;
  /**
   * Receives every event of the call, in order, with secret values redacted.
   * @default - events are dropped
   */
  readonly onEvent?: DeployEventListener;
}

/** Options of the functions that only read hosts (`plan`, `status`). */
export interface ReadOptions extends HostAccessOptions {
  /**
   * Hosts read at once.
   * @default 10
   */
  readonly parallelism?: number;
  /**
   * Give up on connecting to a host after this long, in milliseconds.
   * @default 10000
   */
  readonly connectTimeoutMs?: number;
}

/** Options of the functions that change hosts (`apply`, `destroy`, `rollback`). */
export interface ChangeOptions extends HostAccessOptions {
  /**
   * Hosts changed at once within a step.
   * @default 10
   */
  readonly parallelism?: number;
  /**
   * Wait this long, in milliseconds, for another run's lock on a host.
   * @default 0 (fail at once)
   */
  readonly lockTimeoutMs?: number;
  /**
   * Asked once the plan is made, linted and its secrets read, before anything changes; false
   * cancels the call (DeployError `cancelled`). Not asked for a saved plan (it was reviewed).
   * @default - no question: the change goes ahead
   */
  readonly confirm?: (plan: PlanDocument) => Promise<boolean>;
  /**
   * Asks the call to stop: while waiting for locks, it stops and releases the locks taken;
   * before any change, it changes nothing; during execution, no new step starts and the
   * running one finishes (or is undone). Either way it ends with DeployError `interrupted`.
   * @default - never stopped
   */
  readonly signal?: AbortSignal;
}

/** Options as the deploy functions use them, with their defaults. */
export interface ResolvedAccess {
  readonly trustNewHosts: boolean;
  readonly openHost: HostOpener;
  readonly parallelism: number;
}

/** The defaults of {@link HostAccessOptions} and `parallelism`, after checking the numbers given. */
export function resolveAccess(options: HostAccessOptions & { readonly parallelism?: number }): ResolvedAccess {
  return {
    trustNewHosts: options.trustNewHosts ?? false,
    openHost: options.openHost ?? defaultHostOpener,
    parallelism: positiveInteger(options.parallelism ?? 10, 'parallelism'),
  };
}

/** `value` if it is a whole number of 1 or more; a DeployError `invalid` naming the option otherwise. */
export function positiveInteger(value: number, option: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw invalidOption(option, `must be a whole number of 1 or more, got ${String(value)}`);
  return value;
}

/** `value` if it is a finite number of 0 or more; a DeployError `invalid` naming the option otherwise. */
export function nonNegativeNumber(value: number, option: string): number {
  if (!Number.isFinite(value) || value < 0) throw invalidOption(option, `must be a number of 0 or more, got ${String(value)}`);
  return value;
}

function invalidOption(option: string, problem: string): DeployError {
  return new DeployError('invalid', `${option}: ${problem}`, { nothingChanged: true });
}

/** {@link ChangeOptions} with their defaults, after checking the numbers given. */
export interface ResolvedChange extends ResolvedAccess {
  readonly lockTimeoutMs: number;
  readonly confirm?: (plan: PlanDocument) => Promise<boolean>;
  readonly signal?: AbortSignal;
}

/** The defaults of {@link ChangeOptions}, after checking the numbers given. */
export function resolveChange(options: ChangeOptions): ResolvedChange {
  return {
    ...resolveAccess(options),
    lockTimeoutMs: nonNegativeNumber(options.lockTimeoutMs ?? 0, 'lockTimeoutMs'),
    ...(options.confirm ? { confirm: options.confirm } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}
