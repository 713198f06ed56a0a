import { acquireLock, LockHeldError, LockHolder, newLockId, readLock, releaseLock } from '../engine/host-lock';
import type { EngineClient } from '../engine/engine-client';

/** Options for locking a stack on all its hosts. */
export interface LockAllOptions {
  readonly stack: string;
  readonly ttlMs: number;
  readonly plan?: string;
  readonly message?: string;
  /** Keep trying this long while another run holds a lock (0: fail at once). */
  readonly timeoutMs: number;
  readonly pollMs?: number;
}

/** Locks held on every host of a run, with one id; release them with `release()`. */
export interface HeldLocks {
  readonly id: string;
  readonly holders: LockHolder[];
  /** Expired locks that were taken over, to be reported. */
  readonly tookOver: LockHolder[];
  /** Releases every lock taken; resolves to the hosts where that failed (unreachable), with why. */
  release(): Promise<{ host: string; error: string }[]>;
}

/**
 * Locks a stack on every host, in host-name order (two runs then contend on the same first
 * host instead of deadlocking). If any host is locked by someone else past the timeout, the
 * locks already taken are released and the error names the holder.
 */
export async function lockHosts(clients: EngineClient[], options: LockAllOptions): Promise<HeldLocks> {
  const id = newLockId();
  const ordered = [...clients].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  const taken: EngineClient[] = [];
  const holders: LockHolder[] = [];
  const tookOver: LockHolder[] = [];
  const deadline = Date.now() + options.timeoutMs;
  const release = async () => {
    const failures = await Promise.all(taken.map((client) => releaseLock(client, options.stack, id).then(
      () => undefined,
      (error: Error) => ({ host: client.host, error: error.message.split('\n')[0] }),
    )));
    return failures.filter((f): f is { host: string; error: string } => f !== undefined);
  };
  try {
    for (const client of ordered) {
      for (;;) {
        try {
          const result = await acquireLock(client, { stack: options.stack, ttlMs: options.ttlMs, plan: options.plan, message: options.message, id });
          taken.push(client);
          holders.push(result.holder);
          if (result.tookOver) tookOver.push(result.tookOver);
          break;
        } catch (error) {
          if (!(error instanceof LockHeldError) || Date.now() + (options.pollMs ?? 500) > deadline) throw error;
          await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
        }
      }
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { id, holders, tookOver, release };
}

/** The lock holders of a stack on each host (hosts without a lock are left out). */
export async function lockStatus(clients: EngineClient[], stack: string): Promise<LockHolder[]> {
  const holders = await Promise.all(clients.map((client) => readLock(client, stack)));
  return holders.filter((h): h is LockHolder => h !== undefined);
}
