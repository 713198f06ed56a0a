import type { EngineDriver } from '../drivers/engine-driver';
import { newLockId } from '../engine/host-lock';
import type * as LockModule from '../lock/lock-hosts';
import { CliError } from './cli-error';
import type { CliIo } from './cli-io';
import { INTERRUPTED_EXIT_CODE, watchInterrupts } from './interrupts';


/** How a command that changes hosts outside apply (build, prune) takes its locks. */
export interface StackLockOptions {
  readonly stack: string;
  /** What the lock says it is for, e.g. "hoist prune". */
  readonly message: string;
  /** The command, for messages ("cannot prune: ..."). */
  readonly verb: string;
  readonly lockTimeoutMs: number;
}

/**
 * Runs `work` holding the stack's lock on every given host, renewed while it runs, released
 * however it ends. Ctrl-C while waiting for the locks releases those already taken and exits
 * 130; once they are held, the first Ctrl-C asks `work` to stop (its `stopRequested()`), the
 * second exits at once naming the release command.
 */
export async function withStackLocks<T>(clients: EngineDriver[], options: StackLockOptions, io: CliIo, work: (stopRequested: () => boolean) => Promise<T>): Promise<T> {
  const { lockHosts, LockWaitInterruptedError, RUN_LOCK_RENEW_MS, RUN_LOCK_TTL_MS } = require('../lock/lock-hosts') as typeof LockModule;
  const id = newLockId();
  const stopLocking = new AbortController();
  let lost: string | undefined;
  const interrupts = watchInterrupts(
    () => {
      stopLocking.abort();
      io.err('Stopping: nothing new starts; the locks are released. Press Ctrl-C again to exit at once.');
    },
    () => {
      io.err(`Exiting at once: the locks stay held; release them with hoist lock release --id ${id}`);
      process.exit(INTERRUPTED_EXIT_CODE);
    },
  );
  try {
    let held: LockModule.HeldLocks;
    try {
      held = await lockHosts(clients, {
        stack: options.stack, id, ttlMs: RUN_LOCK_TTL_MS, renewEveryMs: RUN_LOCK_RENEW_MS, timeoutMs: options.lockTimeoutMs, message: options.message,
        signal: stopLocking.signal,
        onLost: (host, error) => {
          lost ??= host;
          io.err(`warning: ${error.message.split('\n')[0]}; stopping`);
        },
      });
    } catch (error) {
      if (error instanceof LockWaitInterruptedError) throw new CliError(`${options.verb} stopped while waiting for the locks; nothing was changed (${error.message})`, INTERRUPTED_EXIT_CODE);
      throw new CliError(`cannot ${options.verb} ${options.stack}: ${(error as Error).message}; nothing was changed`);
    }
    for (const old of held.tookOver) io.err(`warning: took over the expired lock of ${old.user}@${old.machine} (id ${old.id}, expired ${old.expires}) on ${old.host}`);
    try {
      const result = await work(() => interrupts.requested() || lost !== undefined);
      if (interrupts.requested()) throw new CliError(`${options.verb} stopped on request`, INTERRUPTED_EXIT_CODE);
      return result;
    } finally {
      for (const failure of await held.release()) {
        io.err(`warning: the lock on ${failure.host} could not be released (${failure.error}); once the host answers, run: hoist lock release --id ${held.id}`);
      }
    }
  } finally {
    interrupts.dispose();
  }
}
