import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DependencyCondition, HealthCheck, Host, Image, Mount, Network, Secret, Service, Stack, Testing, UpdateOrder, Volume,
} from '../../lib';
import { canonicalJson } from '../../lib/graph/canonical-json';
import { specHash } from '../../lib/graph/spec-hash';
import { containers, onlyStack, resourceById } from '../helpers/graph';

function shop(options: { reverse?: boolean; memory?: string; batchSize?: number } = {}) {
  const app = Testing.app();
  const stack = new Stack(app, 'shop', { defaults: { resources: { memory: options.memory ?? '256MiB', pids: 100 } } });
  const declare: (() => void)[] = [];
  let db!: Service;
  let net!: Network;
  let data!: Volume;
  let secret!: Secret;
  declare.push(() => new Host(stack, 'web-1', { address: '10.9.0.1', roles: ['web'] }));
  declare.push(() => new Host(stack, 'web-2', { address: '10.9.0.2', roles: ['web'] }));
  declare.push(() => new Host(stack, 'db-1', { address: '10.9.0.3', roles: ['db'], engine: 'podman' as any }));
  process.env.HOIST_TEST_DB_PASSWORD = 'pa$$w0rd';
  const body = () => {
    net = new Network(stack, 'backend');
    data = new Volume(stack, 'pgdata');
    secret = Secret.fromEnv(stack, 'db-password', 'HOIST_TEST_DB_PASSWORD');
    db = new Service(stack, 'db', {
      image: Image.fromRegistry('postgres:15'),
      mounts: [data.mount('/var/lib/postgresql/data')],
      networks: [net.withAliases('postgres')],
      secrets: [secret],
      placement: { roles: ['db'] },
      healthCheck: HealthCheck.tcp(5432),
    });
    new Service(stack, 'web', {
      image: Image.fromRegistry('busybox:1.36'),
      command: ['httpd', '-f', '-p', '8080'],
      ports: [{ container: 8080, host: 80 }],
      environment: { ZED: 'last', ALPHA: 'first' },
      networks: [net],
      replicas: 2,
      placement: { roles: ['web'] },
      resources: { cpus: 0.5 },
      capDrop: ['cap_net_raw', 'ALL'],
      dependsOn: [db.whenHealthy()],
      update: { batchSize: options.batchSize ?? 1 },
    });
  };
  if (options.reverse) {
    body();
    declare.reverse().forEach((f) => f());
  } else {
    declare.forEach((f) => f());
    body();
  }
  return app;
}

describe('Testing.synth', () => {
  it('expands a service into one container per replica, with stable ids and engine names', () => {
    const stack = onlyStack(Testing.synth(shop()));
    assert.deepEqual(containers(stack).map((c) => [c.id, c.host, c.spec.name]), [
      ['container:shop/db#1@db-1', 'db-1', 'shop-db-1'],
      ['container:shop/web#1@web-1', 'web-1', 'shop-web-1'],
      ['container:shop/web#1@web-2', 'web-2', 'shop-web-1'],
    ]);
  });

  it('places networks, volumes, images and secrets only on the hosts whose containers use them', () => {
    const stack = onlyStack(Testing.synth(shop()));
    const ids = stack.resources.filter((r) => r.kind !== 'container').map((r) => r.id);
    assert.deepEqual(ids, [
      'image:busybox:1.36@web-1', 'image:busybox:1.36@web-2', 'image:postgres:15@db-1',
      'network:shop/backend@db-1', 'network:shop/backend@web-1', 'network:shop/backend@web-2',
      'secret:shop/db-password@db-1', 'volume:shop/pgdata@db-1',
    ]);
  });

  it('records implicit dependencies and the dependsOn condition on every replica of the dependency', () => {
    const stack = onlyStack(Testing.synth(shop()));
    const web = resourceById(stack, 'container:shop/web#1@web-2');
    assert.deepEqual(web.dependsOn, [
      { id: 'container:shop/db#1@db-1', condition: DependencyCondition.HEALTHY },
      { id: 'image:busybox:1.36@web-2', condition: 'exists' },
      { id: 'network:shop/backend@web-2', condition: 'exists' },
    ]);
    const db = resourceById(stack, 'container:shop/db#1@db-1');
    assert.deepEqual(db.dependsOn.map((d) => d.id), [
      'image:postgres:15@db-1', 'network:shop/backend@db-1', 'secret:shop/db-password@db-1', 'volume:shop/pgdata@db-1',
    ]);
  });

  it('normalizes units, capabilities, aliases and applies stack defaults field by field', () => {
    const web = containers(onlyStack(Testing.synth(shop())))[1];
    assert.deepEqual(web.spec.resources, { nanoCpus: 500_000_000, memoryBytes: 256 * 1024 * 1024, memoryReservationBytes: null, pidsLimit: 100 });
    assert.deepEqual(web.spec.capDrop, ['ALL', 'NET_RAW']);
    assert.deepEqual(web.spec.networks, [{ name: 'shop-backend', resource: 'network:shop/backend', aliases: ['web'] }]);
    assert.deepEqual(web.spec.ports, [{ hostIp: '0.0.0.0', hostPort: 80, containerPort: 8080, protocol: 'tcp' }]);
    assert.deepEqual(web.spec.restart, { policy: 'unless-stopped', maxRetries: 0 });
    assert.equal(web.spec.stopTimeoutSeconds, 10);
    const db = containers(onlyStack(Testing.synth(shop())))[0];
    assert.deepEqual(db.spec.networks[0].aliases, ['db', 'postgres']);
    assert.deepEqual(db.spec.healthcheck, { test: ['CMD-SHELL', 'nc -w 2 127.0.0.1 5432 </dev/null'], intervalMs: 10_000, timeoutMs: 5000, retries: 3, startPeriodMs: 0 });
  });

  it('defaults the update order to stop-first for a fixed host port and start-first otherwise', () => {
    const [db, web] = containers(onlyStack(Testing.synth(shop())));
    assert.equal(web.policy.update.order, UpdateOrder.STOP_FIRST);
    assert.equal(db.policy.update.order, UpdateOrder.START_FIRST);
    assert.deepEqual(db.policy.update, { order: 'start-first', batchSize: 1, failureAction: 'rollback', healthTimeoutMs: 60_000 });
  });

  it('hashes the canonical spec: a spec change changes the hash, a policy change does not', () => {
    const base = containers(onlyStack(Testing.synth(shop())))[1];
    assert.equal(base.hash, specHash(base.spec));
    const moreMemory = containers(onlyStack(Testing.synth(shop({ memory: '512MiB' }))))[1];
    assert.notEqual(moreMemory.hash, base.hash);
    const biggerBatches = containers(onlyStack(Testing.synth(shop({ batchSize: 2 }))))[1];
    assert.equal(biggerBatches.hash, base.hash);
    assert.equal(biggerBatches.policy.update.batchSize, 2);
  });

  it('gives a byte-identical graph when the declaration order is shuffled', () => {
    assert.equal(canonicalJson(Testing.synth(shop({ reverse: true }))), canonicalJson(Testing.synth(shop())));
  });

  it('keeps the secret value out of the graph and records a keyed fingerprint', () => {
    const graph = Testing.synth(shop());
    const text = JSON.stringify(graph);
    assert.ok(!text.includes('pa$$w0rd'));
    const secret = resourceById(onlyStack(graph), 'secret:shop/db-password@db-1');
    assert.match((secret.spec as { fingerprint: string }).fingerprint, /^hmac-sha256:[0-9a-f]{8}:[0-9a-f]{64}$/);
  });

  it('spreads replicas evenly over candidate hosts and honours maxPerHost', () => {
    const app = Testing.app();
    const stack = new Stack(app, 'spread');
    for (const n of [1, 2, 3]) new Host(stack, `h${n}`, { address: `10.9.1.${n}` });
    new Service(stack, 'api', { image: Image.fromRegistry('busybox'), replicas: 7 });
    new Service(stack, 'one', { image: Image.fromRegistry('busybox'), replicas: 3, placement: { maxPerHost: 1 } });
    const all = containers(onlyStack(Testing.synth(app)));
    const perHost = (service: string) => {
      const counts: Record<string, number> = {};
      for (const c of all.filter((x) => x.spec.service === service)) counts[c.host] = (counts[c.host] ?? 0) + 1;
      return Object.values(counts).sort();
    };
    assert.deepEqual(perHost('api'), [2, 2, 3]);
    assert.deepEqual(perHost('one'), [1, 1, 1]);
  });

  it('renders mounts of every kind sorted by target', () => {
    const app = Testing.app();
    const stack = new Stack(app, 'm');
    new Host(stack, 'h', { address: 'h.example' });
    const v = new Volume(stack, 'data', { retainOnDelete: false });
    new Service(stack, 'svc', {
      image: Image.fromRegistry('busybox'),
      mounts: [Mount.tmpfs('/tmp', { size: '64MiB' }), Mount.bind('/etc/ssl', '/etc/ssl', { readOnly: true }), v.mount('/data')],
    });
    const stackGraph = onlyStack(Testing.synth(app));
    assert.deepEqual(containers(stackGraph)[0].spec.mounts, [
      { type: 'volume', source: 'm-data', volume: 'volume:m/data', target: '/data', readOnly: false },
      { type: 'bind', source: '/etc/ssl', target: '/etc/ssl', readOnly: true },
      { type: 'tmpfs', target: '/tmp', sizeBytes: 64 * 1024 * 1024 },
    ]);
    assert.deepEqual((resourceById(stackGraph, 'volume:m/data@h') as any).policy, { retainOnDelete: false });
  });

  it('lets hosts defined on the App serve several stacks', () => {
    const app = Testing.app();
    new Host(app, 'shared', { address: '10.9.2.1' });
    for (const name of ['a', 'b']) {
      const stack = new Stack(app, name);
      new Service(stack, 'svc', { image: Image.fromRegistry('busybox') });
    }
    const graph = Testing.synth(app);
    assert.deepEqual(graph.stacks.map((s: any) => [s.name, s.hosts.map((h: any) => h.name), s.resources.length]), [['a', ['shared'], 2], ['b', ['shared'], 2]]);
  });
});
