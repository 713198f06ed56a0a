import * as assert from 'node:assert/strict';
import type * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { EngineError } from '../../lib/drivers/engine-error';
import { readLock } from '../../lib/engine/host-lock';
import { tarArchive } from '../../lib/drivers/tar-archive';
import { LoopbackEngine } from '../helpers/loopback-engine';

/**
 * The lock reader racing other runs. When another run removes the lock between two of its
 * reads, Docker answers a read of a container mid-removal with a 500 that names its missing
 * layer (seen in CI when ten runs took over one expired lock at once). That is "gone", so the
 * reader says nobody holds it and acquireLock races for a new lock, instead of failing the run.
 * When the holder renews the lock while it is read, the engine replaces the renewal file under
 * the read (seen in CI on Podman): the reader reads again rather than call the lock expired.
 */
describe('readLock while another run removes or renews the lock', () => {
  const engine = new LoopbackEngine();
  const id = 'd'.repeat(64);
  let archive: (res: http.ServerResponse) => void = () => undefined;
  let inspect: (res: http.ServerResponse) => void = () => undefined;
  const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  const expiredLock = (res: http.ServerResponse) => json(res, 200, {
    Id: id,
    Created: new Date(Date.now() - 60_000).toISOString(),
    Config: {
      Labels: {
        'hoist.managed-by': 'hoist', 'hoist.stack': 'shop', 'hoist.lock.id': 'abcdefabcdef', 'hoist.lock.user': 'ci',
        'hoist.lock.machine': 'runner', 'hoist.lock.pid': '42', 'hoist.lock.ttl': '1000',
      },
    },
  });

  before(async () => {
    await engine.start();
    engine.route('GET /v1.41/containers/hoist-lock-shop/json', (_req, res) => inspect(res));
    engine.route(`GET /v1.41/containers/${id}/json`, (_req, res) => inspect(res));
    engine.route(`GET /v1.41/containers/${id}/archive`, (_req, res) => archive(res));
  });

  after(() => engine.stop());

  it('Docker\'s "RWLayer ... is unexpectedly nil" is a removal in progress, not a failure', async () => {
    inspect = (res) => json(res, 500, { message: `RWLayer of container ${id} is unexpectedly nil` });
    await assert.rejects(engine.client().inspectContainer('hoist-lock-shop'), (error: Error) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.reason, 'removal-in-progress');
      return true;
    });
    assert.equal(await readLock(engine.client(), 'shop'), undefined, 'a lock mid-removal is held by nobody');
  });

  it('an expired lock whose renewal read meets its removal is held by nobody', async () => {
    inspect = expiredLock;
    archive = (res) => json(res, 500, { message: `RWLayer of container ${id} is unexpectedly nil` });
    assert.equal(await readLock(engine.client(), 'shop'), undefined);
  });

  it('an expired lock removed between inspect and the renewal read is held by nobody', async () => {
    let inspects = 0;
    inspect = (res) => (inspects++ === 0 ? expiredLock(res) : json(res, 404, { message: `No such container: ${id}` }));
    archive = (res) => json(res, 404, { message: `No such container: ${id}` });
    assert.equal(await readLock(engine.client(), 'shop'), undefined);
  });

  it('an expired lock that was never renewed (no renewal file) is read as expired', async () => {
    inspect = expiredLock;
    archive = (res) => json(res, 404, { message: 'Could not find the file /hoist-lock-renewed in container' });
    const holder = await readLock(engine.client(), 'shop');
    assert.equal(holder?.id, 'abcdefabcdef');
    assert.equal(holder?.expired, true);
    assert.equal(holder?.renewed, null);
  });

  it('any other engine failure still fails the read', async () => {
    inspect = expiredLock;
    archive = (res) => json(res, 500, { message: 'disk I/O error' });
    await assert.rejects(readLock(engine.client(), 'shop'), /disk I\/O error/);
  });

  it('a renewal read that meets the renewal being written (file absent, empty, cut short) waits for the whole time', async () => {
    inspect = expiredLock;
    const renewed = new Date(Date.now() - 500).toISOString();
    const whole = await tarArchive([{ header: { name: 'hoist-lock-renewed', mode: 0o644, mtime: new Date(0) }, content: renewed }]);
    const empty = await tarArchive([{ header: { name: 'hoist-lock-renewed', mode: 0o644, mtime: new Date(0) }, content: '' }]);
    // Cut after the minutes, this would parse as a time a minute older: the lock would look expired.
    const cut = await tarArchive([{ header: { name: 'hoist-lock-renewed', mode: 0o644, mtime: new Date(0) }, content: renewed.slice(0, 16) }]);
    const answers: ((res: http.ServerResponse) => void)[] = [
      (res) => json(res, 404, { message: 'Could not find the file /hoist-lock-renewed in container' }),
      (res) => res.writeHead(200, { 'Content-Type': 'application/x-tar' }).end(empty),
      (res) => res.writeHead(200, { 'Content-Type': 'application/x-tar' }).end(cut),
      (res) => res.writeHead(200, { 'Content-Type': 'application/x-tar' }).end(whole),
    ];
    let reads = 0;
    archive = (res) => answers[Math.min(reads++, answers.length - 1)](res);
    const holder = await readLock(engine.client(), 'shop');
    assert.equal(reads, 4, 'read again until the renewal was whole');
    assert.equal(holder?.renewed, renewed);
    assert.equal(holder?.expired, false, 'a renewing run\'s lock is not expired');
  });

  it('Podman\'s 500 "no such file or directory" for a file being replaced is "not there", and the read waits for it', async () => {
    inspect = expiredLock;
    const renewed = new Date(Date.now() - 500).toISOString();
    const whole = await tarArchive([{ header: { name: 'hoist-lock-renewed', mode: 0o644, mtime: new Date(0) }, content: renewed }]);
    let reads = 0;
    archive = (res) => (reads++ === 0
      ? json(res, 500, { message: 'lstat /var/lib/containers/storage/overlay/x/merged/hoist-lock-renewed: no such file or directory' })
      : res.writeHead(200, { 'Content-Type': 'application/x-tar' }).end(whole));
    const podman = engine.client({ engine: 'podman' });
    await assert.rejects(podman.getArchive(id, '/hoist-lock-renewed').then(() => (reads = 0)), (error: Error) => error instanceof EngineError && error.reason === 'not-found');
    reads = 0;
    const holder = await readLock(podman, 'shop');
    assert.equal(holder?.renewed, renewed);
    assert.equal(holder?.expired, false);
  });
});
