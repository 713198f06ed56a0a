import type { EngineDriver } from '../drivers/engine-driver';
import { newLockId } from '../engine/host-lock';
import type * as LocksModule from '../deploy/with-stack-locks';
import { cliErrorOf } from './cli-error-of';
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
 * Runs `work` holding the stack's lock on every given host (lib/deploy/with-stack-locks.ts).
 * Ctrl-C while waiting for the locks releases those already taken and exits 130; once they
 * are held, the first Ctrl-C asks `work` to stop (its `stopRequested()`), the second exits at
 * once naming the release command.
 */
export async function withStackLocks<T>(clients: EngineDriver[], options: StackLockOptions, io: CliIo, work: (stopRequested: () => boolean) => Promise<T>): Promise<T> {
  const locks = require('../deploy/with-stack-locks') as typeof LocksModule;
  const id = newLockId();
  const stop = new AbortController();
  const interrupts = watchInterrupts(
    () => {
      stop.abort();
      io.err('Stopping: nothing new starts; the locks are released. Press Ctrl-C again to exit at once.');
    },
    () => {
      io.err(`Exiting at once: the locks stay held; release them with hoist lock release --id ${id}`);
      process.exit(INTERRUPTED_EXIT_CODE);
    },
  );
  try {
    return await locks.withStackLocks(clients, {
      ...options, id, signal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'lock-lost') io.err(`warning: ${event.message}; stopping`);
        else if (event.type === 'lock-taken-over') io.err(`warning: took over the expired lock of ${event.holder.user}@${event.holder.machine} (id ${event.holder.id}, expired ${event.holder.expires}) on ${event.holder.host}`);
        else if (event.type === 'lock-release-failed') io.err(`warning: the lock on ${event.host} could not be released (${event.error}); once the host answers, run: hoist lock release --id ${event.id}`);
      },
    }, work);
  } catch (error) {
    throw cliErrorOf(error);
  } finally {
    interrupts.dispose();
  }
}
