import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { HostError } from '../transport/host-error';
import { currentUser } from '../values/current-user';
import type { EngineDriver } from '../drivers/engine-driver';
import { EngineError, isConflict, isNotFound } from '../drivers/engine-error';
import { tarArchive } from '../drivers/tar-archive';
import { LABEL, MANAGED_BY } from './ownership-labels';
import { pause } from '../values/pause';

/**
 * A lock on one host for one stack: a container named `hoist-lock-<stack>` that is created
 * and never started. The engine refuses a second container of the same name, so creating it
 * is an atomic create-if-absent on Docker and Podman alike, over the connection Hoist already
 * has; its labels say who holds it and for how long, and `docker ps -a` shows it to operators.
 *
 * Time is the engine's: a lock expires `ttl` after the engine created it, or after its last
 * renewal (a file the holder writes into the container, stamped with the engine's clock), so
 * the clocks of the machines that run Hoist need not agree. A lock is only ever removed by
 * its container id, as read: of two runs taking over one expired lock, the second finds the
 * id gone and loses the race for the new one (compare-and-delete).
 */
export const LOCK_LABEL = {
  id: 'hoist.lock.id',
  user: 'hoist.lock.user',
  machine: 'hoist.lock.machine',
  pid: 'hoist.lock.pid',
  /** How long the lock lasts after its creation or last renewal, in milliseconds. */
  ttl: 'hoist.lock.ttl',
  plan: 'hoist.lock.plan',
  message: 'hoist.lock.message',
  /** Written by Hoist before locks had a ttl (an absolute time, the holder's clock); still read. */
  legacyExpires: 'hoist.lock.expires',
} as const;

/** The image lock containers are created from: one empty layer, imported once per host. */
export const LOCK_IMAGE = 'hoist/lock:1';

/** The file a holder writes into its lock container to renew it: the engine's time of the renewal. */
const RENEWAL_FILE = 'hoist-lock-renewed';

/** Who holds a lock, read from its container. Times are the engine's clock, ISO 8601. */
export interface LockHolder {
  readonly id: string;
  readonly stack: string;
  readonly host: string;
  readonly user: string;
  readonly machine: string;
  readonly pid: number;
  readonly created: string;
  /** The last renewal, or null if the holder never renewed it. */
  readonly renewed: string | null;
  readonly expires: string;
  /** Whether the lock had expired by the engine's clock when it was read. */
  readonly expired: boolean;
  readonly plan: string | null;
  readonly message: string | null;
  /** The lock container's id: what a release or takeover removes, and nothing else. */
  readonly containerId: string;
}

/** What a new lock records about its holder. */
export interface LockRequest {
  readonly stack: string;
  readonly ttlMs: number;
  readonly plan?: string;
  readonly message?: string;
  /** Reuse one id across the hosts of one run. */
  readonly id?: string;
}

/** Thrown when another run holds the lock. */
export class LockHeldError extends HostError {
  public readonly holder: LockHolder;

  constructor(holder: LockHolder) {
    super(holder.host, 'engine', `stack ${holder.stack} is locked by ${holder.user}@${holder.machine} (pid ${holder.pid}) since ${holder.created}` +
      `${holder.plan ? ` for plan ${holder.plan.slice(0, 19)}` : ''}${holder.message ? ` ("${holder.message}")` : ''}, until ${holder.expires} (the host's clock); ` +
      `wait for it (--lock-timeout), or if that run is gone: hoist lock release --id ${holder.id}`);
    this.name = 'LockHeldError';
    this.holder = holder;
  }
}

/**
 * Thrown when the object named like the stack's lock is not a valid Hoist lock (labels
 * missing or malformed, or another stack's). Hoist never removes such an object: it may be
 * someone else's, and removing it could let two runs in at once.
 */
export class CorruptLockError extends HostError {
  public readonly containerName: string;
  public readonly problems: string[];

  constructor(host: string, name: string, problems: string[]) {
    super(host, 'engine', `a container named ${name} exists but is not a valid Hoist lock (${problems.join('; ')}); Hoist will not use or remove it. ` +
      `Look at it (docker inspect ${name}); if no run of yours made it, remove it by hand (docker rm ${name}) and run again`);
    this.name = 'CorruptLockError';
    this.containerName = name;
    this.problems = problems;
  }
}

/** Thrown when a held lock was removed or replaced under its holder (taken over after it expired). */
export class LockLostError extends HostError {
  constructor(host: string, stack: string, id: string, now: LockHolder | undefined) {
    super(host, 'engine', `the lock ${id} of stack ${stack} is no longer held${now ? ` (now ${now.id}, held by ${now.user}@${now.machine})` : ' (it was removed)'}: another run may be changing this host`);
    this.name = 'LockLostError';
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
  return {
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.stack]: request.stack,
    [LOCK_LABEL.id]: id,
    [LOCK_LABEL.user]: currentUser(),
    [LOCK_LABEL.machine]: os.hostname(),
    [LOCK_LABEL.pid]: String(process.pid),
    [LOCK_LABEL.ttl]: String(Math.max(1, Math.round(request.ttlMs))),
    ...(request.plan ? { [LOCK_LABEL.plan]: request.plan } : {}),
    ...(request.message ? { [LOCK_LABEL.message]: request.message } : {}),
  };
}

/** What a lock container's labels say, or the reasons they are not a valid lock of `stack`. */
export type ParsedLockLabels =
  | { readonly ok: true; readonly id: string; readonly user: string; readonly machine: string; readonly pid: number; readonly ttlMs: number | null; readonly legacyExpiresMs: number | null; readonly plan: string | null; readonly message: string | null }
  | { readonly ok: false; readonly problems: string[] };

/** Checks a lock container's labels: ownership, an id, a holder, and a ttl (or a legacy expiry). Pure. */
export function parseLockLabels(labels: Record<string, string> | null | undefined, stack: string): ParsedLockLabels {
  const l = labels ?? {};
  const problems: string[] = [];
  if (l[LABEL.managedBy] !== MANAGED_BY) problems.push(`label ${LABEL.managedBy} is ${JSON.stringify(l[LABEL.managedBy] ?? null)}, not "${MANAGED_BY}"`);
  if (l[LABEL.stack] !== stack) problems.push(`label ${LABEL.stack} is ${JSON.stringify(l[LABEL.stack] ?? null)}, not "${stack}"`);
  const id = l[LOCK_LABEL.id];
  if (!id || !/^[0-9a-f]{12}$/.test(id)) problems.push(`label ${LOCK_LABEL.id} is ${JSON.stringify(id ?? null)}, not a lock id`);
  if (!l[LOCK_LABEL.user]) problems.push(`label ${LOCK_LABEL.user} is missing`);
  if (!l[LOCK_LABEL.machine]) problems.push(`label ${LOCK_LABEL.machine} is missing`);
  const pid = l[LOCK_LABEL.pid];
  if (!pid || !/^\d+$/.test(pid)) problems.push(`label ${LOCK_LABEL.pid} is ${JSON.stringify(pid ?? null)}, not a process id`);
  const ttl = l[LOCK_LABEL.ttl];
  const legacy = l[LOCK_LABEL.legacyExpires];
  let ttlMs: number | null = null;
  let legacyExpiresMs: number | null = null;
  if (ttl !== undefined) {
    if (!/^\d{1,12}$/.test(ttl) || Number(ttl) < 1) problems.push(`label ${LOCK_LABEL.ttl} is ${JSON.stringify(ttl)}, not a positive number of milliseconds`);
    else ttlMs = Number(ttl);
  } else if (legacy !== undefined && /^\d{4}-\d\d-\d\dT/.test(legacy) && Number.isFinite(Date.parse(legacy))) {
    legacyExpiresMs = Date.parse(legacy);
  } else {
    problems.push(`label ${LOCK_LABEL.ttl} is missing${legacy !== undefined ? ` and ${LOCK_LABEL.legacyExpires} ${JSON.stringify(legacy)} is not a time` : ''}`);
  }
  if (problems.length) return { ok: false, problems };
  return {
    ok: true, id: id!, user: l[LOCK_LABEL.user], machine: l[LOCK_LABEL.machine], pid: Number(pid), ttlMs, legacyExpiresMs,
    plan: l[LOCK_LABEL.plan] ?? null, message: l[LOCK_LABEL.message] ?? null,
  };
}

/** When a lock expires: its ttl after the later of its creation and its last renewal (engine clock). Pure. */
export function lockExpiry(parsed: { readonly ttlMs: number | null; readonly legacyExpiresMs: number | null }, createdMs: number, renewedMs: number | null): number {
  if (parsed.ttlMs === null) return parsed.legacyExpiresMs!;
  return Math.max(createdMs, renewedMs ?? 0) + parsed.ttlMs;
}

/** Whether a label set belongs to a lock container (so state readers leave it out). */
export function isLockContainer(labels: Record<string, string> | null | undefined): boolean {
  return labels?.[LOCK_LABEL.id] !== undefined;
}

/**
 * The lock's holder on this host, or undefined when the stack is not locked there. Throws
 * {@link CorruptLockError} when an object holds the lock's name but is not a valid lock.
 */
export async function readLock(client: EngineDriver, stack: string): Promise<LockHolder | undefined> {
  const name = lockContainerName(stack);
  let inspect: { Id: string; Created: string; Config: { Labels?: Readonly<Record<string, string>> | null } };
  try {
    inspect = await client.inspectContainer(name) as never;
  } catch (error) {
    if (isGoing(error)) return undefined;
    throw error;
  }
  const parsed = parseLockLabels(inspect.Config.Labels, stack);
  const createdMs = Date.parse(inspect.Created);
  if (!parsed.ok || !Number.isFinite(createdMs)) {
    throw new CorruptLockError(client.host, name, parsed.ok ? [`its creation time ${JSON.stringify(inspect.Created)} is not a time`] : parsed.problems);
  }
  const now = await client.now();
  // The renewal file is read only when the lock would have expired without it.
  let renewedMs: number | null = null;
  if (lockExpiry(parsed, createdMs, null) <= now && parsed.ttlMs !== null) {
    const renewal = await readRenewal(client, inspect.Id);
    // Removed (or being removed) between the inspect and the read: another run released or
    // took over this lock, so nobody holds it as read.
    if (renewal === 'gone') return undefined;
    renewedMs = renewal;
  }
  const expires = lockExpiry(parsed, createdMs, renewedMs);
  return {
    id: parsed.id, stack, host: client.host, user: parsed.user, machine: parsed.machine, pid: parsed.pid,
    created: new Date(createdMs).toISOString(),
    renewed: renewedMs === null ? null : new Date(renewedMs).toISOString(),
    expires: new Date(expires).toISOString(),
    expired: expires <= now,
    plan: parsed.plan, message: parsed.message, containerId: inspect.Id,
  };
}

/**
 * Takes the lock on one host: create-if-absent. A lock past its expiry (by the engine's
 * clock) is taken over by removing exactly that container, by id, and racing for a new one;
 * the result says whose lock was taken over. A live one throws LockHeldError naming its
 * holder; an invalid object under the lock's name throws CorruptLockError and is left alone.
 */
export async function acquireLock(client: EngineDriver, request: LockRequest): Promise<{ holder: LockHolder; tookOver?: LockHolder }> {
  await ensureLockImage(client);
  const id = request.id ?? newLockId();
  let tookOver: LockHolder | undefined;
  // A create that lost the race can see the name taken before the winner's container is
  // visible to inspect; give the winner a moment rather than report a lock nobody holds.
  for (let attempt = 0; attempt < 40; attempt++) {
    let created: string | undefined;
    try {
      created = await client.createContainer(lockContainerName(request.stack), { Image: LOCK_IMAGE, Cmd: ['hoist-lock'], Labels: lockLabels(request, id) });
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const existing = await readLock(client, request.stack);
    if (created !== undefined) {
      if (existing?.containerId === created) return { holder: existing, tookOver };
      // Ours was removed at once by someone who judged it expired: only with a ttl that short.
      throw new HostError(client.host, 'engine', `the lock of stack ${request.stack} was taken from this run as soon as it was created; is its ttl (${request.ttlMs} ms) too short?`);
    }
    if (!existing) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    if (!existing.expired) throw new LockHeldError(existing);
    // Expired: remove exactly the container that was read (compare-and-delete); if another
    // run took it over first, that id is gone and the create below loses to its new lock.
    // A run that read the expired lock and then wins says whose lock it took over; one whose
    // create lands just after another run removed it never saw the old lock, and says nothing.
    await removeLockContainer(client, existing.containerId);
    tookOver = existing;
  }
  const holder = await readLock(client, request.stack);
  if (holder) throw new LockHeldError(holder);
  throw new HostError(client.host, 'engine', `could not take the lock of stack ${request.stack}; try again`);
}

/**
 * Renews a held lock: its expiry moves to `ttl` after the engine's time now. Throws
 * {@link LockLostError} when the lock is no longer the one with `id`.
 */
export async function renewLock(client: EngineDriver, stack: string, id: string): Promise<LockHolder> {
  const holder = await readLock(client, stack).catch((error) => {
    if (error instanceof CorruptLockError) return undefined;
    throw error;
  });
  if (!holder || holder.id !== id) throw new LockLostError(client.host, stack, id, holder);
  const now = await client.now();
  const archive = await tarArchive([{ header: { name: RENEWAL_FILE, mode: 0o644, mtime: new Date(0) }, content: new Date(now).toISOString() }]);
  try {
    await client.putArchive(holder.containerId, '/', archive);
  } catch (error) {
    if (isNotFound(error)) throw new LockLostError(client.host, stack, id, undefined);
    throw error;
  }
  return holder;
}

/** Releases the lock if, and only if, it is the one with `id`; never an invalid lock object. */
export async function releaseLock(client: EngineDriver, stack: string, id: string): Promise<boolean> {
  const holder = await readLock(client, stack);
  if (!holder) return false;
  if (holder.id !== id) {
    throw new HostError(client.host, 'engine', `the lock of stack ${stack} has id ${holder.id}, not ${id} (held by ${holder.user}@${holder.machine}); nothing was released`);
  }
  await removeLockContainer(client, holder.containerId);
  return true;
}

/** Removes one lock container by id; false when it was already gone. */
async function removeLockContainer(client: EngineDriver, containerId: string): Promise<boolean> {
  try {
    await client.removeContainer(containerId);
    return true;
  } catch (error) {
    // Another run got there first (it is gone, or its removal is in progress): either way
    // this run did not remove it.
    if (isGoing(error)) return false;
    throw error;
  }
}

/** Whether an engine error says the container is gone or another request is removing it. */
function isGoing(error: unknown): boolean {
  return isNotFound(error) || (error instanceof EngineError && error.reason === 'removal-in-progress');
}

/**
 * Pauses between reads of a renewal file that met a write in progress. The engines replace
 * the file on each renewal (remove, then write), so a read can find it absent, empty or
 * cut short. Taken as "never renewed", such a read would show a live, renewing run's lock as
 * expired, and a takeover would take it; the pauses outlast a write many times over. Only a
 * lock never renewed pays them all, and its holder is not writing.
 */
const RENEWAL_RETRY_PAUSES_MS = [50, 100, 200, 400];

/** Exactly what renewLock writes: an ISO time to the millisecond, in UTC. */
const RENEWAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * The engine time of a lock's last renewal: null if it was never renewed (the file stays
 * absent or unreadable through every retry), 'gone' when the container was removed, or is
 * being removed, since it was inspected.
 */
async function readRenewal(client: EngineDriver, containerId: string): Promise<number | null | 'gone'> {
  for (let attempt = 0; ; attempt++) {
    const read = await readRenewalOnce(client, containerId);
    if (read !== 'torn') return read;
    if (attempt >= RENEWAL_RETRY_PAUSES_MS.length) return await containerExists(client, containerId) ? null : 'gone';
    await pause(RENEWAL_RETRY_PAUSES_MS[attempt]);
  }
}

/** One read of the renewal file; 'torn' when it is absent or not a whole renewal time. */
async function readRenewalOnce(client: EngineDriver, containerId: string): Promise<number | 'gone' | 'torn'> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await client.getArchive(containerId, `/${RENEWAL_FILE}`);
  } catch (error) {
    if (error instanceof EngineError && error.reason === 'removal-in-progress') return 'gone';
    if (isNotFound(error)) return await containerExists(client, containerId) ? 'torn' : 'gone';
    throw error;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of archive as AsyncIterable<Buffer>) {
    size += chunk.length;
    // One small file: a tar header and a 24-byte time. Anything larger is not Hoist's.
    if (size > 64 * 1024) return 'torn';
    chunks.push(chunk);
  }
  const tar = Buffer.concat(chunks);
  const text = tar.subarray(512, 512 + 64).toString('utf8').replace(/\0.*$/s, '').trim();
  return RENEWAL_TIME.test(text) ? Date.parse(text) : 'torn';
}

async function containerExists(client: EngineDriver, containerId: string): Promise<boolean> {
  try {
    await client.inspectContainer(containerId);
    return true;
  } catch (error) {
    if (isGoing(error)) return false;
    throw error;
  }
}

/** Makes sure the host has the empty image Hoist's never-started helper containers are made from. */
export async function ensureLockImage(client: EngineDriver): Promise<void> {
  try {
    await client.inspectImage(LOCK_IMAGE);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await client.importImage(Buffer.alloc(1024), LOCK_IMAGE, `importing ${LOCK_IMAGE} on ${client.host}`);
  } catch (error) {
    throw new HostError(client.host, 'engine', (error as Error).message);
  }
}
