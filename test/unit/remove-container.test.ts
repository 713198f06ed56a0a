import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ForeignContainerError, removeOwnedContainer } from '../../lib/engine/remove-container';
import { LoopbackEngine } from '../helpers/loopback-engine';

/**
 * removeOwnedContainer's decisions, against a loopback engine that records what it is asked:
 * which container it removes (by id, never with v=true), which volumes go with it, and that it
 * touches nothing without the stack's labels (apply's own refusal, behind the planner's).
 */
describe('removeOwnedContainer', () => {
  const engine = new LoopbackEngine();
  let requests: string[] = [];
  const secretVolume = 'hoist-secrets-0123456789abcdef';
  const dataVolume = 'a'.repeat(64);
  let labels: Record<string, string> = {};

  before(async () => {
    await engine.start();
    const json = (body: unknown) => (_req: unknown, res: import('node:http').ServerResponse) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    engine.route('GET /v1.41/containers/shop-db-1/json', (req, res) => json({
      Id: 'c'.repeat(64),
      Config: { Labels: labels },
      Mounts: [
        { Type: 'volume', Name: secretVolume, Destination: '/run/secrets' },
        { Type: 'volume', Name: dataVolume, Destination: '/var/lib/postgresql/data' },
      ],
    })(req, res));
    const record = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(204).end();
    };
    engine.route(`DELETE /v1.41/containers/${'c'.repeat(64)}`, record);
    engine.route(`DELETE /v1.41/volumes/${secretVolume}`, record);
    engine.route(`DELETE /v1.41/volumes/${dataVolume}`, record);
  });

  after(() => engine.stop());

  const owned = () => ({
    'hoist.managed-by': 'hoist', 'hoist.stack': 'shop', 'hoist.resource': 'container:shop/db#1@h1',
    'hoist.spec': JSON.stringify({ secrets: [{ resource: 'secret:shop/pw', target: '/run/secrets/pw', env: null }] }),
  });

  it('removes an owned container by id without v, then its secret volume; keeps its anonymous data volume', async () => {
    labels = owned();
    requests = [];
    assert.equal(await removeOwnedContainer(engine.client(), 'shop-db-1', { stack: 'shop' }), true);
    assert.deepEqual(requests, [`DELETE /v1.41/containers/${'c'.repeat(64)}?force=true&v=false`, `DELETE /v1.41/volumes/${secretVolume}`]);
  });

  it('deletes the anonymous data volume only when asked by name', async () => {
    labels = owned();
    requests = [];
    await removeOwnedContainer(engine.client(), 'shop-db-1', { stack: 'shop', deleteVolumes: [dataVolume, 'b'.repeat(64)] });
    assert.deepEqual(requests.slice(1).sort(), [`DELETE /v1.41/volumes/${dataVolume}`, `DELETE /v1.41/volumes/${secretVolume}`].sort());
  });

  it('refuses, touching nothing, a container without the stack\'s labels, of another stack, or of another resource', async () => {
    for (const [what, set, options] of [
      ['no labels', {}, { stack: 'shop' }],
      ['another stack', { ...owned(), 'hoist.stack': 'other' }, { stack: 'shop' }],
      ['another resource', owned(), { stack: 'shop', resource: 'container:shop/web#1@h1' }],
    ] as const) {
      labels = set;
      requests = [];
      await assert.rejects(removeOwnedContainer(engine.client(), 'shop-db-1', options), (error: Error) => {
        assert.ok(error instanceof ForeignContainerError, `${what}: ${error}`);
        assert.match(error.message, /a container named shop-db-1 exists .*Hoist will not touch it/);
        return true;
      });
      assert.deepEqual(requests, [], `${what}: nothing removed`);
    }
  });

  it('says false for a container that is not there', async () => {
    assert.equal(await removeOwnedContainer(engine.client(), 'shop-gone-1', { stack: 'shop' }), false);
  });
});
