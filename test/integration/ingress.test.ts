import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runHoist, startHoist, REPO_ROOT } from '../helpers/cli';
import { ensureSandbox, IT_SANDBOX, type SandboxInventory } from '../helpers/sandbox';
import { steadyLoad, type LoadReport } from '../helpers/steady-load';

/**
 * Zero-downtime rollouts through the ingress, on a Docker and a Podman host: under a steady
 * load of more than 200 requests per second (autocannon, from this machine to the two
 * sandbox hosts), a start-first rollout of a routed service (two replicas per host) fails no
 * request and switches every answer from the old version to the new; the same rollout of the
 * same program without the proxy (a published port, stop-first) fails requests, so the first
 * assertion can fail.
 */

const PROXY_PORT = 18480;
const DIRECT_PORT = 18481;
const PROGRAM = `import { App, HealthCheck, Image, Ingress, Inventory, Mount, Service, Stack } from 'hoist';

const app = new App();
const stack = new Stack(app, 'edge', { defaults: { resources: { memory: '64MiB', pids: 100 }, noNewPrivileges: true } });
const inventory = Inventory.fromDefault(stack, 'hosts');
const hosts = [inventory.findHost(process.env.EDGE_DOCKER_HOST!), inventory.findHost(process.env.EDGE_PODMAN_HOST!)];
const ingress = new Ingress(stack, 'front', { hosts, httpPort: ${PROXY_PORT} });
const busybox = Image.fromRegistry('busybox:latest');
const page = (version: string) => ['sh', '-c', \`echo "\${version} from $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www\`];

// Routed: two replicas per host behind the proxy, start-first.
new Service(stack, 'web', {
  image: busybox,
  command: page(process.env.WEB_VERSION ?? 'v1'),
  mounts: [Mount.tmpfs('/www', { size: '1MiB' })],
  replicas: 4,
  placement: { hosts },
  healthCheck: HealthCheck.http(8080, { interval: '1s' }),
  stopGracePeriod: '2s',
  routes: [{ ingress, port: 8080, healthCheckPath: '/' }],
});

// The same page without the proxy: a published port, so one replica per host, stop-first.
new Service(stack, 'direct', {
  image: busybox,
  command: page(process.env.DIRECT_VERSION ?? 'v1'),
  mounts: [Mount.tmpfs('/www', { size: '1MiB' })],
  ports: [{ host: ${DIRECT_PORT}, container: 8080 }],
  replicas: 2,
  placement: { hosts },
  healthCheck: HealthCheck.http(8080, { interval: '1s' }),
  stopGracePeriod: '2s',
});
app.synth();
`;

describe('ingress on the sandbox (Docker and Podman): rollouts under load', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let env: Record<string, string | undefined>;
  let addresses: string[];

  const hoist = (args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 180_000) => {
    const r = runHoist(args, { cwd: dir, env: { ...env, ...extraEnv }, timeoutMs });
    assert.equal(r.status, 0, `hoist ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
    return r;
  };

  /** Runs `hoist apply` (in a child process: the load runs in this one) under a steady load on `port`. */
  const applyUnderLoad = async (port: number, extraEnv: Record<string, string>): Promise<{ report: LoadReport; applySeconds: number }> => {
    Object.assign(env, extraEnv);
    // 2 hosts x 120 requests per second.
    const load = steadyLoad(addresses.map((a) => `http://${a}:${port}/`), { ratePerTarget: 120, maxSeconds: 240 });
    await new Promise((r) => setTimeout(r, 1500));
    const started = Date.now();
    const apply = await startHoist(['apply', '--yes'], { cwd: dir, env }).finished;
    const applySeconds = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1500));
    const report = await load.stop();
    assert.equal(apply.status, 0, `hoist apply:\n${apply.stdout}\n${apply.stderr}`);
    return { report, applySeconds };
  };

  const summary = (r: LoadReport) => `${r.requests} requests at ${r.rate.toFixed(0)}/s, ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx, p99 ${r.p99Ms} ms, max ${r.maxMs} ms, bodies ${JSON.stringify([...r.bodies])}`;

  before(() => {
    inventory = ensureSandbox(IT_SANDBOX);
    const docker = inventory.hosts.find((h) => h.engine === 'docker')!;
    const podman = inventory.hosts.find((h) => h.engine === 'podman')!;
    addresses = [docker.address, podman.address];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-ingress-it-'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'hoist'));
    fs.writeFileSync(path.join(dir, 'main.ts'), PROGRAM);
    env = {
      HOIST_INVENTORY: path.join(inventory.dir, 'inventory.json'), HOIST_FINGERPRINT_KEY: 'edge-it',
      EDGE_DOCKER_HOST: docker.name, EDGE_PODMAN_HOST: podman.name, WEB_VERSION: 'v1', DIRECT_VERSION: 'v1',
    };
    hoist(['apply', '--yes']);
  });

  after(() => {
    if (dir) {
      runHoist(['destroy', '--yes'], { cwd: dir, env, timeoutMs: 120_000 });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('through the proxy: a rolling update of 4 replicas on 2 hosts fails no request at over 200 requests/s, and the answers switch from v1 to v2', async (t) => {
    const { report, applySeconds } = await applyUnderLoad(PROXY_PORT, { WEB_VERSION: 'v2' });
    t.diagnostic(`with the proxy: apply ${applySeconds.toFixed(1)} s; ${summary(report)}`);
    assert.ok(report.rate >= 200, `the load ran at ${report.rate.toFixed(0)} requests/s`);
    assert.equal(report.errors, 0, summary(report));
    assert.equal(report.timeouts, 0, summary(report));
    assert.equal(report.non2xx, 0, summary(report));
    assert.ok((report.bodies.get('v1') ?? 0) > 0 && (report.bodies.get('v2') ?? 0) > 0, `both versions answered: ${summary(report)}`);
    assert.deepEqual([...report.bodies.keys()].sort(), ['v1', 'v2'], 'no other answer');
    assert.deepEqual(report.last, ['v2', 'v2'], 'each host answers v2 at the end');
    const plan = hoist(['plan']).stdout;
    assert.match(plan, /Plan: 0 to create, 0 to update, 0 to replace, 0 to delete/, `a clean plan after the rollout:\n${plan}`);
  });

  it('without the proxy: the same rollout of a published, stop-first service fails requests (what the proxy prevents)', async (t) => {
    const { report, applySeconds } = await applyUnderLoad(DIRECT_PORT, { DIRECT_VERSION: 'v2' });
    t.diagnostic(`without the proxy: apply ${applySeconds.toFixed(1)} s; ${summary(report)}`);
    assert.ok(report.errors + report.timeouts + report.non2xx > 0, `requests failed while the containers were swapped: ${summary(report)}`);
    assert.deepEqual(report.last, ['v2', 'v2'], 'each host answers v2 at the end');
  });
});
