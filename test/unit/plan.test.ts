import { Construct } from 'constructs';
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthCheck, Host, Image, Network, Secret, Service, Stack, Testing, UpdateOrder, Volume } from '../../lib';
import type { ImageDefaults } from '../../lib/engine/normalize-container';
import type { ObservedContainer, ObservedHostState } from '../../lib/engine/read-host-state';
import type { ContainerResource, GraphDocument, NetworkResource, StackGraph, VolumeResource } from '../../lib/graph/graph-document';
import { buildPlan, hasChanges } from '../../lib/plan/build-plan';
import { planStack } from '../../lib/plan/plan-stack';
import type { PlanDocument, StackPlan } from '../../lib/plan/plan-types';
import { renderPlanMarkdown, renderPlanText } from '../../lib/plan/render-plan';

const NO_IMAGE_DEFAULTS: ImageDefaults = { entrypoint: null, command: null, env: {}, user: null, workingDir: null, healthcheck: null, labels: {}, volumes: [] };

interface Options {
  memory?: string;
  webEnv?: string;
  secret?: string;
  batchSize?: number;
  driver?: string;
}

/** A two-host stack: db (volume, secret, host port -> stop-first) and web x2 (start-first). */
function graphOf(o: Options = {}): GraphDocument {
  process.env.HOIST_PLAN_TEST_SECRET = o.secret ?? 'first';
  const app = Testing.app();
  const stack = new Stack(app, 'shop');
  new Host(stack, 'h1', { address: '10.9.0.1' });
  new Host(stack, 'h2', { address: '10.9.0.2' });
  const net = new Network(stack, 'backend');
  const data = new Volume(stack, 'pgdata', { driver: o.driver });
  const secret = Secret.fromEnv(stack, 'db-password', 'HOIST_PLAN_TEST_SECRET');
  const db = new Service(stack, 'db', {
    image: Image.fromRegistry('postgres:15'), mounts: [data.mount('/data')], networks: [net], secrets: [secret],
    ports: [{ host: 5432, container: 5432 }], placement: { hosts: [stack.node.findChild('h1') as Host] }, healthCheck: HealthCheck.tcp(5432),
  });
  new Service(stack, 'web', {
    image: Image.fromRegistry('busybox:1.36'), command: ['httpd', '-f'], environment: { MODE: o.webEnv ?? 'a' },
    networks: [net], replicas: 2, resources: { memory: o.memory ?? '64MiB' }, dependsOn: [db.whenHealthy()],
    update: { batchSize: o.batchSize ?? 1, order: UpdateOrder.START_FIRST },
  });
  return Testing.synth(app);
}

/** What a host looks like when it runs exactly `stack` (as apply would leave it). */
function inSync(stack: StackGraph, host: string): ObservedHostState {
  const mine = stack.resources.filter((r) => r.host === host);
  return {
    host,
    engine: 'docker',
    containers: mine.filter((r): r is ContainerResource => r.kind === 'container').map((r): ObservedContainer => ({
      id: `id-${r.spec.name}-${host}`, name: r.spec.name, resourceId: r.id, specHash: r.hash, revision: 1, created: '2026-01-01T00:00:00.000Z',
      image: r.spec.image.reference, imageId: `sha256:${r.spec.image.reference}`, state: { status: 'running', exitCode: null, health: 'healthy' }, rolloutCopy: false,
      spec: r.spec, imageDefaults: NO_IMAGE_DEFAULTS,
    })),
    images: mine.filter((r) => r.kind === 'image').map((r) => {
      const reference = (r as { spec: { reference: string } }).spec.reference;
      return { id: `sha256:${reference}`, references: [reference] };
    }),
    networks: mine.filter((r): r is NetworkResource => r.kind === 'network').map((r) => ({ id: `net-${host}`, resourceId: r.id, specHash: r.hash, spec: { ...r.spec, subnet: '172.20.0.0/16' } })),
    volumes: mine.filter((r): r is VolumeResource => r.kind === 'volume').map((r) => ({ resourceId: r.id, specHash: r.hash, spec: r.spec })),
    foreign: [],
  };
}

function plan(desired: GraphDocument, observed: Record<string, ObservedHostState>, options = { deleteVolumes: false }): StackPlan {
  return planStack(desired.stacks[0], new Map(Object.entries(observed)), options);
}

function world(graph: GraphDocument): Record<string, ObservedHostState> {
  return { h1: inSync(graph.stacks[0], 'h1'), h2: inSync(graph.stacks[0], 'h2') };
}

const brief = (p: StackPlan) => p.actions.map((a) => `${a.step} ${a.action} ${a.kind} ${a.name}@${a.host}${a.batch ? ` b${a.batch}` : ''}`);

describe('planStack', () => {
  it('plans every object as a create on empty hosts, infrastructure first, then services in dependency order', () => {
    const graph = graphOf();
    const empty = (host: string): ObservedHostState => ({ host, engine: 'docker', containers: [], images: [], networks: [], volumes: [], foreign: [] });
    const p = plan(graph, { h1: empty('h1'), h2: empty('h2') });
    assert.deepEqual(brief(p), [
      '1 create image busybox:1.36@h1', '1 create image postgres:15@h1', '1 create network shop-backend@h1', '1 create volume shop-pgdata@h1',
      '1 create image busybox:1.36@h2', '1 create network shop-backend@h2',
      '2 create container shop-db-1@h1',
      '3 create container shop-web-1@h1', '3 create container shop-web-1@h2',
    ]);
    assert.ok(p.actions.every((a) => a.causes.length === 1 && a.causes[0].type === 'missing'));
  });

  it('a volume or network whose construct moved (same engine name, the old id no longer wanted) is the one wanted: no create, no leftover; a moved container is a conflict, not a failed apply', () => {
    const before = graphOf();
    const app = Testing.app();
    const stack = new Stack(app, 'shop');
    const h1 = new Host(stack, 'h1', { address: '10.9.0.1' });
    new Host(stack, 'h2', { address: '10.9.0.2' });
    // The same volume and network, now inside a composite: new construct paths, the same engine names.
    const group = new Construct(stack, 'data');
    const net = new Network(group, 'backend');
    const data = new Volume(group, 'pgdata');
    process.env.HOIST_PLAN_TEST_SECRET = 'first';
    const secret = Secret.fromEnv(stack, 'db-password', 'HOIST_PLAN_TEST_SECRET');
    new Service(stack, 'db', {
      image: Image.fromRegistry('postgres:15'), mounts: [data.mount('/data')], networks: [net], secrets: [secret],
      ports: [{ host: 5432, container: 5432 }], placement: { hosts: [h1] }, healthCheck: HealthCheck.tcp(5432),
    });
    const after: GraphDocument = Testing.synth(app);
    const p = plan(after, { h1: inSync(before.stacks[0], 'h1'), h2: inSync(before.stacks[0], 'h2') });
    assert.ok(!p.actions.some((a) => a.kind === 'volume' || a.kind === 'network'), `no volume or network action: ${brief(p).join(', ')}`);
    assert.deepEqual(p.kept, [], 'the moved volume is not reported as left over');
    // The db container mounts the same volume and joins the same network by engine name: which
    // construct they came from changed, and that alone changes nothing on the host.
    assert.deepEqual(p.actions.filter((a) => a.name === 'shop-db-1'), [], 'the db container is left as it is');
    const web = p.actions.filter((a) => a.kind === 'container' && a.name === 'shop-web-1');
    assert.ok(web.every((a) => a.action === 'delete'), 'web left the graph');

    const movedService = Testing.app();
    const stack3 = new Stack(movedService, 'shop');
    const host3 = new Host(stack3, 'h1', { address: '10.9.0.1' });
    new Host(stack3, 'h2', { address: '10.9.0.2' });
    const inner = new Construct(stack3, 'web-tier');
    new Service(inner, 'web', { image: Image.fromRegistry('busybox:1.36'), placement: { hosts: [host3] } });
    const conflict = plan(Testing.synth(movedService), { h1: inSync(before.stacks[0], 'h1'), h2: inSync(before.stacks[0], 'h2') });
    assert.deepEqual(conflict.conflicts.map((c) => c.message), [
      'container shop-web-1 on h1 belongs to container:shop/web#1@h1, which left the graph, and container:shop/web-tier/web#1@h1 needs its name (its construct moved or was renamed): Hoist cannot move a container yet; remove the old one first (hoist destroy removes the stack\'s containers and keeps its volumes), or keep the construct path',
    ]);
  });

  it('rolls out services that do not depend on each other in the same steps', () => {
    const app = Testing.app();
    const stack = new Stack(app, 'shop');
    new Host(stack, 'h1', { address: '10.9.0.1' });
    const service = (id: string, mode: string, dependsOn: Service[] = []) => new Service(stack, id, { image: Image.fromRegistry('busybox:1.36'), environment: { MODE: mode }, dependsOn });
    const a = service('a', '1');
    service('b', '1');
    service('c', '1', [a]);
    const graph: GraphDocument = Testing.synth(app);
    const empty: ObservedHostState = { host: 'h1', engine: 'docker', containers: [], images: [], networks: [], volumes: [], foreign: [] };
    assert.deepEqual(brief(plan(graph, { h1: empty })), [
      '1 create image busybox:1.36@h1', '2 create container shop-a-1@h1', '2 create container shop-b-1@h1', '3 create container shop-c-1@h1',
    ]);
    const app2 = Testing.app();
    const stack2 = new Stack(app2, 'shop');
    new Host(stack2, 'h1', { address: '10.9.0.1' });
    const a2 = new Service(stack2, 'a', { image: Image.fromRegistry('busybox:1.36'), environment: { MODE: '2' } });
    new Service(stack2, 'b', { image: Image.fromRegistry('busybox:1.36'), environment: { MODE: '2' } });
    new Service(stack2, 'c', { image: Image.fromRegistry('busybox:1.36'), environment: { MODE: '2' }, dependsOn: [a2] });
    assert.deepEqual(brief(plan(Testing.synth(app2), { h1: inSync(graph.stacks[0], 'h1') })), [
      '1 replace container shop-a-1@h1 b1', '1 replace container shop-b-1@h1 b1', '2 replace container shop-c-1@h1 b1',
    ]);
  });

  it('plans nothing when the hosts run exactly the graph', () => {
    const graph = graphOf();
    const p = plan(graph, world(graph));
    assert.deepEqual(p.actions, []);
    assert.deepEqual(p.conflicts, []);
  });

  it('updates in place when only a limit changed in the graph', () => {
    const p = plan(graphOf({ memory: '128MiB' }), world(graphOf()));
    assert.deepEqual(brief(p), ['1 update container shop-web-1@h1', '1 update container shop-web-1@h2']);
    assert.deepEqual(p.actions[0].causes, [{ type: 'changed', field: 'resources.memoryBytes', before: 64 * 1024 ** 2, after: 128 * 1024 ** 2 }]);
  });

  it('replaces instead on a Podman host, whose API cannot change a running container', () => {
    const observed = world(graphOf());
    observed.h2 = { ...observed.h2, engine: 'podman' };
    const p = plan(graphOf({ memory: '128MiB' }), observed);
    assert.deepEqual(brief(p), ['1 update container shop-web-1@h1', '2 replace container shop-web-1@h2 b1']);
  });

  it('replaces a container that was created but never started (a killed run may have left it half made)', () => {
    const graph = graphOf();
    const observed = world(graph);
    const web = observed.h2.containers.find((c) => c.name === 'shop-web-1')!;
    observed.h2.containers[observed.h2.containers.indexOf(web)] = { ...web, state: { status: 'created', exitCode: null, health: null } };
    const p = plan(graph, observed);
    assert.deepEqual(brief(p), ['1 replace container shop-web-1@h2 b1']);
    assert.deepEqual(p.actions[0].causes, [{ type: 'not-running', state: 'created', exitCode: null }]);
  });

  it('removes rollout copies a killed apply left, and never takes them for the container itself', () => {
    const graph = graphOf();
    const observed = world(graph);
    const web = observed.h1.containers.find((c) => c.name === 'shop-web-1')!;
    // A newer copy under the -hoist-next name, with another spec: it must not be compared or kept.
    observed.h1.containers.push({ ...web, id: 'next', name: 'shop-web-1-hoist-next', rolloutCopy: true, spec: { ...web.spec!, env: { MODE: 'z' } } });
    const p = plan(graph, observed);
    assert.deepEqual(brief(p), ['1 delete container shop-web-1-hoist-next@h1']);
    assert.deepEqual(p.actions[0].causes, [{ type: 'rollout-leftover' }]);
    assert.match(renderPlanText({ ...buildPlan(graph, new Map([['h1', { engine: 'docker', states: new Map([['shop', observed.h1]]) }], ['h2', { engine: 'docker', states: new Map([['shop', observed.h2]]) }]]), { deleteVolumes: false }) }, { color: false }).join('\n'), /left by an apply that did not finish/);
  });

  it('reports a limit changed by hand as drift, and plans to put it back', () => {
    const graph = graphOf();
    const observed = world(graph);
    const web = observed.h2.containers.find((c) => c.name === 'shop-web-1')!;
    observed.h2.containers[observed.h2.containers.indexOf(web)] = { ...web, spec: { ...web.spec!, resources: { ...web.spec!.resources, memoryBytes: 1 } } };
    const p = plan(graph, observed);
    assert.deepEqual(brief(p), ['1 update container shop-web-1@h2']);
    assert.deepEqual(p.actions[0].causes, [{ type: 'drift', field: 'resources.memoryBytes', before: 1, after: 64 * 1024 ** 2 }]);
  });

  it('replaces containers whose config changed, start-first in batches of the service\'s batchSize', () => {
    const one = plan(graphOf({ webEnv: 'b' }), world(graphOf()));
    assert.deepEqual(brief(one), ['1 replace container shop-web-1@h1 b1', '2 replace container shop-web-1@h2 b2']);
    assert.equal(one.actions[0].order, 'start-first');
    assert.deepEqual(one.actions[0].causes, [{ type: 'changed', field: 'env.MODE', before: 'a', after: 'b' }]);
    const two = plan(graphOf({ webEnv: 'b', batchSize: 2 }), world(graphOf({ batchSize: 2 })));
    assert.deepEqual(brief(two), ['1 replace container shop-web-1@h1 b1', '1 replace container shop-web-1@h2 b1']);
  });

  it('a changed secret replaces its containers, stop-first for a fixed host port, and says only that the value changed', () => {
    const graph = graphOf({ secret: 'second' });
    const p = plan(graph, world(graphOf({ secret: 'first' })));
    assert.deepEqual(brief(p), ['1 replace container shop-db-1@h1 b1']);
    assert.equal(p.actions[0].order, 'stop-first');
    const text = renderPlanText(wrap(p), { color: false }).join('\n');
    assert.match(text, /-\/\+ container shop-db-1 will be replaced \(old one stopped first, batch 1\)/);
    assert.match(text, /~ secrets: \(sensitive value changed\)/);
    assert.doesNotMatch(text, /hmac-sha256/);
  });

  it('starts a container that stopped outside Hoist', () => {
    const graph = graphOf();
    const observed = world(graph);
    const web = observed.h1.containers.find((c) => c.name === 'shop-web-1')!;
    observed.h1.containers[observed.h1.containers.indexOf(web)] = { ...web, state: { status: 'exited', exitCode: 137, health: null } };
    const p = plan(graph, observed);
    assert.deepEqual(brief(p), ['1 update container shop-web-1@h1']);
    assert.deepEqual(p.actions[0].causes, [{ type: 'not-running', state: 'exited', exitCode: 137 }]);
  });

  it('replaces a container whose image reference now names other content', () => {
    const graph = graphOf();
    const observed = world(graph);
    observed.h2.images[observed.h2.images.findIndex((i) => i.references.includes('busybox:1.36'))] = { id: 'sha256:newer', references: ['busybox:1.36'] };
    const p = plan(graph, observed);
    assert.deepEqual(brief(p), ['1 replace container shop-web-1@h2 b1']);
    assert.equal(p.actions[0].causes[0].type, 'image-content');
  });

  it('deletes what the stack owns but no longer wants; keeps volumes unless asked, then flags data loss', () => {
    const graph = graphOf();
    const observed = world(graph);
    const stale = { ...observed.h1.containers[0], id: 'old', name: 'shop-old-1', resourceId: 'container:shop/old#1@h1' };
    observed.h1.containers.push(stale);
    observed.h1.volumes.push({ resourceId: 'volume:shop/cache@h1', specHash: 'sha256:x', spec: { name: 'shop-cache', driver: 'local', options: {}, labels: {} } });
    const kept = plan(graph, observed);
    assert.deepEqual(brief(kept), ['1 delete container shop-old-1@h1']);
    assert.match(kept.kept[0].reason, /volumes are kept \(pass --delete-volumes/);
    const deleted = plan(graph, observed, { deleteVolumes: true });
    assert.deepEqual(brief(deleted), ['1 delete container shop-old-1@h1', '2 delete volume shop-cache@h1']);
    assert.equal(deleted.actions[1].dataLoss, true);
  });

  it('never touches an object without the stack\'s labels that holds a needed name: a conflict', () => {
    const graph = graphOf();
    const observed = world(graph);
    observed.h2.containers.splice(0, observed.h2.containers.length);
    observed.h2.foreign.push({ kind: 'container', name: 'shop-web-1', id: 'theirs' });
    const p = plan(graph, observed);
    assert.deepEqual(brief(p), []);
    assert.deepEqual(p.conflicts.map((c) => [c.host, c.kind, c.name]), [['h2', 'container', 'shop-web-1']]);
    assert.match(p.conflicts[0].message, /without this stack's labels; Hoist will not touch it/);
  });

  it('refuses to replace a retained volume whose spec changed', () => {
    const p = plan(graphOf({ driver: 'nfs' }), world(graphOf()));
    assert.deepEqual(brief(p), []);
    assert.match(p.conflicts[0].message, /volume shop-pgdata on h1 differs from the graph \(driver: "local" -> "nfs"\) and is retained/);
  });

  it('replaces containers whose network is replaced', () => {
    const graph = graphOf();
    const observed = world(graph);
    observed.h1.networks[0] = { ...observed.h1.networks[0], spec: { ...observed.h1.networks[0].spec, internal: true } };
    const p = plan(graph, observed);
    assert.deepEqual(brief(p), ['1 replace network shop-backend@h1', '2 replace container shop-db-1@h1 b1', '3 replace container shop-web-1@h1 b1']);
    assert.deepEqual(p.actions[1].causes, [{ type: 'dependency-replaced', dependency: 'network:shop/backend@h1' }]);
  });

  it('treats a desired value equal to the image default as the default the host reports', () => {
    const graph = graphOf();
    const observed = world(graph);
    for (const c of observed.h1.containers.filter((x) => x.name === 'shop-web-1')) {
      Object.assign(c, { spec: { ...c.spec!, command: null }, imageDefaults: { ...NO_IMAGE_DEFAULTS, command: ['httpd', '-f'] } });
    }
    assert.deepEqual(plan(graph, observed).actions, []);
  });

  it('--target plans only the targeted service and what it needs', () => {
    const graph = graphOf({ webEnv: 'b', memory: '128MiB' });
    const observed = world(graphOf());
    observed.h1.networks.splice(0);
    const p = planStack(graph.stacks[0], new Map(Object.entries(observed)), { deleteVolumes: false, targets: ['shop/web'] });
    assert.deepEqual(brief(p), ['1 create network shop-backend@h1', '2 replace container shop-web-1@h1 b1', '3 replace container shop-web-1@h2 b2']);
  });
});

function wrap(stackPlan: StackPlan): PlanDocument {
  const summary = { build: 0, create: 0, update: 0, replace: 0, delete: 0 };
  for (const a of stackPlan.actions) summary[a.action]++;
  return { format_version: '1.0', created_at: '2026-01-01T00:00:00.000Z', graph_hash: 'sha256:0', host_fingerprints: {}, stacks: [stackPlan], summary, targets: null };
}

describe('buildPlan and rendering', () => {
  it('produces a versioned document with graph hash, host fingerprints and summary', () => {
    const graph = graphOf({ webEnv: 'b' });
    const observations = new Map(Object.entries(world(graphOf())).map(([h, s]) => [h, { engine: 'docker' as const, states: new Map([['shop', s]]) }]));
    const doc = buildPlan(graph, observations, { deleteVolumes: false, now: new Date('2026-01-01T00:00:00Z') });
    assert.equal(doc.format_version, '1.0');
    assert.match(doc.graph_hash, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(doc.host_fingerprints), ['h1', 'h2']);
    assert.notEqual(doc.host_fingerprints.h1, doc.host_fingerprints.h2);
    assert.deepEqual(doc.summary, { build: 0, create: 0, update: 0, replace: 2, delete: 0 });
    assert.equal(hasChanges(doc), true);
    const again = buildPlan(graph, observations, { deleteVolumes: false, now: new Date('2026-01-01T00:00:00Z') });
    assert.deepEqual(again, doc, 'planning is a pure function');
  });

  it('renders Terraform-style text with a summary line, colour only when asked', () => {
    const graph = graphOf({ webEnv: 'line one\nline two' });
    const doc = buildPlan(graph, new Map(Object.entries(world(graphOf())).map(([h, s]) => [h, { engine: 'docker' as const, states: new Map([['shop', s]]) }])), { deleteVolumes: false });
    const plain = renderPlanText(doc, { color: false }).join('\n');
    assert.match(plain, /\+\/- container shop-web-1 will be replaced \(new one started first, batch 1\)/);
    assert.match(plain, /~ env\.MODE:\n +- a\n +\+ line one\n +\+ line two/);
    assert.match(plain, /^Plan: 0 to create, 0 to update, 2 to replace, 0 to delete\.$/m);
    assert.doesNotMatch(plain, /\u001b\[/);
    assert.match(renderPlanText(doc, { color: true }).join('\n'), /\u001b\[35m/);
    const md = renderPlanMarkdown(doc).join('\n');
    assert.match(md, /^### Hoist plan: 0 to create, 0 to update, 2 to replace, 0 to delete$/m);
    assert.match(md, /\| 1 \| h1 \| \+\/- replace \| container `shop-web-1` \|/);
  });
});
