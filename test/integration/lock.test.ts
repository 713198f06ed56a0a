import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { acquireLock, LockHeldError, readLock, releaseLock } from '../../lib/engine/host-lock';
import { readHostState } from '../../lib/engine/read-host-state';
import type { StackGraph } from '../../lib/graph/graph-document';
import { lockHosts } from '../../lib/lock/lock-hosts';
import { OpenHost } from '../../lib/transport/open-host';
import { runHoist, REPO_ROOT } from '../helpers/cli';
import { placeStack, PlacedStack, roundTripGraph } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX } from '../helpers/sandbox';

const STACK = 'rtl';

describe('host locks on sandbox hosts (Docker and Podman)', () => {
  let stack: StackGraph;
  let placed: PlacedStack;
  let hosts: OpenHost[] = [];

  before(async () => {
    const inventory = ensureSandbox(IT_SANDBOX);
    stack = roundTripGraph(`${inventory.dir}/inventory.json`, STACK, 18093);
    placed = await placeStack(stack);
    hosts = placed.hosts;
  });

  after(async () => {
    for (const open of hosts) {
      const holder = await readLock(open.engine, STACK).catch(() => undefined);
      if (holder) await releaseLock(open.engine, STACK, holder.id).catch(() => false);
    }
    await placed?.remove();
  });

  it('of 10 parallel attempts on one host exactly one wins; the others name the holder', async () => {
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
        const left = await readLock(open.engine, STACK);
        if (left) await releaseLock(open.engine, STACK, left.id);
      }
    }
  });

  it('a lock is not part of the stack: state readers leave it out', async () => {
    const held = await acquireLock(hosts[0].engine, { stack: STACK, ttlMs: 60_000 });
    try {
      const state = await readHostState(hosts[0].engine, STACK, { inspect: true });
      assert.ok(!state.containers.some((c) => c.name === `hoist-lock-${STACK}`));
      assert.ok(!state.foreign.some((f) => f.name === `hoist-lock-${STACK}`));
    } finally {
      await releaseLock(hosts[0].engine, STACK, held.holder.id);
    }
  });

  it('release needs the lock\'s id; a wrong one releases nothing', async () => {
    const held = await acquireLock(hosts[1].engine, { stack: STACK, ttlMs: 60_000 });
    await assert.rejects(releaseLock(hosts[1].engine, STACK, 'not-the-id'), /has id [0-9a-f]+, not not-the-id .*nothing was released/);
    assert.equal((await readLock(hosts[1].engine, STACK))?.id, held.holder.id);
    assert.equal(await releaseLock(hosts[1].engine, STACK, held.holder.id), true);
  });

  it('an expired lock is taken over, and says so', async () => {
    const stale = await acquireLock(hosts[0].engine, { stack: STACK, ttlMs: 1, message: 'killed run' });
    await new Promise((r) => setTimeout(r, 20));
    const fresh = await acquireLock(hosts[0].engine, { stack: STACK, ttlMs: 60_000 });
    assert.equal(fresh.tookOver?.id, stale.holder.id);
    assert.equal(fresh.tookOver?.message, 'killed run');
    await releaseLock(hosts[0].engine, STACK, fresh.holder.id);
  });

  it('locking all hosts fails fast naming the holder, and releases what it had taken', async () => {
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

  it('with a lock timeout, waits for a holder that releases in time', async () => {
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
