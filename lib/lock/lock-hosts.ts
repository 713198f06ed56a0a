import { acquireLock, CorruptLockError, LockHeldError, LockHolder, LockLostError, newLockId, readLock, releaseLock, renewLock } from '../engine/host-lock';
import type { EngineDriver } from '../drivers/engine-driver';
import { pause } from '../values/pause';

/**
 * How long a run's locks last without renewal: a run killed without releasing them blocks
 * others this long at most (then its locks may be taken over, with a warning). A live run
 * renews its locks every {@link RUN_LOCK_RENEW_MS}, so it keeps them however long it takes.
 */
export const RUN_LOCK_TTL_MS = 5 * 60_000;

/** How often a running apply, destroy, build or prune renews its locks: several chances per ttl. */
export const RUN_LOCK_RENEW_MS = 60_000;

/** Options for locking a stack on all its hosts. */
export interface LockAllOptions {
  readonly stack: string;
  readonly ttlMs: number;
  readonly plan?: string;
  readonly message?: string;
  /** The run's lock id (one across its hosts); a new one by default. */
  readonly id?: string;
  /** Keep trying this long while another run holds a lock (0: fail at once). */
  readonly timeoutMs: number;
  readonly pollMs?: number;
  /**
   * Stops the wait (Ctrl-C): the locks already taken are released and
   * {@link LockWaitInterruptedError} is thrown.
   */
  readonly signal?: AbortSignal;
  /**
   * Renew every lock this often while it is held, so a long run keeps its locks while a
   * killed one's expire after the ttl. Undefined: never renewed (a lock taken by hand).
   */
  readonly renewEveryMs?: number;
  /** Called once per host whose lock was lost (taken over, removed) while held. */
  readonly onLost?: (host: string, error: Error) => void;
}

/** Locks held on every host of a run, with one id; release them with `release()`. */
export interface HeldLocks {
  readonly id: string;
  readonly holders: LockHolder[];
  /** Expired locks that were taken over, to be reported. */
  readonly tookOver: LockHolder[];
  /** Stops renewing and releases every lock taken; resolves to the hosts where that failed (unreachable), with why. */
  release(): Promise<{ host: string; error: string }[]>;
}

/** Thrown when a wait for locks was stopped (Ctrl-C); the locks taken before were released. */
export class LockWaitInterruptedError extends Error {
  /** Hosts whose lock had been taken and was released again. */
  public readonly released: string[];
  /** Hosts whose lock could not be released (unreachable), with why. */
  public readonly unreleased: { host: string; error: string }[];

  constructor(id: string, released: string[], unreleased: { host: string; error: string }[]) {
    super(`stopped while waiting for the locks${released.length ? `; released the ones taken on ${released.join(', ')}` : ''}` +
      `${unreleased.length ? `; could not release ${unreleased.map((u) => `${u.host} (${u.error})`).join(', ')}: run hoist lock release --id ${id} once they answer` : ''}`);
    this.name = 'LockWaitInterruptedError';
    this.released = released;
    this.unreleased = unreleased;
  }
}

/**
 * Locks a stack on every host, in host-name order (two runs then contend on the same first
 * host instead of deadlocking). If any host is locked by someone else past the timeout, or
 * the wait is stopped, the locks already taken are released and the error names the holder
 * (or says what was released). Held locks are renewed every `renewEveryMs` until released.
 */
export async function lockHosts(clients: EngineDriver[], options: LockAllOptions): Promise<HeldLocks> {
  const id = options.id ?? newLockId();
  const ordered = [...clients].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  const taken: EngineDriver[] = [];
  const holders: LockHolder[] = [];
  const tookOver: LockHolder[] = [];
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 500;
  const releaseTaken = async () => {
    const failures = await Promise.all(taken.map((client) => releaseLock(client, options.stack, id).then(
      () => undefined,
      (error: Error) => ({ host: client.host, error: error.message.split('\n')[0] }),
    )));
    return failures.filter((f): f is { host: string; error: string } => f !== undefined);
  };
  const interrupted = async (): Promise<never> => {
    const unreleased = await releaseTaken();
    throw new LockWaitInterruptedError(id, taken.map((c) => c.host).filter((h) => !unreleased.some((u) => u.host === h)), unreleased);
  };
  try {
    for (const client of ordered) {
      for (;;) {
        if (options.signal?.aborted) await interrupted();
        try {
          const result = await acquireLock(client, { stack: options.stack, ttlMs: options.ttlMs, plan: options.plan, message: options.message, id });
          taken.push(client);
          holders.push(result.holder);
          if (result.tookOver) tookOver.push(result.tookOver);
          break;
        } catch (error) {
          if (!(error instanceof LockHeldError) || Date.now() + pollMs > deadline) throw error;
          await pause(pollMs, options.signal);
        }
      }
    }
    if (options.signal?.aborted) await interrupted();
  } catch (error) {
    if (error instanceof LockWaitInterruptedError) throw error;
    await releaseTaken();
    throw error;
  }
  const heartbeat = options.renewEveryMs ? startHeartbeat(taken, options.stack, id, options.renewEveryMs, options.onLost) : undefined;
  return {
    id, holders, tookOver,
    release: async () => {
      await heartbeat?.stop();
      return releaseTaken();
    },
  };
}

/**
 * Renews the locks of a run on a timer. A renewal that fails because the host does not
 * answer is retried on the next tick (the ttl leaves several); a lock found gone or
 * replaced is reported once through `onLost`.
 */
function startHeartbeat(clients: EngineDriver[], stack: string, id: string, everyMs: number, onLost?: (host: string, error: Error) => void): { stop(): Promise<void> } {
  const lost = new Set<string>();
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const renewAll = () => Promise.all(clients.filter((c) => !lost.has(c.host)).map(async (client) => {
    try {
      await renewLock(client, stack, id);
    } catch (error) {
      if (error instanceof LockLostError || error instanceof CorruptLockError) {
        lost.add(client.host);
        onLost?.(client.host, error);
      }
    }
  })).then(() => undefined);
  // The next renewal is timed from the end of the last, so a slow host never piles them up.
  const schedule = () => {
    timer = setTimeout(() => {
      running = renewAll().finally(() => {
        if (!stopped) schedule();
      });
    }, everyMs);
    // A heartbeat alone must not keep a finished process alive.
    timer.unref();
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** One host's lock as `hoist lock status` shows it: a holder, or an invalid object under the lock's name. */
export type LockState = { readonly host: string; readonly holder: LockHolder } | { readonly host: string; readonly corrupt: CorruptLockError };

/** The lock holders of a stack on each host (hosts without a lock are left out); invalid lock objects are reported, not thrown. */
export async function lockStatus(clients: EngineDriver[], stack: string): Promise<LockState[]> {
  const states = await Promise.all(clients.map(async (client): Promise<LockState | undefined> => {
    try {
      const holder = await readLock(client, stack);
      return holder ? { host: client.host, holder } : undefined;
    } catch (error) {
      if (error instanceof CorruptLockError) return { host: client.host, corrupt: error };
      throw error;
    }
  }));
  return states.filter((s): s is LockState => s !== undefined);
}
