import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runHoist, startHoist, REPO_ROOT } from '../helpers/cli';
import { ensureSandbox, IT_SANDBOX, type SandboxInventory } from '../helpers/sandbox';

/**
 * hoist logs, hoist top and hoist exec on real hosts: a service with a replica on a Docker
 * and one on a Podman host, printing a counter and (on stderr) its secret.
 */

const SECRET = 'day2-s3cret-value';
const PROGRAM = `import { App, Image, Inventory, Secret, Service, Stack, UpdateOrder } from 'hoist';

const app = new App();
const stack = new Stack(app, 'day2');
const hosts = Inventory.fromDefault(stack, 'hosts');
const token = Secret.fromEnv(stack, 'token', 'DAY2_TOKEN');
new Service(stack, 'ticker', {
  image: Image.fromRegistry('busybox:latest'),
  command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "tick $i version $VERSION"; echo "token $(cat /run/secrets/token)" >&2; sleep 0.5; done'],
  environment: { VERSION: process.env.DAY2_VERSION ?? '1' },
  secrets: [token],
  replicas: 2,
  placement: { hosts: [hosts.findHost(process.env.DAY2_DOCKER_HOST!), hosts.findHost(process.env.DAY2_PODMAN_HOST!)], maxPerHost: 1 },
  resources: { memory: '64m' },
  stopGracePeriod: '1s',
  update: { order: UpdateOrder.START_FIRST },
});
app.synth();
`;

describe('day-2 commands on the sandbox (Docker and Podman): hoist logs, top and exec', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let env: Record<string, string | undefined>;
  let docker: string;
  let podman: string;
  const hoist = (args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 120_000) => {
    const r = runHoist(args, { cwd: dir, env: { ...env, ...extraEnv }, timeoutMs });
    assert.equal(r.status, 0, `hoist ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
    return r;
  };

  before(() => {
    inventory = ensureSandbox(IT_SANDBOX);
    docker = inventory.hosts.find((h) => h.engine === 'docker')!.name;
    podman = inventory.hosts.find((h) => h.engine === 'podman')!.name;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-day2-it-'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'hoist'));
    fs.writeFileSync(path.join(dir, 'main.ts'), PROGRAM);
    env = {
      HOIST_INVENTORY: path.join(inventory.dir, 'inventory.json'), HOIST_FINGERPRINT_KEY: 'day2-it', DAY2_TOKEN: SECRET,
      DAY2_DOCKER_HOST: docker, DAY2_PODMAN_HOST: podman, DAY2_VERSION: '1',
    };
    hoist(['apply', '--yes'], {}, 180_000);
  });

  after(() => {
    if (dir) {
      runHoist(['destroy', '--yes'], { cwd: dir, env, timeoutMs: 120_000 });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hoist logs merges both replicas\' lines by time, prefixed with host and container, the secret redacted; --json and --host', async () => {
    // Each replica prints twice a second: wait on the output, not the clock.
    let out = '';
    for (let i = 0; i < 40 && !(out.includes(`${docker} day2-ticker-1 | tick 3`) && out.includes(`${podman} day2-ticker-1 | tick 3`)); i++) {
      out = hoist(['logs', 'day2/ticker', '--graph', 'hoist.out/graph.json']).stdout;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(out, new RegExp(`^${docker} day2-ticker-1 \\| tick 3 version 1$`, 'm'));
    assert.match(out, new RegExp(`^${podman} day2-ticker-1 \\| tick 3 version 1$`, 'm'));
    assert.match(out, /\| token \[REDACTED\]$/m, 'stderr lines are shown, the secret redacted');
    assert.ok(!out.includes(SECRET), 'the secret value never appears');

    const json = hoist(['logs', 'day2/ticker', '--graph', 'hoist.out/graph.json', '--json', '--tail', '4']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { time: string; host: string; container: string; stream: string; line: string });
    assert.equal(json.length, 8, 'the last 4 lines of each replica');
    assert.deepEqual([...new Set(json.map((l) => l.host))].sort(), [docker, podman].sort());
    assert.deepEqual([...new Set(json.map((l) => l.stream))].sort(), ['stderr', 'stdout']);
    const times = json.map((l) => Date.parse(l.time.replace(/(\.\d{3})\d+/, '$1')));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'merged by time');
    assert.ok(json.every((l) => !l.line.includes(SECRET)));

    const onePodman = hoist(['logs', 'day2/ticker', '--graph', 'hoist.out/graph.json', '--host', podman, '--tail', '2']).stdout.trim().split('\n');
    assert.equal(onePodman.length, 2);
    assert.ok(onePodman.every((l) => l.startsWith(`${podman} day2-ticker-1 | `)), onePodman.join('\n'));
    const refused = runHoist(['logs', 'day2/nope', '--graph', 'hoist.out/graph.json'], { cwd: dir, env });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /stack day2 has no service named nope \(services: ticker\)/);
  });

  it('hoist logs -f follows through a rollout: the new replicas\' lines appear, Ctrl-C ends it', async () => {
    const following = startHoist(['logs', 'day2/ticker', '-f', '--since', '1s', '--graph', 'hoist.out/graph.json'], { cwd: dir, env });
    await following.waitFor(new RegExp(`${podman} day2-ticker-1 \\| tick \\d+ version 1`), 30_000);
    await following.waitFor(new RegExp(`${docker} day2-ticker-1 \\| tick \\d+ version 1`), 30_000);
    hoist(['apply', '--yes'], { DAY2_VERSION: '2' }, 180_000);
    await following.waitFor(new RegExp(`${docker} day2-ticker-1[-a-z0-9]* \\| tick \\d+ version 2`), 30_000);
    await following.waitFor(new RegExp(`${podman} day2-ticker-1[-a-z0-9]* \\| tick \\d+ version 2`), 30_000);
    following.child.kill('SIGINT');
    const ended = await following.finished;
    assert.equal(ended.status, 0, ended.stderr);
    assert.ok(!ended.stdout.includes(SECRET));
  });

  it('hoist top shows both replicas with their memory limit; --json is one snapshot', () => {
    const json = JSON.parse(hoist(['top', '--json', '--stack', 'day2', '--graph', 'hoist.out/graph.json']).stdout) as { containers: { host: string; container: string; state: string; memoryBytes: number; memoryLimitBytes: number; cpus: number | null; restarts: number }[] };
    const mine = json.containers.filter((c) => c.container === 'day2-ticker-1');
    assert.deepEqual(mine.map((c) => c.host).sort(), [docker, podman].sort());
    for (const c of mine) {
      assert.equal(c.state, 'running');
      assert.equal(c.memoryLimitBytes, 64 * 1024 * 1024, `${c.host}: the limit as set`);
      assert.ok(c.memoryBytes > 0 && c.memoryBytes < c.memoryLimitBytes, `${c.host}: memory in use ${c.memoryBytes}`);
      assert.equal(c.restarts, 0);
    }
    const table = hoist(['top', '--stack', 'day2', '--graph', 'hoist.out/graph.json']).stdout.split('\n');
    assert.match(table[0], /^HOST +STACK +SERVICE +CONTAINER +STATE +CPU % +MEMORY \/ LIMIT/);
    assert.ok(table.some((l) => new RegExp(`^${podman} +day2 +ticker +day2-ticker-1 +running .* / 64\\.0 MiB`).test(l)), table.join('\n'));
  });

  it('hoist exec runs a command in a replica, with its stdin, and exits with its exit code', () => {
    const run = (args: string[], input?: string) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'hoist.js'), ...args], { cwd: dir, env: { ...process.env, ...env }, input, encoding: 'utf8', timeout: 60_000 });
    for (const host of [docker, podman]) {
      const echoed = run(['exec', 'day2/ticker', '--host', host, '--graph', 'hoist.out/graph.json', '--', 'sh', '-c', 'read line; echo "got $line from $VERSION"'], 'hello\n');
      assert.equal(echoed.status, 0, echoed.stderr);
      assert.equal(echoed.stdout, 'got hello from 2\n', host);
      const failed = run(['exec', 'day2/ticker', '--host', host, '--graph', 'hoist.out/graph.json', '--', 'sh', '-c', 'echo bad >&2; exit 3']);
      assert.equal(failed.status, 3, host);
      assert.equal(failed.stderr, 'bad\n');
    }
    const none = run(['exec', 'day2/ticker', '--replica', '5', '--graph', 'hoist.out/graph.json', '--', 'true']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no running replica of day2\/ticker with slot 5/);
  });
});
