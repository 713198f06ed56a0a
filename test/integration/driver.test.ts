import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Image, Inventory, Service, Stack, Testing } from '../../lib';
import { isConflict, isNotFound } from '../../lib/drivers/engine-error';
import { openAllHosts, type OpenHost } from '../../lib/drivers/open-host';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { ensureSandbox, IT_SANDBOX } from '../helpers/sandbox';

const PREFIX = 'hoist-driver-test';

/**
 * The EngineDriver contract on real engines: what the in-memory engine promises, Docker
 * Engine and Podman do through their drivers (refusals with the same reasons, exec and stats).
 */
describe('engine drivers on Docker Engine and Podman: refusals by reason, exec, stats, events', () => {
  let hosts: OpenHost[] = [];

  before(async () => {
    const inventory = ensureSandbox(IT_SANDBOX);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-driver-'));
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, 'drv');
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    new Service(stack, 'x', { image: Image.fromRegistry('busybox:latest'), replicas: 2, placement: { hosts: [...inv.hosts].slice(0, 2) } });
    const graph: GraphDocument = Testing.synth(app);
    hosts = await openAllHosts(graph.stacks[0].hosts, { projectDir: dir, trustNewHosts: false });
    assert.deepEqual(hosts.map((h) => h.engine.kind).sort(), ['docker', 'podman']);
    for (const { engine } of hosts) {
      for (const c of await engine.listContainers()) if (c.Names[0]?.startsWith(`/${PREFIX}`)) await engine.removeContainer(c.Id);
      await engine.createContainer(`${PREFIX}-run`, { Image: 'busybox:latest', Cmd: ['sleep', '600'], HostConfig: { Memory: 64 * 1024 * 1024 } });
      await engine.startContainer(`${PREFIX}-run`);
    }
  });

  after(async () => {
    for (const { engine } of hosts) await engine.removeContainer(`${PREFIX}-run`).catch(() => undefined);
    for (const open of hosts) open.close();
  });

  it('answers a missing object with not-found and a taken name with conflict, on both engines', async () => {
    for (const { engine } of hosts) {
      await assert.rejects(engine.inspectContainer(`${PREFIX}-missing`), (error) => isNotFound(error), engine.kind);
      await assert.rejects(engine.removeVolume(`${PREFIX}-missing`), (error) => isNotFound(error), engine.kind);
      await assert.rejects(engine.createContainer(`${PREFIX}-run`, { Image: 'busybox:latest' }), (error) => isConflict(error), engine.kind);
      // Starting a running container, and creating a volume that exists, are not errors.
      await engine.startContainer(`${PREFIX}-run`);
      await engine.createVolume({ Name: `${PREFIX}-vol`, Labels: {} });
      await engine.createVolume({ Name: `${PREFIX}-vol`, Labels: {} });
      await engine.removeVolume(`${PREFIX}-vol`);
    }
  });

  it('exec gives stdout and stderr apart, the exit code, and keeps output within its limit', async () => {
    for (const { engine } of hosts) {
      const result = await engine.exec(`${PREFIX}-run`, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.deepEqual([result.stdout.toString(), result.stderr.toString(), result.exitCode, result.truncated, result.timedOut], ['out\n', 'err\n', 3, false, false], engine.kind);
      const big = await engine.exec(`${PREFIX}-run`, ['sh', '-c', 'head -c 300000 /dev/zero'], { maxOutputBytes: 1000 });
      assert.equal(big.stdout.length, 1000, engine.kind);
      assert.equal(big.truncated, true);
      assert.equal(big.exitCode, 0);
      const slow = await engine.exec(`${PREFIX}-run`, ['sleep', '5'], { timeoutMs: 300 });
      assert.deepEqual([slow.timedOut, slow.exitCode], [true, null], engine.kind);
      // Arguments are data: nothing here goes through a shell.
      const literal = await engine.exec(`${PREFIX}-run`, ['echo', '$(id); `id`']);
      assert.equal(literal.stdout.toString(), '$(id); `id`\n');
    }
  });

  it('stats report memory within the container\'s limit and its processes', async () => {
    for (const { engine } of hosts) {
      const stats = await engine.stats(`${PREFIX}-run`);
      assert.ok(stats.memoryBytes > 0, `${engine.kind}: ${JSON.stringify(stats)}`);
      assert.equal(stats.memoryLimitBytes, 64 * 1024 * 1024, engine.kind);
      assert.ok(stats.pids >= 1, `${engine.kind}: ${JSON.stringify(stats)}`);
      assert.ok(stats.cpus === null || (stats.cpus >= 0 && stats.cpus < 4), `${engine.kind}: ${JSON.stringify(stats)}`);
    }
  });

  it('events of a container arrive in Docker\'s vocabulary, filtered by label, and the watch ends when stopped', async () => {
    for (const { engine } of hosts) {
      const label = `${PREFIX}=${engine.kind}-${Date.now()}`;
      const stop = new AbortController();
      const seen: string[] = [];
      const watching = engine.watchEvents({ types: ['container'], labels: [label] }, { signal: stop.signal, onEvent: (e) => seen.push(`${e.action} ${e.name}`) });
      // The watch is open once the engine has answered; give it that moment before acting.
      await new Promise((r) => setTimeout(r, 500));
      const name = `${PREFIX}-events`;
      await engine.createContainer(name, { Image: 'busybox:latest', Cmd: ['sleep', '600'], Labels: { [PREFIX]: label.split('=')[1] } });
      await engine.startContainer(name);
      await engine.stopContainer(name, 1);
      await engine.removeContainer(name);
      const deadline = Date.now() + 10_000;
      while (!seen.includes(`destroy ${name}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      stop.abort();
      await watching;
      const wanted = ['create', 'start', 'die', 'destroy'].map((a) => `${a} ${name}`);
      assert.deepEqual(seen.filter((s) => wanted.includes(s)), wanted, `${engine.kind}: ${seen.join(', ')}`);
    }
  });
});
