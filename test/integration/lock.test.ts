import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { acquireLock, CorruptLockError, LOCK_IMAGE, lockContainerName, LockHeldError, LockHolder, readLock, releaseLock } from '../../lib/engine/host-lock';
import type { EngineDriver } from '../../lib/drivers/engine-driver';
import { readHostState } from '../../lib/engine/read-host-state';
import type { StackGraph } from '../../lib/graph/graph-document';
import { lockHosts, LockWaitInterruptedError } from '../../lib/lock/lock-hosts';
import { OpenHost } from '../../lib/drivers/open-host';
import { runHoist, REPO_ROOT } from '../helpers/cli';
import { placeStack, PlacedStack, roundTripGraph } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX } from '../helpers/sandbox';

const STACK = 'rtl';

/** Polls until the stack's lock on a host has expired by the engine's clock (its clock reads to the second). */
async function waitUntilExpired(client: EngineDriver, stack = STACK): Promise<LockHolder> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const holder = await readLock(client, stack);
    assert.ok(holder, 'a lock to wait for');
    if (holder.expired) return holder;
    assert.ok(Date.now() < deadline, `the lock on ${client.host} never expired (expires ${holder.expires})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Removes whatever holds the lock's name on a host, by hand, as an operator would. */
async function removeLockObject(client: EngineDriver, stack = STACK): Promise<void> {
  await rawEngine(client).getContainer(lockContainerName(stack)).remove({ force: true }).catch(() => undefined);
}

describe('host locks on sandbox hosts (Docker and Podman)', () => {
  let stack: StackGraph;
  let placed: PlacedStack;
  let hosts: OpenHost[] = [];

  before(async () => {
    const inventory = ensureSandbox(IT_SANDBOX);
    stack = roundTripGraph(`${inventory.dir}/inventory.json`, STACK, 18093);
    placed = await placeStack(stack);
    hosts = placed.hosts;
    for (const open of hosts) await removeLockObject(open.engine);
  });

  after(async () => {
    for (const open of hosts) await removeLockObject(open.engine);
    await placed?.remove();
  });

  it('of 10 parallel acquireLock calls on one host exactly one wins; the others name the holder', async () => {
    for (const open of hosts) {
      try {
        const attempts = await Promise.allSettled(Array.from({ length: 10 }, () => acquireLock(open.engine, { stack: STACK, ttlMs: 60_000 })));
        const won = attempts.filter((a) => a.status === 'fulfilled') as PromiseFulfilledResult<{ holder: { id: string } }>[];
        assert.equal(won.length, 1, `${open.spec.name} (${open.engine.info.kind}): winners`);
        for (const lost of attempts.filter((a) => a.status === 'rejected') as PromiseRejectedResult[]) {
          assert.ok(lost.reason instanceof LockHeldError, String(lost.reason));
          assert.equal(lost.reason.holder.id, won[0].value.holder.id);
        }
        assert.equal(await releaseLock(open.engine, STACK, won[0].value.holder.id), true);
        assert.equal(await readLock(open.engine, STACK), undefined);
      } finally {
        await removeLockObject(open.engine);
      }
    }
  });

  it('of 10 parallel takeovers of one expired lock exactly one holds it afterwards (compare-and-delete), on Docker and Podman', async () => {
    for (const open of hosts.slice(0, 2)) {
      try {
        const stale = await acquireLock(open.engine, { stack: STACK, ttlMs: 1, message: 'killed run' });
        await waitUntilExpired(open.engine);
        const attempts = await Promise.allSettled(Array.from({ length: 10 }, () => acquireLock(open.engine, { stack: STACK, ttlMs: 60_000 })));
        const won = attempts.filter((a) => a.status === 'fulfilled') as PromiseFulfilledResult<{ holder: LockHolder; tookOver?: LockHolder }>[];
        assert.equal(won.length, 1, `${open.spec.name} (${open.engine.info.kind}): exactly one run holds the lock; got ${won.length}: ${attempts.map((a) => (a.status === 'rejected' ? String(a.reason).slice(0, 120) : 'won')).join(' | ')}`);
        // The winner names the lock it took over if it read it; its create may also land just
        // after a loser removed it, and then it never saw the old lock.
        assert.ok(won[0].value.tookOver === undefined || won[0].value.tookOver.id === stale.holder.id, 'a takeover the winner reports is of the stale lock');
        assert.ok((await readLock(open.engine, STACK))?.id !== stale.holder.id, 'the stale lock is gone');
        for (const lost of attempts.filter((a) => a.status === 'rejected') as PromiseRejectedResult[]) {
          assert.ok(lost.reason instanceof LockHeldError, String(lost.reason));
          assert.equal(lost.reason.holder.id, won[0].value.holder.id, 'every loser names the one winner');
        }
        const now = await readLock(open.engine, STACK);
        assert.equal(now?.id, won[0].value.holder.id);
        assert.equal(now?.expired, false);
      } finally {
        await removeLockObject(open.engine);
      }
    }
  });

  it('a lock is not part of the stack: readHostState leaves it out', async () => {
    const held = await acquireLock(hosts[0].engine, { stack: STACK, ttlMs: 60_000 });
    try {
      const state = await readHostState(hosts[0].engine, STACK, { inspect: true });
      assert.ok(!state.containers.some((c) => c.name === `hoist-lock-${STACK}`));
      assert.ok(!state.foreign.some((f) => f.name === `hoist-lock-${STACK}`));
    } finally {
      await releaseLock(hosts[0].engine, STACK, held.holder.id);
    }
  });

  it('releaseLock needs the lock\'s id; a wrong one releases nothing', async () => {
    const held = await acquireLock(hosts[1].engine, { stack: STACK, ttlMs: 60_000 });
    await assert.rejects(releaseLock(hosts[1].engine, STACK, 'not-the-id'), /has id [0-9a-f]+, not not-the-id .*nothing was released/);
    assert.equal((await readLock(hosts[1].engine, STACK))?.id, held.holder.id);
    assert.equal(await releaseLock(hosts[1].engine, STACK, held.holder.id), true);
  });

  it('an expired lock is taken over by acquireLock, and says so', async () => {
    const stale = await acquireLock(hosts[0].engine, { stack: STACK, ttlMs: 1, message: 'killed run' });
    await waitUntilExpired(hosts[0].engine);
    const fresh = await acquireLock(hosts[0].engine, { stack: STACK, ttlMs: 60_000 });
    assert.equal(fresh.tookOver?.id, stale.holder.id);
    assert.equal(fresh.tookOver?.message, 'killed run');
    await releaseLock(hosts[0].engine, STACK, fresh.holder.id);
  });

  it('a lock object with missing or malformed labels is refused by acquireLock, lock status and releaseLock, and never removed (Docker and Podman)', async () => {
    const cases: [string, Record<string, string>][] = [
      ['no labels at all (a foreign container)', {}],
      ['a malformed ttl', { 'hoist.managed-by': 'hoist', 'hoist.stack': STACK, 'hoist.lock.id': 'abcdefabcdef', 'hoist.lock.user': 'u', 'hoist.lock.machine': 'm', 'hoist.lock.pid': '1', 'hoist.lock.ttl': 'soon' }],
      ['no ttl and no expiry', { 'hoist.managed-by': 'hoist', 'hoist.stack': STACK, 'hoist.lock.id': 'abcdefabcdef', 'hoist.lock.user': 'u', 'hoist.lock.machine': 'm', 'hoist.lock.pid': '1' }],
    ];
    for (const open of hosts.slice(0, 2)) {
      for (const [what, labels] of cases) {
        // The lock image is on the host after the tests above; the object is made as a foreign tool would.
        const planted = await rawEngine(open.engine).createContainer({ name: lockContainerName(STACK), Image: LOCK_IMAGE, Cmd: ['x'], Labels: labels });
        try {
          await assert.rejects(acquireLock(open.engine, { stack: STACK, ttlMs: 60_000 }), (error: Error) => {
            assert.ok(error instanceof CorruptLockError, `${what}: ${error}`);
            assert.match(error.message, new RegExp(`host ${open.spec.name}: a container named hoist-lock-${STACK} exists but is not a valid Hoist lock .*will not use or remove it`));
            return true;
          });
          await assert.rejects(releaseLock(open.engine, STACK, 'abcdefabcdef'), CorruptLockError);
          await assert.rejects(lockHosts([open.engine], { stack: STACK, ttlMs: 60_000, timeoutMs: 2000, pollMs: 100 }), CorruptLockError);
          const still = await rawEngine(open.engine).getContainer(planted.id).inspect();
          assert.equal(still.Id, planted.id, `${what} on ${open.engine.info.kind}: the object is still there`);
          if (what.startsWith('no labels')) {
            const status = runHoist(['lock', 'status', '--graph', placed.graphFile], { cwd: REPO_ROOT });
            assert.equal(status.status, 0, status.stderr);
            assert.match(status.stdout, new RegExp(`on ${open.spec.name}: INVALID lock object hoist-lock-${STACK} \\(label hoist.managed-by is null`));
          }
        } finally {
          await rawEngine(open.engine).getContainer(planted.id).remove({ force: true });
        }
      }
    }
  });

  it('expiry follows the engine\'s clock: a run whose own clock is hours off neither takes over a live lock nor misses an expired one', async () => {
    const RealDate = Date;
    const skew = (ms: number) => {
      globalThis.Date = class extends RealDate {
        constructor(...args: unknown[]) {
          if (args.length === 0) super(RealDate.now() + ms);
          else super(...(args as [number]));
        }

        static now() {
          return RealDate.now() + ms;
        }
      } as DateConstructor;
    };
    const live = await acquireLock(hosts[0].engine, { stack: STACK, ttlMs: 60_000, message: 'live' });
    try {
      skew(5 * 3600_000);
      await assert.rejects(acquireLock(hosts[0].engine, { stack: STACK, ttlMs: 60_000 }), LockHeldError, 'a clock 5 h ahead does not see the live lock as expired');
    } finally {
      globalThis.Date = RealDate;
      await releaseLock(hosts[0].engine, STACK, live.holder.id);
    }
    const stale = await acquireLock(hosts[0].engine, { stack: STACK, ttlMs: 1 });
    await waitUntilExpired(hosts[0].engine);
    try {
      skew(-5 * 3600_000);
      const fresh = await acquireLock(hosts[0].engine, { stack: STACK, ttlMs: 60_000 });
      assert.equal(fresh.tookOver?.id, stale.holder.id, 'a clock 5 h behind still sees the expired lock as expired');
    } finally {
      globalThis.Date = RealDate;
      await removeLockObject(hosts[0].engine);
    }
  });

  it('lockHosts renews held locks before their ttl runs out, and reports a lock taken from it', async () => {
    const lost: string[] = [];
    const held = await lockHosts(hosts.slice(0, 2).map((h) => h.engine), { stack: STACK, ttlMs: 4000, renewEveryMs: 500, timeoutMs: 0, onLost: (host) => lost.push(host) });
    try {
      // Read the locks over and over while they are renewed, until well past the ttl (without
      // renewals both would have expired): a read that meets a renewal being written must
      // neither fail nor see the lock expired.
      const until = Date.now() + 5500;
      let reads = 0;
      while (Date.now() < until) {
        await Promise.all(hosts.slice(0, 2).map(async (open) => {
          const holder = await readLock(open.engine, STACK);
          assert.equal(holder?.expired, false, `${open.spec.name}: read as expired while renewed (expires ${holder?.expires}, renewed ${holder?.renewed})`);
        }));
        reads++;
      }
      assert.ok(reads > 5, `the locks were read ${reads} times`);
      for (const open of hosts.slice(0, 2)) {
        const holder = await readLock(open.engine, STACK);
        assert.equal(holder?.id, held.id);
        assert.equal(holder?.expired, false, `${open.spec.name}: renewed (expires ${holder?.expires}, renewed ${holder?.renewed})`);
        assert.ok(holder?.renewed, 'a renewal is recorded');
      }
      assert.deepEqual(lost, []);
      // Someone removes the lock on host-2 (as a takeover would): the holder learns of it.
      await removeLockObject(hosts[1].engine);
      const deadline = Date.now() + 10_000;
      while (lost.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(lost, [hosts[1].spec.name]);
    } finally {
      await held.release();
    }
    assert.equal(await readLock(hosts[0].engine, STACK), undefined);
  });

  it('lockHosts fails fast naming the holder, and releases what it had taken', async () => {
    const other = await acquireLock(hosts[2].engine, { stack: STACK, ttlMs: 60_000, message: 'someone else' });
    try {
      const started = Date.now();
      await assert.rejects(lockHosts(hosts.map((h) => h.engine), { stack: STACK, ttlMs: 60_000, timeoutMs: 0 }), (error: Error) => {
        assert.ok(error instanceof LockHeldError);
        assert.match(error.message, /host host-3: stack rtl is locked by .* \("someone else"\).*hoist lock release --id/);
        return true;
      });
      assert.ok(Date.now() - started < 5000, 'fails fast');
      assert.equal(await readLock(hosts[0].engine, STACK), undefined, 'host-1 released again');
      assert.equal(await readLock(hosts[1].engine, STACK), undefined, 'host-2 released again');
    } finally {
      await releaseLock(hosts[2].engine, STACK, other.holder.id);
    }
  });

  it('lockHosts stopped by its signal while waiting releases the locks it had taken', async () => {
    const other = await acquireLock(hosts[2].engine, { stack: STACK, ttlMs: 60_000, message: 'someone else' });
    try {
      const stop = new AbortController();
      const waiting = lockHosts(hosts.map((h) => h.engine), { stack: STACK, ttlMs: 60_000, timeoutMs: 60_000, pollMs: 200, signal: stop.signal });
      // Wait until the first two hosts are taken and the run waits on the third.
      const deadline = Date.now() + 20_000;
      while (!(await readLock(hosts[1].engine, STACK)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(await readLock(hosts[0].engine, STACK), 'host-1 taken while waiting for host-3');
      const stopped = Date.now();
      stop.abort();
      await assert.rejects(waiting, (error: Error) => {
        assert.ok(error instanceof LockWaitInterruptedError, String(error));
        assert.deepEqual([...error.released].sort(), [hosts[0].spec.name, hosts[1].spec.name]);
        return true;
      });
      assert.ok(Date.now() - stopped < 5000, 'stops at once');
      assert.equal(await readLock(hosts[0].engine, STACK), undefined);
      assert.equal(await readLock(hosts[1].engine, STACK), undefined);
      assert.equal((await readLock(hosts[2].engine, STACK))?.id, other.holder.id, 'the other run\'s lock is untouched');
    } finally {
      await releaseLock(hosts[2].engine, STACK, other.holder.id);
    }
  });

  it('with a lock timeout, lockHosts waits for a holder that releases in time', async () => {
    const other = await acquireLock(hosts[0].engine, { stack: STACK, ttlMs: 60_000 });
    setTimeout(() => void releaseLock(hosts[0].engine, STACK, other.holder.id), 1500);
    const held = await lockHosts(hosts.map((h) => h.engine), { stack: STACK, ttlMs: 60_000, timeoutMs: 8000, pollMs: 200 });
    assert.equal(held.holders.length, hosts.length);
    await held.release();
    for (const open of hosts) assert.equal(await readLock(open.engine, STACK), undefined);
  });

  it('hoist lock acquire / status / release from the command line', () => {
    const acquired = runHoist(['lock', 'acquire', '--graph', placed.graphFile, '-m', 'maintenance window'], { cwd: REPO_ROOT });
    assert.equal(acquired.status, 0, acquired.stderr);
    const id = /release with: hoist lock release --id ([0-9a-f]+)/.exec(acquired.stdout)?.[1];
    assert.ok(id, acquired.stdout);
    const second = runHoist(['lock', 'acquire', '--graph', placed.graphFile], { cwd: REPO_ROOT });
    assert.equal(second.status, 1);
    assert.match(second.stderr, new RegExp(`maintenance window.*hoist lock release --id ${id}`));
    const status = runHoist(['lock', 'status', '--graph', placed.graphFile], { cwd: REPO_ROOT });
    assert.equal(status.stdout.trim().split('\n').length, hosts.length);
    assert.match(status.stdout, new RegExp(`held by .* id ${id}: maintenance window`));
    const released = runHoist(['lock', 'release', '--graph', placed.graphFile, '--id', id!], { cwd: REPO_ROOT });
    assert.equal(released.status, 0, released.stderr);
    assert.match(released.stdout, new RegExp(`Released lock ${id} of stack ${STACK} on ${hosts.length} host\\(s\\)`));
  });
});
