import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EngineType, Host, Image, Network, Service, Stack, Testing, Volume } from '../../lib';
import { executeStackPlan } from '../../lib/apply/execute-plan';
import type { EngineDriver } from '../../lib/drivers/engine-driver';
import { FakeEngine } from '../../lib/drivers/fake/fake-engine';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { buildPlan, hasChanges } from '../../lib/plan/build-plan';
import { observeHost, readsOnHost } from '../../lib/plan/collect-observations';
import type { PlanDocument } from '../../lib/plan/plan-types';
import { renderPlanText } from '../../lib/plan/render-plan';

/**
 * Adoption of objects Hoist did not make (`adoptContainer`, `existingName`), against the
 * in-memory engine: the plan replaces each adopted container and nothing else, apply keeps
 * the data (named and anonymous volumes), and a new container that fails gives the old one
 * back. test/integration/import-host.test.ts does the same on real Docker and Podman hosts.
 */

const PROJECT = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-adopt-'));
const POSTGRES = { config: { Env: ['PATH=/usr/bin', 'PGDATA=/var/lib/postgresql/data'], Cmd: ['postgres'], Volumes: { '/var/lib/postgresql/data': {} } } };

interface Options {
  /** The name of the container the service adopts; none: the prop is left out. */
  readonly adopt?: string;
  /** Use `existingName` for the volume and the network. */
  readonly existing?: boolean;
}

function graphOf(options: Options = { adopt: 'db', existing: true }): GraphDocument {
  const app = Testing.app({ projectDir: PROJECT });
  const stack = new Stack(app, 'legacy');
  const h1 = new Host(stack, 'h1', { address: '10.9.0.1', engine: EngineType.DOCKER });
  const data = new Volume(stack, 'backups', options.existing ? { existingName: 'backups' } : {});
  const net = new Network(stack, 'appnet', options.existing ? { existingName: 'appnet' } : {});
  new Service(stack, 'db', {
    image: Image.fromRegistry('postgres:15'), mounts: [data.mount('/backup')], networks: [net.withAliases('database')],
    ports: [{ host: 5432, container: 5432 }], placement: { hosts: [h1] },
    ...(options.adopt !== undefined ? { adoptContainer: options.adopt } : {}),
  });
  return Testing.synth(app);
}

/** A host with what `docker network create appnet; docker volume create backups; docker run --name <name> ... postgres:15` leaves. */
async function legacyHost(name = 'db'): Promise<{ engine: FakeEngine; driver: EngineDriver; anonymous: string }> {
  const engine = new FakeEngine({ host: 'h1', kind: 'docker', registry: { 'postgres:15': POSTGRES } });
  engine.addImage('postgres:15', POSTGRES);
  const driver = engine.driver();
  await driver.createNetwork({ Name: 'appnet', Driver: 'bridge', Internal: false, Labels: {} });
  await driver.createVolume({ Name: 'backups', Labels: {} });
  const id = await driver.createContainer(name, {
    Image: 'postgres:15',
    HostConfig: { Mounts: [{ Type: 'volume', Source: 'backups', Target: '/backup' }], PortBindings: { '5432/tcp': [{ HostIp: '', HostPort: '5432' }] } },
    NetworkingConfig: { EndpointsConfig: { appnet: { Aliases: ['database'] } } },
  });
  await driver.startContainer(id);
  const anonymous = String((await driver.inspectContainer(id)).Mounts!.find((m) => m.Destination === '/var/lib/postgresql/data')!.Name);
  return { engine, driver, anonymous };
}

async function plan(graph: GraphDocument, driver: EngineDriver): Promise<PlanDocument> {
  return buildPlan(graph, new Map([['h1', await observeHost(driver, readsOnHost(graph, 'h1'))]]), { deleteVolumes: false });
}

async function apply(graph: GraphDocument, driver: EngineDriver, planned: PlanDocument) {
  return executeStackPlan(planned.stacks[0], graph.stacks[0], {
    clients: new Map([['h1', driver]]), revision: 1, secrets: new Map(), imageSecrets: new Map(), projectDir: PROJECT, parallelism: 4, emit: () => undefined, stopRequested: () => false,
  });
}

describe('adopting containers, volumes and networks Hoist did not make', () => {
  it('the plan replaces the adopted container stop-first and leaves the existing volume and network alone', async () => {
    const { driver } = await legacyHost();
    const planned = await plan(graphOf(), driver);
    const [stack] = planned.stacks;
    assert.deepEqual(stack.conflicts, []);
    assert.deepEqual(stack.actions.map((a) => `${a.action} ${a.kind} ${a.name} ${a.order}`), ['replace container legacy-db-1 stop-first']);
    assert.equal(stack.actions[0].causes[0].type, 'adopt');
    assert.match(renderPlanText(planned, { color: false }).join('\n'), /adopts container db, not made by Hoist/);
  });

  it('apply keeps the named and the anonymous volume, removes the old container, and the next plan is clean', async () => {
    const { engine, driver, anonymous } = await legacyHost();
    const graph = graphOf();
    const result = await apply(graph, driver, await plan(graph, driver));
    assert.ok(result.outcomes.every((o) => o.ok), JSON.stringify(result.outcomes));
    assert.deepEqual(engine.containerNames(), ['legacy-db-1']);
    const mounts = (await driver.inspectContainer('legacy-db-1')).Mounts!;
    assert.equal(mounts.find((m) => m.Destination === '/backup')?.Name, 'backups', 'the existing volume is mounted');
    assert.equal(mounts.find((m) => m.Destination === '/var/lib/postgresql/data')?.Name, anonymous, 'the anonymous data volume was carried over');
    assert.ok(engine.volumeNames().includes('backups') && engine.volumeNames().includes(anonymous));
    assert.deepEqual(engine.networkNames(), ['appnet'], 'no network was created');
    assert.equal(hasChanges(await plan(graph, driver)), false, 'apply-then-plan is clean');
  });

  it('a new container that does not start gives the adopted one back, running, with its name', async () => {
    const { engine, driver } = await legacyHost();
    const graph = graphOf();
    const planned = await plan(graph, driver);
    engine.behaviour = (c) => (c.name === 'legacy-db-1' ? { exitCode: 1, logs: 'FATAL: cannot start' } : {});
    const result = await apply(graph, driver, planned);
    assert.ok(result.outcomes.some((o) => !o.ok), 'the replacement failed');
    assert.deepEqual(engine.containerNames(), ['db']);
    assert.equal((await driver.inspectContainer('db')).State.Running, true);
  });

  it('adopts a container that holds the name Hoist gives the replica (a Compose v2 project of the same name)', async () => {
    const { engine, driver } = await legacyHost('legacy-db-1');
    const graph = graphOf({ adopt: 'legacy-db-1', existing: true });
    const planned = await plan(graph, driver);
    assert.deepEqual(planned.stacks[0].conflicts, []);
    assert.deepEqual(planned.stacks[0].actions.map((a) => a.action), ['replace']);
    const result = await apply(graph, driver, planned);
    assert.ok(result.outcomes.every((o) => o.ok), JSON.stringify(result.outcomes));
    assert.deepEqual(engine.containerNames(), ['legacy-db-1']);
    assert.equal((await driver.inspectContainer('legacy-db-1')).Config.Labels?.['hoist.stack'], 'legacy');
  });

  it('without the opt-in nothing foreign is touched: the container name and prefixed names are conflicts', async () => {
    const { driver } = await legacyHost('legacy-db-1');
    const planned = await plan(graphOf({ existing: true }), driver);
    assert.deepEqual(planned.stacks[0].actions, []);
    assert.match(planned.stacks[0].conflicts.map((c) => c.message).join('\n'), /legacy-db-1 exists on h1 without this stack's labels/);
    // Without existingName the stack wants its own volume and network: created, the user's left alone.
    const { engine, driver: other } = await legacyHost();
    const own = await plan(graphOf({ adopt: 'db', existing: false }), other);
    assert.deepEqual(own.stacks[0].actions.map((a) => `${a.action} ${a.kind} ${a.name}`).sort(), [
      'create network legacy-appnet', 'create volume legacy-backups', 'replace container legacy-db-1',
    ]);
    assert.deepEqual(engine.volumeNames().filter((v) => !/^[0-9a-f]{64}$/.test(v)), ['backups']);
  });
});
