import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HealthCheck, Image, Inventory, Service, Stack, Testing, Volume } from '../../lib';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { openAllHosts, OpenHost } from '../../lib/drivers/open-host';
import { runHoist, startHoist, REPO_ROOT } from '../helpers/cli';
import { execIn } from '../helpers/exec';
import { removeStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory } from '../helpers/sandbox';

const STACK = 'rin';

describe('interrupted applies: SIGINT, a second SIGINT, SIGKILL (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let hosts: OpenHost[] = [];

  /** A database with a volume, then two web tiers: an apply of several steps, each a few seconds. */
  function graphFile(version: string): string {
    const app = Testing.app({ projectDir: REPO_ROOT });
    const stack = new Stack(app, STACK);
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    const data = new Volume(stack, 'data');
    // Each version starts its server after a pause, so a replacement is in flight for seconds.
    const server = ['sh', '-c', 'sleep 2; mkdir -p /tmp/w && echo "$VERSION" > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w'];
    const common = {
      image: Image.fromRegistry('busybox:latest'),
      command: server,
      environment: { VERSION: version },
      stopGracePeriod: '1s',
      healthCheck: HealthCheck.http(8080, { interval: '1s', timeout: '1s', retries: 5 }),
    };
    const db = new Service(stack, 'db', { ...common, mounts: [data.mount('/data')] });
    const api = new Service(stack, 'api', { ...common, replicas: inv.hosts.length, dependsOn: [db] });
    new Service(stack, 'web', { ...common, replicas: inv.hosts.length, dependsOn: [api] });
    const graph: GraphDocument = Testing.synth(app);
    const file = path.join(dir, `graph-${version}.json`);
    fs.writeFileSync(file, JSON.stringify(graph));
    return file;
  }

  function lockId(graph: string): string | undefined {
    const status = runHoist(['lock', 'status', '--graph', graph]);
    return /id ([0-9a-f]{12})/.exec(status.stdout)?.[1];
  }

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-interrupt-'));
    const graph: GraphDocument = JSON.parse(fs.readFileSync(graphFile('v1'), 'utf8'));
    hosts = await openAllHosts(graph.stacks[0].hosts, { projectDir: REPO_ROOT, trustNewHosts: false });
    for (const open of hosts) await removeStack(open, STACK);
  });

  after(async () => {
    for (const open of hosts) {
      await removeStack(open, STACK).catch(() => undefined);
      open.close();
    }
  });

  it('first SIGINT: the running step finishes, nothing new starts, locks are released; the next apply converges', async () => {
    const file = graphFile('v1');
    const run = startHoist(['apply', '--graph', file, '--yes']);
    await run.waitFor(/done +create container rin-db-1/);
    run.child.kill('SIGINT');
    const result = await run.finished;
    assert.equal(result.status, 130, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stderr, /Stopping: no new step starts/);
    assert.match(result.stdout, /stack rin: stopped on request; \d+ action\(s\) not started/);
    assert.match(result.stdout, /not started: create container rin-web-\d@host-\d/);
    assert.match(result.stderr, /apply stopped on request; run hoist plan to see what is left/);
    assert.equal(lockId(file), undefined, 'no lock is left');
    const plan = runHoist(['plan', '--graph', file, '--detailed-exitcode']);
    assert.equal(plan.status, 2, 'what was not started is still planned');
    assert.doesNotMatch(plan.stdout, /rin-db-1 will be created/, 'the finished step is not planned again');
    const again = runHoist(['apply', '--graph', file, '--yes'], { timeoutMs: 300_000 });
    assert.equal(again.status, 0, `${again.stdout}\n${again.stderr}`);
    assert.equal(runHoist(['plan', '--graph', file, '--detailed-exitcode']).status, 0);
  });

  it('a second SIGINT exits at once with a warning; the lock it leaves is shown and released by id', async () => {
    const file = graphFile('v2');
    const run = startHoist(['apply', '--graph', file, '--yes']);
    await run.waitFor(/start +replace container rin-db-1/);
    run.child.kill('SIGINT');
    await run.waitFor(/Stopping/);
    const signalled = Date.now();
    run.child.kill('SIGINT');
    const result = await run.finished;
    assert.ok(Date.now() - signalled < 2000, 'exited at once');
    assert.equal(result.status, 130);
    assert.match(result.stderr, /Exiting at once: work may be half done and the locks stay held\. .*hoist lock release --id [0-9a-f]{12}/);
    const id = lockId(file);
    assert.ok(id, 'the lock of the abandoned run is visible');
    const blocked = runHoist(['apply', '--graph', file, '--yes']);
    assert.equal(blocked.status, 1);
    assert.match(blocked.stderr, new RegExp(`locked by .*hoist lock release --id ${id}`));
    assert.equal(runHoist(['lock', 'release', '--graph', file, '--id', id!]).status, 0);
    const again = runHoist(['apply', '--graph', file, '--yes'], { timeoutMs: 300_000 });
    assert.equal(again.status, 0, `${again.stdout}\n${again.stderr}`);
    assert.equal(runHoist(['plan', '--graph', file, '--detailed-exitcode']).status, 0);
  });

  it('SIGKILL mid-replacement: the next plan shows the truth, the next apply converges, volume data survives', async () => {
    let dbHost: OpenHost | undefined;
    for (const open of hosts) if ((await rawEngine(open.engine).listContainers()).some((c) => c.Names[0] === `/${STACK}-db-1`)) dbHost = open;
    assert.ok(dbHost, 'the database runs somewhere');
    const marker = `kept ${Date.now()}`;
    const write = await execIn(rawEngine(dbHost!.engine), `${STACK}-db-1`, ['sh', '-c', `echo "${marker}" > /data/marker`]);
    assert.equal(write.exitCode, 0, write.stderr);

    const file = graphFile('v3');
    const run = startHoist(['apply', '--graph', file, '--yes']);
    await run.waitFor(/start +replace container rin-api-\d/);
    await new Promise((r) => setTimeout(r, 1000));
    run.child.kill('SIGKILL');
    await run.finished;

    const id = lockId(file);
    assert.ok(id, 'the killed run left its lock');
    const plan = runHoist(['plan', '--graph', file, '--detailed-exitcode']);
    assert.equal(plan.status, 2, plan.stderr);
    assert.match(plan.stdout, /rin-api-\d-hoist-next will be deleted[^\n]*\n[^\n]*left by an apply that did not finish/, plan.stdout);
    for (const open of hosts) {
      for (const c of await rawEngine(open.engine).listContainers({ all: true })) {
        if (c.Names[0].startsWith(`/${STACK}-`)) assert.equal(c.Labels['hoist.stack'], STACK, `${c.Names[0]} on ${open.spec.name} carries its ownership labels`);
      }
    }
    assert.equal(runHoist(['lock', 'release', '--graph', file, '--id', id!]).status, 0);
    const again = runHoist(['apply', '--graph', file, '--yes'], { timeoutMs: 300_000 });
    assert.equal(again.status, 0, `${again.stdout}\n${again.stderr}`);
    assert.equal(runHoist(['plan', '--graph', file, '--detailed-exitcode']).status, 0);
    const read = await execIn(rawEngine(dbHost!.engine), `${STACK}-db-1`, ['cat', '/data/marker']);
    assert.equal(read.stdout.toString().trim(), marker, 'the volume kept its data');
    const env = (await rawEngine(dbHost!.engine).getContainer(`${STACK}-db-1`).inspect()).Config.Env;
    assert.ok(env.includes('VERSION=v3'));
  });
});
