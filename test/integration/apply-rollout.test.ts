import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FailureAction, HealthCheck, Image, Inventory, Mount, Service, Stack, Testing } from '../../lib';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { openAllHosts, OpenHost } from '../../lib/drivers/open-host';
import { runHoist, startHoist, REPO_ROOT } from '../helpers/cli';
import { removeStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory, sshRun } from '../helpers/sandbox';

const STACK = 'rro';

describe('rollouts across hosts: health gates, rollback, pause (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let hosts: OpenHost[] = [];

  /**
   * Three replicas, one per host, each serving its version over HTTP on an engine-chosen
   * port. The health check fails where the host has /run/rro-fail-<version>: a version can
   * be made to fail on one host only.
   */
  function graphFile(version: string, failureAction = FailureAction.ROLLBACK): string {
    const app = Testing.app({ projectDir: REPO_ROOT });
    const stack = new Stack(app, STACK);
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    new Service(stack, 'web', {
      image: Image.fromRegistry('busybox:latest'),
      command: ['sh', '-c', 'mkdir -p /tmp/w && echo "$VERSION" > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w'],
      environment: { VERSION: version },
      ports: [{ container: 8080 }],
      mounts: [Mount.bind('/run', '/hostrun', { readOnly: true })],
      replicas: inv.hosts.length,
      stopGracePeriod: '1s',
      healthCheck: HealthCheck.shell('test ! -e /hostrun/rro-fail-$VERSION && wget -q -O /dev/null http://127.0.0.1:8080/', { interval: '1s', timeout: '1s', retries: 2 }),
      update: { failureAction, healthTimeout: '8s' },
      // The test's marker files live in the host's /run, next to its engine socket: a trusted mount here.
      lintRules: { 'engine-socket': 'warning' },
    });
    const graph: GraphDocument = Testing.synth(app);
    const file = path.join(dir, `graph-${version}.json`);
    fs.writeFileSync(file, JSON.stringify(graph));
    return file;
  }

  async function containerOn(open: OpenHost): Promise<{ name: string; id: string; url: string; version: string }> {
    const [c] = await rawEngine(open.engine).listContainers({ filters: JSON.stringify({ label: [`hoist.stack=${STACK}`] }) });
    assert.ok(c, `a web container runs on ${open.spec.name}`);
    const inspect = await rawEngine(open.engine).getContainer(c.Id).inspect();
    const port = inspect.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort;
    const address = inventory.hosts.find((h) => h.name === open.spec.name)!.address;
    const version = inspect.Config.Env.find((e) => e.startsWith('VERSION='))!.slice('VERSION='.length);
    return { name: c.Names[0].replace(/^\//, ''), id: c.Id, url: `http://${address}:${port}/`, version };
  }

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-rollout-'));
    const graph: GraphDocument = JSON.parse(fs.readFileSync(graphFile('v1'), 'utf8'));
    hosts = await openAllHosts(graph.stacks[0].hosts, { projectDir: REPO_ROOT, trustNewHosts: false });
    for (const open of hosts) {
      await removeStack(open, STACK);
      sshRun(inventory, open.spec.name, 'rm -f /run/rro-fail-*');
    }
    const r = runHoist(['apply', '--graph', graphFile('v1'), '--yes'], { timeoutMs: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  });

  after(async () => {
    // Whatever happened in the test, host-3 answers again.
    spawnSync('sh', ['-c', "iptables -S OUTPUT | grep hoist-test-unreachable | sed 's/^-A/-D/' | while read -r rule; do eval iptables $rule; done"]);
    for (const open of hosts) {
      sshRun(inventory, open.spec.name, 'rm -f /run/rro-fail-*');
      await removeStack(open, STACK).catch(() => undefined);
      open.close();
    }
  });

  it('a version failing its health check on the second batch rolls the first back; the old container serves throughout', async () => {
    assert.equal(hosts.length, 3);
    const before = await Promise.all(hosts.map(containerOn));
    assert.deepEqual(before.map((c) => c.version), ['v1', 'v1', 'v1']);
    assert.equal(sshRun(inventory, 'host-2', 'touch /run/rro-fail-v2').status, 0);

    // Poll host-2's serving container all through the apply.
    const answers: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        try {
          const response = await fetch(before[1].url, { signal: AbortSignal.timeout(2000) });
          answers.push((await response.text()).trim());
        } catch (error) {
          answers.push(`error: ${(error as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const run = startHoist(['apply', '--graph', graphFile('v2'), '--yes']);
    const result = await run.finished;
    polling = false;
    await poller;

    assert.equal(result.status, 1, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /host-1 +done +replace container rro-web-\d \(start-first, batch 1\)/);
    assert.match(result.stdout, /host-2 +FAILED replace container rro-web-\d \(start-first, batch 2\): container rro-web-\d-hoist-next was not healthy within 8s/);
    assert.match(result.stdout, /the new container was removed; the old one kept serving/);
    assert.match(result.stdout, /rolling back web on rro-web-\d@host-1/);
    assert.match(result.stdout, /host-1 +rolled back rro-web-\d/);
    assert.match(result.stdout, /not started: replace container rro-web-\d \(start-first, batch 3\)@host-3/);
    assert.match(result.stderr, /apply failed: rro-web-\d@host-2/);
    for (const name of before.map((c) => c.name)) assert.match(result.stdout, new RegExp(`${name}@host-\\d: revision 1, busybox:latest, running`));

    assert.ok(answers.length > 20, `polled ${answers.length} times`);
    assert.deepEqual([...new Set(answers)], ['v1'], 'host-2 answered v1 every time, never an error or v2');
    const after = await Promise.all(hosts.map(containerOn));
    assert.deepEqual(after.map((c) => c.version), ['v1', 'v1', 'v1'], 'every host runs the previous version');
    assert.equal(after[1].id, before[1].id, 'host-2 kept its container');
    assert.equal(after[2].id, before[2].id, 'host-3 was never touched');
    assert.equal(await (await fetch(after[0].url)).text(), 'v1\n', 'host-1 serves the previous version again');
    const locks = runHoist(['lock', 'status', '--graph', graphFile('v2')]);
    assert.match(locks.stdout, /not locked/i, locks.stdout);
    const history = runHoist(['history', '--graph', graphFile('v2'), '--json']);
    assert.equal(history.status, 0, history.stderr);
    const runs = JSON.parse(history.stdout).stacks[0].runs;
    assert.deepEqual(runs[0].hosts.map((h: { host: string; outcome: string }) => `${h.host}:${h.outcome}`).sort(), ['host-1:rolled-back', 'host-2:rolled-back', 'host-3:rolled-back']);
  });

  it('with failureAction pause, hosts already updated keep the new version and the report says what runs where', async () => {
    assert.equal(sshRun(inventory, 'host-2', 'touch /run/rro-fail-v3').status, 0);
    const r = runHoist(['apply', '--graph', graphFile('v3', FailureAction.PAUSE), '--yes'], { timeoutMs: 300_000 });
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /rolling back/);
    const now = await Promise.all(hosts.map(containerOn));
    assert.deepEqual(now.map((c) => c.version), ['v3', 'v1', 'v1']);
    // Revisions only grow: the rolled-back run before this one had its own number.
    const revision = Number(/applying \d+ action\(s\) as revision (\d+)/.exec(r.stdout)?.[1]);
    assert.ok(revision > 2, r.stdout);
    assert.match(r.stdout, new RegExp(`${now[0].name}@host-1: revision ${revision}, busybox:latest, running`));
    assert.match(r.stdout, new RegExp(`${now[1].name}@host-2: revision 1, busybox:latest, running`));
    // Fixing the cause and applying again finishes the rollout.
    assert.equal(sshRun(inventory, 'host-2', 'rm -f /run/rro-fail-v3').status, 0);
    const again = runHoist(['apply', '--graph', graphFile('v3', FailureAction.PAUSE), '--yes'], { timeoutMs: 300_000 });
    assert.equal(again.status, 0, `${again.stdout}\n${again.stderr}`);
    assert.deepEqual((await Promise.all(hosts.map(containerOn))).map((c) => c.version), ['v3', 'v3', 'v3']);
    assert.equal(runHoist(['plan', '--graph', graphFile('v3', FailureAction.PAUSE), '--detailed-exitcode']).status, 0);
  });

  it('a host that stops answering mid-apply fails on its own; the others roll back; its lock is named for release', async () => {
    const address = inventory.hosts.find((h) => h.name === 'host-3')!.address;
    const rule = ['OUTPUT', '-d', address, '-m', 'comment', '--comment', 'hoist-test-unreachable', '-j', 'DROP'];
    const file = graphFile('v4');
    const previous = (await Promise.all(hosts.slice(0, 2).map(containerOn))).map((c) => c.version);
    const run = startHoist(['apply', '--graph', file, '--yes']);
    try {
      await run.waitFor(/start +replace container rro-web-1 \(start-first, batch 1\)/);
      assert.equal(spawnSync('iptables', ['-I', ...rule]).status, 0, 'iptables rule added');
      const result = await run.finished;
      assert.equal(result.status, 1, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /host-3 +FAILED replace container rro-web-1 \(start-first, batch 3\)/);
      assert.match(result.stdout, /host-1 +rolled back rro-web-1/);
      assert.match(result.stdout, /host-2 +rolled back rro-web-1/);
      assert.match(result.stdout, /host-3: did not answer after the apply/);
      assert.match(result.stderr, /warning: the lock on host-3 could not be released \(.*\); once the host answers, run: hoist lock release --id [0-9a-f]{12}/);
    } finally {
      spawnSync('iptables', ['-D', ...rule]);
    }
    // The test's own connection to host-3 did not survive the partition either.
    for (const open of hosts) open.close();
    hosts = await openAllHosts(hosts.map((h) => h.spec), { projectDir: REPO_ROOT, trustNewHosts: false });
    const versions = await Promise.all(hosts.slice(0, 2).map(containerOn));
    assert.deepEqual(versions.map((c) => c.version), previous, 'the answering hosts run the previous version again');
    const status = runHoist(['lock', 'status', '--graph', file]);
    const id = /on host-3: .*id ([0-9a-f]{12})/.exec(status.stdout)?.[1];
    assert.ok(id, `host-3 still holds the lock once it answers:\n${status.stdout}`);
    assert.doesNotMatch(status.stdout, /on host-1: |on host-2: /, 'the answering hosts were released');
    assert.equal(runHoist(['lock', 'release', '--graph', file, '--id', id!]).status, 0);
    const again = runHoist(['apply', '--graph', file, '--yes'], { timeoutMs: 300_000 });
    assert.equal(again.status, 0, `${again.stdout}\n${again.stderr}`);
    assert.deepEqual((await Promise.all(hosts.map(containerOn))).map((c) => c.version), ['v4', 'v4', 'v4']);
  });
});
