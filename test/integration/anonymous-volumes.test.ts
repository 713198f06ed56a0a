import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HealthCheck, Image, Inventory, Secret, Service, Stack, Testing, UpdateOrder } from '../../lib';
import { SECRET_VOLUME_LABEL } from '../../lib/engine/secret-files';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { openAllHosts, OpenHost } from '../../lib/drivers/open-host';
import { runHoist } from '../helpers/cli';
import { execIn } from '../helpers/exec';
import { removeStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory } from '../helpers/sandbox';

const STACK = 'rav';
/** An image declaring `VOLUME /data`, made on each host from busybox (no registry needed). */
const IMAGE = 'hoist-test/volume-image:1';
const SECRET_VARIABLE = 'HOIST_RAV_TOKEN';

/**
 * Reliability item 30 and the data-loss defect: data in an image-declared anonymous volume
 * survives replacements (start-first and stop-first), a rollback and a destroy without
 * --remove-volumes, on Docker (host-1) and Podman (host-2); secret files never outlive their
 * container; a foreign container under a rollout name is never touched.
 */
describe('anonymous data volumes and ownership of rollout copies (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let hosts: OpenHost[] = [];

  function graphFile(version: string, order: 'start-first' | 'stop-first' = 'start-first'): string {
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, STACK);
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    const token = Secret.fromEnv(stack, 'token', SECRET_VARIABLE);
    new Service(stack, 'db', {
      image: Image.fromRegistry(IMAGE),
      // Writes 64 kB of random data once; every later version must find the same bytes.
      command: ['sh', '-c', '[ -f /data/blob ] || head -c 65536 /dev/urandom > /data/blob; mkdir -p /w && echo "$VERSION" > /w/index.html && exec httpd -f -p 8080 -h /w'],
      environment: { VERSION: version },
      secrets: [token],
      replicas: 2,
      placement: { hosts: inv.hosts.filter((h) => ['host-1', 'host-2'].includes(h.node.id)) },
      stopGracePeriod: '1s',
      healthCheck: HealthCheck.http(8080, { interval: '1s', timeout: '1s', retries: 10 }),
      update: { order: order === 'stop-first' ? UpdateOrder.STOP_FIRST : UpdateOrder.START_FIRST },
      lintRules: { 'anonymous-volume': 'off', 'floating-tag': 'off' },
    });
    process.env[SECRET_VARIABLE] = 'token-value';
    const graph: GraphDocument = Testing.synth(app);
    const file = path.join(dir, `graph-${version}-${order}.json`);
    fs.writeFileSync(file, JSON.stringify(graph));
    return file;
  }

  const hoist = (args: string[]) => runHoist([...args, '-C', dir], { timeoutMs: 300_000, env: { [SECRET_VARIABLE]: 'token-value', HOIST_FINGERPRINT_KEY: 'hoist-testing-fingerprint-key' } });

  /** The sha256 of /data/blob in each host's container, and the volume mounted at /data. */
  async function dataOf(): Promise<{ host: string; sha: string; volume: string }[]> {
    return Promise.all(hosts.map(async (open) => {
      const name = `${STACK}-db-1`;
      const read = await execIn(rawEngine(open.engine), name, ['cat', '/data/blob']);
      assert.equal(read.exitCode, 0, `${open.spec.name}: ${read.stderr}`);
      assert.equal(read.stdout.length, 65536);
      const inspect = await rawEngine(open.engine).getContainer(name).inspect();
      const volume = inspect.Mounts.find((m) => m.Destination === '/data')?.Name ?? '';
      return { host: open.spec.name, sha: createHash('sha256').update(read.stdout).digest('hex'), volume };
    }));
  }

  async function secretVolumes(open: OpenHost): Promise<string[]> {
    const answer = await rawEngine(open.engine).listVolumes();
    return (answer.Volumes ?? []).filter((v) => String(v.Labels?.[SECRET_VOLUME_LABEL] ?? '').startsWith(`${STACK}/`)).map((v) => v.Name).sort();
  }

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-anon-'));
    const graph: GraphDocument = JSON.parse(fs.readFileSync(graphFile('v1'), 'utf8'));
    hosts = await openAllHosts(graph.stacks[0].hosts, { projectDir: dir, trustNewHosts: false });
    assert.deepEqual(hosts.map((h) => h.engine.info.kind), ['docker', 'podman']);
    for (const open of hosts) {
      await removeStack(open, STACK);
      // The image: busybox with a VOLUME line, committed on the host itself.
      const docker = rawEngine(open.engine);
      const base = await docker.createContainer({ Image: 'busybox:latest', Cmd: ['true'] });
      await base.commit({ repo: IMAGE.split(':')[0], tag: IMAGE.split(':')[1], changes: 'VOLUME /data' } as never);
      await base.remove({ force: true });
      const image = await docker.getImage(IMAGE).inspect();
      assert.deepEqual(Object.keys(image.Config.Volumes ?? {}), ['/data'], `${open.spec.name}: the image declares /data`);
    }
  });

  after(async () => {
    for (const open of hosts) {
      await removeStack(open, STACK).catch(() => undefined);
      open.close();
    }
  });

  it('replacements carry the anonymous volume over: start-first, then stop-first, then a rollback; the data is byte-identical', async () => {
    const first = hoist(['apply', '--graph', graphFile('v1'), '--yes']);
    assert.equal(first.status, 0, `${first.stdout}\n${first.stderr}`);
    const original = await dataOf();
    for (const d of original) assert.match(d.volume, /^[0-9a-f]{64}$/, `${d.host}: the engine made an anonymous volume for /data`);

    const plan = hoist(['plan', '--graph', graphFile('v2')]);
    assert.match(plan.stdout, /keeps anonymous volume for \/data/);
    assert.equal((plan.stdout.match(/keeps anonymous volume for \/data/g) ?? []).length, 2, 'one line per replaced container');

    for (const [version, order] of [['v2', 'start-first'], ['v3', 'stop-first']] as const) {
      const r = hoist(['apply', '--graph', graphFile(version, order), '--yes']);
      assert.equal(r.status, 0, `${version}: ${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /2 replaced/);
      assert.deepEqual(await dataOf(), original, `${version} (${order}): the same volume and the same bytes`);
      assert.equal(hoist(['plan', '--graph', graphFile(version, order), '--detailed-exitcode']).status, 0, `${version}: no perpetual diff from the carried volume`);
    }
    const rollback = hoist(['rollback', '--graph', graphFile('v3', 'stop-first'), '--yes']);
    assert.equal(rollback.status, 0, `${rollback.stdout}\n${rollback.stderr}`);
    assert.deepEqual(await dataOf(), original, 'after the rollback');
    for (const open of hosts) assert.equal((await secretVolumes(open)).length, 1, `${open.spec.name}: only the live container's secret volume is left`);
  });

  it('a secret volume left by a killed run is removed by the next apply; one in use never is', async () => {
    const docker = rawEngine(hosts[1].engine);
    const leftover = `hoist-secrets-${'0'.repeat(16)}`;
    await docker.createVolume({ Name: leftover, Labels: { 'hoist.managed-by': 'hoist', [SECRET_VOLUME_LABEL]: `${STACK}/${STACK}-db-1` } });
    const inUse = await secretVolumes(hosts[1]);
    const r = hoist(['apply', '--graph', graphFile('v4'), '--yes']);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const now = await secretVolumes(hosts[1]);
    assert.ok(!now.includes(leftover), 'the leftover is gone');
    assert.equal(now.length, 1, 'the new container\'s secret volume, and nothing else');
    assert.ok(!inUse.some((v) => now.includes(v)), 'the replaced container\'s secret volume went with it');
  });

  it('destroy keeps the anonymous volumes and says so; destroy --remove-volumes deletes them; no secret volume is left either way', async () => {
    const before = await dataOf();
    const destroyed = hoist(['destroy', '--graph', graphFile('v4'), '--yes']);
    assert.equal(destroyed.status, 0, `${destroyed.stdout}\n${destroyed.stderr}`);
    assert.match(destroyed.stdout, /keeps anonymous volume for \/data .*deleted only with plan --delete-volumes or destroy --remove-volumes/);
    for (const [i, open] of hosts.entries()) {
      const volume = await rawEngine(open.engine).getVolume(before[i].volume).inspect();
      assert.equal(volume.Name, before[i].volume, `${open.spec.name}: the data volume is still there`);
      // Its bytes are still the same: read them through a throwaway container.
      const reader = await rawEngine(open.engine).createContainer({ Image: 'busybox:latest', Cmd: ['sleep', '30'], HostConfig: { Mounts: [{ Type: 'volume', Source: before[i].volume, Target: '/data' }] } } as never);
      await reader.start();
      const read = await execIn(rawEngine(open.engine), reader.id, ['cat', '/data/blob']);
      await reader.remove({ force: true });
      assert.equal(createHash('sha256').update(read.stdout).digest('hex'), before[i].sha, `${open.spec.name}: the data survived the destroy`);
      assert.deepEqual(await secretVolumes(open), [], `${open.spec.name}: no secret files outlive their container`);
    }
    const again = hoist(['apply', '--graph', graphFile('v5'), '--yes']);
    assert.equal(again.status, 0, `${again.stdout}\n${again.stderr}`);
    const fresh = await dataOf();
    const wiped = hoist(['destroy', '--graph', graphFile('v5'), '--yes', '--remove-volumes']);
    assert.equal(wiped.status, 0, `${wiped.stdout}\n${wiped.stderr}`);
    assert.match(wiped.stdout, /DELETES anonymous volume for \/data, with its data/);
    for (const [i, open] of hosts.entries()) {
      await assert.rejects(rawEngine(open.engine).getVolume(fresh[i].volume).inspect(), (e: { statusCode?: number }) => e.statusCode === 404, `${open.spec.name}: deleted as asked`);
      await rawEngine(open.engine).getVolume(before[i].volume).remove();
    }
  });

  it('a foreign container under a rollout name (-hoist-next, -hoist-prev) is a conflict for plan and apply, and is never touched', async () => {
    const applied = hoist(['apply', '--graph', graphFile('v6'), '--yes']);
    assert.equal(applied.status, 0, `${applied.stdout}\n${applied.stderr}`);
    const planted = await Promise.all(hosts.map(async (open, i) => {
      const name = `${STACK}-db-1${i === 0 ? '-hoist-next' : '-hoist-prev'}`;
      return { open, name, id: (await rawEngine(open.engine).createContainer({ name, Image: 'busybox:latest', Cmd: ['true'] })).id };
    }));
    try {
      const plan = hoist(['plan', '--graph', graphFile('v7'), '--detailed-exitcode']);
      assert.equal(plan.status, 1, plan.stdout);
      for (const p of planted) assert.match(plan.stdout, new RegExp(`conflict: a container named ${p.name} exists on ${p.open.spec.name} without this stack's labels; Hoist will not touch it`));
      const apply = hoist(['apply', '--graph', graphFile('v7'), '--yes']);
      assert.equal(apply.status, 1);
      assert.match(apply.stderr, /the plan has 2 conflict\(s\); nothing was changed/);
      for (const p of planted) assert.equal((await rawEngine(p.open.engine).getContainer(p.id).inspect()).Id, p.id, `${p.name} is untouched`);
      assert.match(hoist(['plan', '--graph', graphFile('v6'), '--detailed-exitcode']).stdout, /conflict|no changes/, 'v6 still runs');
    } finally {
      for (const p of planted) await rawEngine(p.open.engine).getContainer(p.id).remove({ force: true });
    }
  });
});
