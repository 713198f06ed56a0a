import { newLockId } from '../engine/host-lock';
import type * as LockModule from '../lock/lock-hosts';
import type { OpenHost } from '../drivers/open-host';
import { DeployError } from './deploy-error';
import type { DeployEvent, DeployEventListener } from './deploy-events';

/** How work that changes hosts outside a change (a build, a prune) takes its locks. */
export interface StackLockOptions {
  /** The stack locked on every host. */
  readonly stack: string;
  /** What the lock says it is for, e.g. "hoist prune". */
  readonly message: string;
  /** The command, for messages ("cannot prune: ..."). */
  readonly verb: string;
  /** Wait this long, in milliseconds, for another run's lock (0: fail at once). */
  readonly lockTimeoutMs: number;
  /**
   * The locks' id, so a caller can name it (`hoist lock release --id`) before they are taken.
   * @default - a new id
   */
  readonly id?: string;
  /**
   * Stops the wait for the locks; once they are held, asks `work` to stop (its `stopRequested()`).
   * @default - never stopped
   */
  readonly signal?: AbortSignal;
  /**
   * Receives the lock events (`lock-waiting`, `lock-taken`, `lock-taken-over`, `lock-lost`, `lock-release-failed`).
   * @default - events are dropped
   */
  readonly onEvent?: DeployEventListener;
}

/**
 * Runs `work` holding the stack's lock on every given host, renewed while it runs, released
 * however it ends. An aborted `signal` while waiting releases the locks already taken
 * (DeployError `interrupted`); once they are held, `work`'s `stopRequested()` becomes true
 * (also when a lock is lost), and the call ends with DeployError `interrupted` after `work`.
 */
export async function withStackLocks<T>(engines: readonly OpenHost['engine'][], options: StackLockOptions, work: (stopRequested: () => boolean) => Promise<T>): Promise<T> {
  const { lockHosts, LockWaitInterruptedError, RUN_LOCK_RENEW_MS, RUN_LOCK_TTL_MS } = require('../lock/lock-hosts') as typeof LockModule;
  const emit = (event: DeployEvent) => options.onEvent?.(event);
  const id = options.id ?? newLockId();
  let lost: string | undefined;
  let held: LockModule.HeldLocks;
  emit({ type: 'lock-waiting', stack: options.stack, hosts: engines.map((e) => e.host), timeoutMs: options.lockTimeoutMs });
  try {
    held = await lockHosts([...engines], {
      stack: options.stack, id, ttlMs: RUN_LOCK_TTL_MS, renewEveryMs: RUN_LOCK_RENEW_MS, timeoutMs: options.lockTimeoutMs, message: options.message,
      signal: options.signal,
      onLost: (host, error) => {
        lost ??= host;
        emit({ type: 'lock-lost', host, message: error.message.split('\n')[0] });
      },
    });
  } catch (error) {
    if (error instanceof LockWaitInterruptedError) throw new DeployError('interrupted', `${options.verb} stopped while waiting for the locks; nothing was changed (${error.message})`, { nothingChanged: true });
    throw new DeployError('lock', `cannot ${options.verb} ${options.stack}: ${(error as Error).message}; nothing was changed`, { nothingChanged: true });
  }
  emit({ type: 'lock-taken', stack: options.stack, id: held.id, hosts: held.holders.map((h) => h.host) });
  for (const old of held.tookOver) emit({ type: 'lock-taken-over', stack: options.stack, holder: old });
  try {
    const result = await work(() => options.signal?.aborted === true || lost !== undefined);
    if (options.signal?.aborted) throw new DeployError('interrupted', `${options.verb} stopped on request`, { nothingChanged: false });
    return result;
  } finally {
    for (const failure of await held.release()) emit({ type: 'lock-release-failed', host: failure.host, id: held.id, error: failure.error });
  }
}
