import { randomBytes } from 'node:crypto';
import { currentUser } from '../values/current-user';
import * as os from 'node:os';
import { Readable } from 'node:stream';
import { HostError } from '../transport/host-error';
import type { EngineClient } from './engine-client';
import { followProgress, progressError } from './follow-progress';
import { LABEL, MANAGED_BY } from './ownership-labels';

/**
 * A lock on one host for one stack: a container named `hoist-lock-<stack>` that is created
 * and never started. The engine refuses a second container of the same name, so creating it
 * is an atomic create-if-absent on Docker and Podman alike, over the connection Hoist already
 * has; its labels say who holds it and until when, and `docker ps -a` shows it to operators.
 */
export const LOCK_LABEL = {
  id: 'hoist.lock.id',
  user: 'hoist.lock.user',
  machine: 'hoist.lock.machine',
  pid: 'hoist.lock.pid',
  created: 'hoist.lock.created',
  expires: 'hoist.lock.expires',
  plan: 'hoist.lock.plan',
  message: 'hoist.lock.message',
} as const;

/** The image lock containers are created from: one empty layer, imported once per host. */
export const LOCK_IMAGE = 'hoist/lock:1';

/** Who holds a lock, read from its labels. */
export interface LockHolder {
  readonly id: string;
  readonly stack: string;
  readonly host: string;
  readonly user: string;
  readonly machine: string;
  readonly pid: number;
  readonly created: string;
  readonly expires: string;
  readonly plan: string | null;
  readonly message: string | null;
}

/** What a new lock records about its holder. */
export interface LockRequest {
  readonly stack: string;
  readonly ttlMs: number;
  readonly plan?: string;
  readonly message?: string;
  /** Reuse one id across the hosts of one run. */
  readonly id?: string;
  readonly now?: Date;
}

/** Thrown when another run holds the lock. */
export class LockHeldError extends HostError {
  public readonly holder: LockHolder;

  constructor(holder: LockHolder) {
    super(holder.host, 'engine', `stack ${holder.stack} is locked by ${holder.user}@${holder.machine} (pid ${holder.pid}) since ${holder.created}` +
      `${holder.plan ? ` for plan ${holder.plan.slice(0, 19)}` : ''}${holder.message ? ` ("${holder.message}")` : ''}, until ${holder.expires}; ` +
      `wait for it (--lock-timeout), or if that run is gone: hoist lock release --id ${holder.id}`);
    this.name = 'LockHeldError';
    this.holder = holder;
  }
}

export function lockContainerName(stack: string): string {
  return `hoist-lock-${stack}`;
}

export function newLockId(): string {
  return randomBytes(6).toString('hex');
}

/** Labels of a new lock. */
export function lockLabels(request: LockRequest, id: string): Record<string, string> {
  const now = request.now ?? new Date();
  return {
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.stack]: request.stack,
    [LOCK_LABEL.id]: id,
    [LOCK_LABEL.user]: currentUser(),
    [LOCK_LABEL.machine]: os.hostname(),
    [LOCK_LABEL.pid]: String(process.pid),
    [LOCK_LABEL.created]: now.toISOString(),
    [LOCK_LABEL.expires]: new Date(now.getTime() + request.ttlMs).toISOString(),
    ...(request.plan ? { [LOCK_LABEL.plan]: request.plan } : {}),
    ...(request.message ? { [LOCK_LABEL.message]: request.message } : {}),
  };
}

/** The holder described by a lock container's labels. */
export function holderFrom(labels: Record<string, string>, host: string): LockHolder {
  return {
    id: labels[LOCK_LABEL.id] ?? '',
    stack: labels[LABEL.stack] ?? '',
    host,
    user: labels[LOCK_LABEL.user] ?? 'unknown',
    machine: labels[LOCK_LABEL.machine] ?? 'unknown',
    pid: Number(labels[LOCK_LABEL.pid] ?? 0),
    created: labels[LOCK_LABEL.created] ?? '',
    expires: labels[LOCK_LABEL.expires] ?? '',
    plan: labels[LOCK_LABEL.plan] ?? null,
    message: labels[LOCK_LABEL.message] ?? null,
  };
}

/** Whether a label set belongs to a lock container (so state readers leave it out). */
export function isLockContainer(labels: Record<string, string> | null | undefined): boolean {
  return labels?.[LOCK_LABEL.id] !== undefined;
}

/** The lock's holder on this host, or undefined when the stack is not locked there. */
export async function readLock(client: EngineClient, stack: string): Promise<LockHolder | undefined> {
  try {
    const inspect = await client.docker.getContainer(lockContainerName(stack)).inspect();
    return holderFrom(inspect.Config.Labels ?? {}, client.host);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/**
 * Takes the lock on one host: create-if-absent. A lock past its expiry is taken over (the
 * result says so); a live one throws LockHeldError naming its holder.
 */
export async function acquireLock(client: EngineClient, request: LockRequest): Promise<{ holder: LockHolder; tookOver?: LockHolder }> {
  await ensureLockImage(client);
  const id = request.id ?? newLockId();
  let tookOver: LockHolder | undefined;
  // A create that lost the race can see the name taken before the winner's container is
  // visible to inspect; give the winner a moment rather than report a lock nobody holds.
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      await client.docker.createContainer({ name: lockContainerName(request.stack), Image: LOCK_IMAGE, Cmd: ['hoist-lock'], Labels: lockLabels(request, id) });
      return { holder: (await readLock(client, request.stack))!, tookOver };
    } catch (error) {
      if (!isNameConflict(error)) throw error;
    }
    const existing = await readLock(client, request.stack);
    if (!existing) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    if (Date.parse(existing.expires) >= (request.now ?? new Date()).getTime()) throw new LockHeldError(existing);
    // Expired: remove exactly that lock (by its id), then race for a new one; the create decides.
    await releaseLock(client, request.stack, existing.id).catch(() => false);
    tookOver = existing;
  }
  const holder = await readLock(client, request.stack);
  if (holder) throw new LockHeldError(holder);
  throw new HostError(client.host, 'engine', `could not take the lock of stack ${request.stack}; try again`);
}

/** Releases the lock if, and only if, it is the one with `id`. */
export async function releaseLock(client: EngineClient, stack: string, id: string): Promise<boolean> {
  const holder = await readLock(client, stack);
  if (!holder) return false;
  if (holder.id !== id) {
    throw new HostError(client.host, 'engine', `the lock of stack ${stack} has id ${holder.id}, not ${id} (held by ${holder.user}@${holder.machine}); nothing was released`);
  }
  try {
    await client.docker.getContainer(lockContainerName(stack)).remove({ force: true });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return true;
}

/** Imports the empty lock image once per host (an empty tar: one empty layer). */
/** Makes sure the host has the empty image Hoist's never-started helper containers are made from. */
export async function ensureLockImage(client: EngineClient): Promise<void> {
  try {
    await client.docker.getImage(LOCK_IMAGE).inspect();
    return;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  const emptyTar = Readable.from([Buffer.alloc(1024)]);
  const stream = (await client.docker.importImage(emptyTar, { repo: LOCK_IMAGE })) as unknown as NodeJS.ReadableStream;
  let failure: string | undefined;
  await followProgress(client, stream, `importing ${LOCK_IMAGE} on ${client.host}`, { onEvent: (event) => (failure ??= progressError(event)) });
  if (failure) throw new HostError(client.host, 'engine', `importing ${LOCK_IMAGE} failed: ${failure}`);
}

/**
 * Whether a create failed because the name is taken: Docker answers 409; Podman 4.3
 * sometimes answers 500 "the container name ... is already in use" when two creates race.
 */
function isNameConflict(error: unknown): boolean {
  const e = error as { statusCode?: number; message?: string; json?: { message?: string } | Buffer };
  return e.statusCode === 409 || (e.statusCode === 500 && /already in use/.test(`${e.message ?? ''} ${e.json ? JSON.stringify(e.json) : ''}`));
}

