import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Image, Inventory, Secret, Service, Stack, Testing } from '../../lib';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { openAllHosts, OpenHost } from '../../lib/drivers/open-host';
import { runHoist, REPO_ROOT } from '../helpers/cli';
import { execIn } from '../helpers/exec';
import { removeStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory, sshRun } from '../helpers/sandbox';

const STACK = 'rsec';
/** Testing.synth fingerprints secrets with this key; the CLI must use the same one. */
const ENV = { HOIST_FINGERPRINT_KEY: 'hoist-testing-fingerprint-key' };

/** Anonymous volumes (64 hex digits) no container mounts: what removing a container without its volumes leaves. */
async function unusedAnonymousVolumes(open: OpenHost): Promise<string[]> {
  const docker = rawEngine(open.engine);
  const used = new Set<string>();
  for (const c of await docker.listContainers({ all: true })) for (const m of c.Mounts ?? []) if (m.Name) used.add(m.Name);
  return ((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name).filter((n) => /^[0-9a-f]{64}$/.test(n) && !used.has(n));
}

describe('secrets on sandbox hosts (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let hosts: OpenHost[] = [];
  const canary = `CANARY-${randomBytes(8).toString('hex')}`;
  // Everything a shell would touch, and a trailing newline: all must arrive byte for byte.
  const fileValue = Buffer.from(`${canary} $HOME "dq" 'sq' \`id\` $(id) \\ end\nsecond line\n`);
  const envValue = `${canary}-env $PATH "q" 'q' \`uname\` $(id)\nnext`;
  let secretFile: string;

  function graphFile(name: string): string {
    process.env.RSEC_TOKEN = envValue;
    const app = Testing.app({ projectDir: REPO_ROOT });
    const stack = new Stack(app, STACK);
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    const password = Secret.fromFile(stack, 'db-password', secretFile);
    const token = Secret.fromEnv(stack, 'token', 'RSEC_TOKEN');
    new Service(stack, 'app', {
      image: Image.fromRegistry('busybox:latest'),
      command: ['sleep', '3600'],
      // sleep ignores SIGTERM as PID 1; a short grace period keeps replacements quick.
      stopGracePeriod: '1s',
      replicas: inv.hosts.length,
      user: '1000:1000',
      readOnlyRootFilesystem: true,
      secrets: [password, password.asFile('/etc/app/db-password'), token.asEnv('APP_TOKEN')],
    });
    new Service(stack, 'plain', { image: Image.fromRegistry('busybox:latest'), command: ['sleep', '3600'], stopGracePeriod: '1s', secrets: [password] });
    const graph: GraphDocument = Testing.synth(app);
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(graph));
    return file;
  }

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-secrets-'));
    secretFile = path.join(dir, 'db-password');
    fs.writeFileSync(secretFile, fileValue, { mode: 0o600 });
    const graph: GraphDocument = JSON.parse(fs.readFileSync(graphFile('first'), 'utf8'));
    hosts = await openAllHosts(graph.stacks[0].hosts, { projectDir: REPO_ROOT, trustNewHosts: false });
    for (const open of hosts) {
      await removeStack(open, STACK);
      for (const name of await unusedAnonymousVolumes(open)) await rawEngine(open.engine).getVolume(name).remove().catch(() => undefined);
    }
  });

  after(async () => {
    for (const open of hosts) {
      await removeStack(open, STACK).catch(() => undefined);
      open.close();
    }
  });

  it('delivers file and env secrets byte-exact, mode 0600, owned by the container user, and never shows them', async () => {
    const file = graphFile('first');
    assert.ok(!fs.readFileSync(file, 'utf8').includes(canary), 'the graph holds no secret value');
    const plan = runHoist(['plan', '--graph', file], { env: ENV });
    const planJson = runHoist(['plan', '--graph', file, '--json'], { env: ENV });
    const planFile = path.join(dir, 'plan.json');
    assert.equal(runHoist(['plan', '--graph', file, '--out', planFile], { env: ENV }).status, 0);
    const applied = runHoist(['apply', planFile], { env: ENV, timeoutMs: 300_000 });
    assert.equal(applied.status, 0, `${applied.stdout}\n${applied.stderr}`);
    const status = runHoist(['status', '--graph', file, '--json'], { env: ENV });
    const again = runHoist(['plan', '--graph', file, '--detailed-exitcode', '--json'], { env: ENV });
    assert.equal(again.status, 0, `secret env variables and secret volumes read back as the spec:\n${again.stdout}`);
    for (const [what, text] of Object.entries({
      plan: plan.stdout + plan.stderr, 'plan --json': planJson.stdout, 'saved plan': fs.readFileSync(planFile, 'utf8'),
      apply: applied.stdout + applied.stderr, status: status.stdout + status.stderr, 'second plan': again.stdout,
    })) {
      assert.ok(!text.includes(canary), `${what} shows the secret`);
    }

    let checked = 0;
    for (const open of hosts) {
      const docker = rawEngine(open.engine);
      for (const c of await docker.listContainers({ filters: JSON.stringify({ label: [`hoist.stack=${STACK}`] }) })) {
        const name = c.Names[0].replace(/^\//, '');
        const app = name.startsWith(`${STACK}-app-`);
        for (const target of app ? ['/run/secrets/db-password', '/etc/app/db-password'] : ['/run/secrets/db-password']) {
          const content = await execIn(docker, name, ['cat', target]);
          assert.deepEqual(content.stdout, fileValue, `${target} in ${name}@${open.spec.name}`);
          const stat = await execIn(docker, name, ['stat', '-c', '%a %u %g', target]);
          assert.equal(stat.stdout.toString().trim(), app ? '600 1000 1000' : '600 0 0', `${target} in ${name}@${open.spec.name}`);
        }
        if (app) {
          const env = await execIn(docker, name, ['sh', '-c', 'printf %s "$APP_TOKEN"']);
          assert.equal(env.stdout.toString('utf8'), envValue, `APP_TOKEN in ${name}@${open.spec.name}`);
        }
        checked++;
      }
      const ps = sshRun(inventory, open.spec.name, 'ps -eo args');
      assert.equal(ps.status, 0, ps.stderr);
      assert.ok(!ps.stdout.includes(canary), `a process on ${open.spec.name} has the secret on its command line`);
    }
    assert.equal(checked, hosts.length + 1, 'every app replica and the plain container were checked');
  });

  it('a changed value replaces the containers without showing old or new value; volumes do not pile up', async () => {
    const newCanary = `CANARY-${randomBytes(8).toString('hex')}`;
    const before = Buffer.from(fileValue);
    fs.writeFileSync(secretFile, `${newCanary}\n`);
    const file = graphFile('second');
    const plan = runHoist(['plan', '--graph', file], { env: ENV });
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(plan.stdout, /sensitive value changed/);
    assert.ok(!plan.stdout.includes(newCanary) && !plan.stdout.includes(canary), 'the plan shows neither value');
    const r = runHoist(['apply', '--graph', file, '--yes'], { env: ENV, timeoutMs: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.ok(!(r.stdout + r.stderr).includes(newCanary));
    for (const open of hosts) {
      const running = (await rawEngine(open.engine).listContainers({ filters: JSON.stringify({ label: [`hoist.stack=${STACK}`] }) })).map((c) => c.Names[0].replace(/^\//, ''));
      for (const container of running) {
        const content = await execIn(rawEngine(open.engine), container, ['cat', '/run/secrets/db-password']);
        assert.equal(content.stdout.toString(), `${newCanary}\n`, `${container}@${open.spec.name}`);
      }
      assert.deepEqual(await unusedAnonymousVolumes(open), [], `secret volumes of replaced containers were removed on ${open.spec.name}`);
    }
    assert.notDeepEqual(before, fs.readFileSync(secretFile));
  });

  it('refuses, changing nothing, when a value changed after the graph was made', async () => {
    const file = graphFile('third');
    fs.writeFileSync(secretFile, 'changed after synth\n');
    // Make the plan create a container that needs the secret.
    for (const open of hosts) await rawEngine(open.engine).getContainer(`${STACK}-plain-1`).remove({ force: true, v: true }).catch(() => undefined);
    const stale = runHoist(['apply', '--graph', file, '--yes'], { env: ENV });
    assert.equal(stale.status, 1, stale.stdout);
    assert.match(stale.stderr, /cannot apply: secrets cannot be delivered; nothing was changed:\n  rsec\/db-password: the value changed since the graph was made; run hoist plan again/);
    for (const open of hosts) {
      await assert.rejects(rawEngine(open.engine).getContainer(`${STACK}-plain-1`).inspect(), /no such container/i, `nothing was created on ${open.spec.name}`);
    }
  });
});
