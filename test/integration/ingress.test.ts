import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as http from 'node:http';
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
const TLS_PORT = 18482;
const SECURE_HTTP_PORT = 18483;
const PROGRAM = `import { App, HealthCheck, Image, Ingress, Inventory, Mount, RouteProtocol, Secret, Service, Stack } from 'hoist';

const app = new App();
const stack = new Stack(app, 'edge', { defaults: { resources: { memory: '64MiB', pids: 100 }, noNewPrivileges: true } });
const inventory = Inventory.fromDefault(stack, 'hosts');
const hosts = [inventory.findHost(process.env.EDGE_DOCKER_HOST!), inventory.findHost(process.env.EDGE_PODMAN_HOST!)];
const ingress = new Ingress(stack, 'front', { hosts, httpPort: ${PROXY_PORT} });
// The same routes over HTTPS, with a certificate from a Secret; HTTP redirects there.
const secure = new Ingress(stack, 'secure', {
  hosts, httpPort: ${SECURE_HTTP_PORT}, tls: { certificate: Secret.fromFile(stack, 'certificate', 'shop.pem'), httpsPort: ${TLS_PORT} },
});
const busybox = Image.fromRegistry('busybox:latest');
// A version named "broken-on-podman" never starts on the Podman host (Podman sets container=podman).
const page = (version: string) => ['sh', '-c', \`\${version.startsWith('broken') ? '[ "$container" = podman ] && exit 3; ' : ''}echo "\${version} from $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www\`];

// Routed: two replicas per host behind the proxy, start-first.
new Service(stack, 'web', {
  image: busybox,
  command: page(process.env.WEB_VERSION ?? 'v1'),
  mounts: [Mount.tmpfs('/www', { size: '1MiB' })],
  replicas: 4,
  placement: { hosts },
  healthCheck: HealthCheck.http(8080, { interval: '1s' }),
  stopGracePeriod: '2s',
  // The broken version restarts in a loop rather than exiting: give up on it sooner.
  update: { healthTimeout: '15s' },
  routes: [{ ingress, port: 8080, healthCheckPath: '/' }, { ingress: secure, port: 8080, hostName: 'shop.test', healthCheckPath: '/' }],
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
// TCP routes across hosts: one service on each host, reached by name from clients on both.
for (const [name, host, port] of [['pages', hosts[0], 7000], ['notes', hosts[1], 7001]] as const) {
  new Service(stack, name, {
    image: busybox,
    command: ['sh', '-c', \`echo "\${name} on $(hostname)" > /www/index.html && exec httpd -f -p \${port} -h /www\`],
    mounts: [Mount.tmpfs('/www', { size: '1MiB' })],
    placement: { hosts: [host] },
    stopGracePeriod: '1s',
    routes: [{ ingress, port, protocol: RouteProtocol.TCP, meshPort: port + 11484 }],
  });
}
// Added later, under load: a new route is a reload of each proxy, not a replacement.
if (process.env.EDGE_API) {
  new Service(stack, 'api', {
    image: busybox,
    command: ['sh', '-c', 'mkdir -p /www/api && echo "api from $(hostname)" > /www/api/index.html && exec httpd -f -p 8080 -h /www'],
    mounts: [Mount.tmpfs('/www', { size: '1MiB' })],
    replicas: 2,
    placement: { hosts },
    stopGracePeriod: '1s',
    routes: [{ ingress, port: 8080, pathPrefix: '/api' }],
  });
}
new Service(stack, 'client', { image: busybox, command: ['sleep', '100000'], replicas: 2, placement: { hosts }, networks: [ingress.network], stopGracePeriod: '1s' });
app.synth();
`;

describe('ingress on the sandbox (Docker and Podman): rollouts under load', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let env: Record<string, string | undefined>;
  let addresses: string[];
  let certificate: string;
  let privateKey: string;

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
    // A self-signed certificate for shop.test: the test trusts it as its own CA.
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=shop.test', '-addext', 'subjectAltName=DNS:shop.test'], { cwd: dir, encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    certificate = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    privateKey = fs.readFileSync(path.join(dir, 'key.pem'), 'utf8');
    fs.writeFileSync(path.join(dir, 'shop.pem'), certificate + privateKey, { mode: 0o600 });
    env = {
      HOIST_INVENTORY: path.join(inventory.dir, 'inventory.json'), HOIST_FINGERPRINT_KEY: 'edge-it',
      EDGE_DOCKER_HOST: docker.name, EDGE_PODMAN_HOST: podman.name, WEB_VERSION: 'v1', DIRECT_VERSION: 'v1',
    };
    hoist(['apply', '--yes']);
  });

  before(async () => {
    // A replica that was not healthy yet when its proxy started is taken in by the proxy's
    // health checks, a few seconds later. Wait for that, not a clock.
    for (const address of addresses) {
      for (let i = 0; i < 100; i++) {
        const answer = await request(http, { host: address, port: PROXY_PORT, path: '/' }).catch(() => undefined);
        if (answer?.status === 200) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
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

  it('a new route reloads each proxy in place (no replacement) under load, failing no request; a proxy restarted by hand shows in the plan and is reloaded again', async (t) => {
    const plan = hoist(['plan'], { EDGE_API: '1' }).stdout;
    assert.match(plan, /container edge-front-1 will be updated in place/, plan);
    assert.doesNotMatch(plan, /container edge-front-1 will be replaced/, plan);
    const { report } = await applyUnderLoad(PROXY_PORT, { EDGE_API: '1' });
    t.diagnostic(`a new route under load: ${summary(report)}`);
    assert.equal(report.errors + report.timeouts + report.non2xx, 0, summary(report));
    for (const address of addresses) {
      const api = await request(http, { host: address, port: PROXY_PORT, path: '/api/' });
      assert.match(api.body, /^api from /, `${address} routes /api/ to the new service`);
    }
    assert.match(hoist(['plan']).stdout, /Plan: 0 to create, 0 to update, 0 to replace, 0 to delete/);
    // A restart starts the proxy from its environment (the configuration it was created with).
    const [docker] = [env.EDGE_DOCKER_HOST!];
    hoist(['exec', 'edge/front', '--host', docker, '--', 'sh', '-c', 'kill -TERM 1']);
    let drift = '';
    for (let i = 0; i < 50 && !/edge-front-1 will be updated in place/.test(drift); i++) {
      await new Promise((r) => setTimeout(r, 300));
      drift = runHoist(['plan'], { cwd: dir, env }).stdout;
    }
    assert.match(drift, /container edge-front-1 will be updated in place/, `the restarted proxy's configuration shows as drift:\n${drift}`);
    hoist(['apply', '--yes']);
    assert.match(hoist(['plan']).stdout, /Plan: 0 to create, 0 to update, 0 to replace, 0 to delete/);
    const api = await request(http, { host: addresses[0], port: PROXY_PORT, path: '/api/' });
    assert.match(api.body, /^api from /, 'the restarted proxy routes /api/ again');
  });

  it('a proxy server that no longer points at its replica (a restart the engine\'s DNS did not follow) shows in the plan and apply points it back, on Docker and Podman', async () => {
    for (const host of [env.EDGE_DOCKER_HOST!, env.EDGE_PODMAN_HOST!]) {
      hoist(['exec', 'edge/front', '--host', host, '--', 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/9999; printf "set server svc.web/edge-web-1 addr 192.0.2.1\\n" >&3; cat <&3']);
    }
    const plan = hoist(['plan']).stdout;
    assert.equal((plan.match(/~ upstreams\.svc\.web\/edge-web-1: "192\.0\.2\.1" -> "[0-9.]+" \(changed outside Hoist\)/g) ?? []).length, 2, plan);
    assert.match(plan, /Plan: 0 to create, 2 to update, 0 to replace, 0 to delete/, plan);
    hoist(['apply', '--yes']);
    assert.match(hoist(['plan']).stdout, /Plan: 0 to create, 0 to update, 0 to replace, 0 to delete/);
  });

  it('through the proxy: a rollout that fails on the Podman host rolls the Docker host back, start-first, still failing no request', async (t) => {
    // The Docker host's replicas go first (host order), then the first on the Podman host fails.
    Object.assign(env, { WEB_VERSION: 'broken-on-podman' });
    const load = steadyLoad(addresses.map((a) => `http://${a}:${PROXY_PORT}/`), { ratePerTarget: 120, maxSeconds: 240 });
    await new Promise((r) => setTimeout(r, 1500));
    const apply = await startHoist(['apply', '--yes'], { cwd: dir, env }).finished;
    await new Promise((r) => setTimeout(r, 1500));
    const report = await load.stop();
    t.diagnostic(`rollback through the proxy: ${summary(report)}`);
    assert.notEqual(apply.status, 0, 'the apply fails');
    assert.match(apply.stdout + apply.stderr, /roll(ed|ing) back|rolled back|rollback/i, `the apply says it rolled back:\n${apply.stdout}\n${apply.stderr}`);
    assert.equal(report.errors + report.timeouts + report.non2xx, 0, summary(report));
    assert.deepEqual(report.last, ['v2', 'v2'], 'both hosts answer the previous version again');
    Object.assign(env, { WEB_VERSION: 'v2' });
    const plan = hoist(['plan']).stdout;
    assert.match(plan, /Plan: 0 to create, 0 to update, 0 to replace, 0 to delete/, `v2 everywhere again:\n${plan}`);
  });

  it('HTTPS with the certificate from a Secret on both hosts, HTTP redirected to it, unknown host names refused; the key appears in no output or file', async () => {
    for (const address of addresses) {
      const secure = await request(https, { host: address, port: TLS_PORT, path: '/', servername: 'shop.test', ca: certificate, headers: { Host: 'shop.test' } });
      assert.equal(secure.status, 200, `${address}: ${secure.body}`);
      assert.match(secure.body, /^v[12] from /, `${address} answers over HTTPS`);
      const plain = await request(http, { host: address, port: SECURE_HTTP_PORT, path: '/a?b=1', headers: { Host: 'shop.test' } });
      assert.equal(plain.status, 301);
      assert.equal(plain.headers.location, `https://shop.test:${TLS_PORT}/a?b=1`);
      const unknown = await request(https, { host: address, port: TLS_PORT, path: '/', servername: 'shop.test', ca: certificate, headers: { Host: 'other.test' } });
      assert.equal(unknown.status, 404, 'a host name no route asks for');
    }
    const keyLine = privateKey.split('\n')[1];
    const plan = hoist(['plan', '--json']).stdout + hoist(['status']).stdout;
    assert.ok(!plan.includes(keyLine), 'the private key is in no plan or status');
    assert.ok(!fs.readFileSync(path.join(dir, 'hoist.out', 'graph.json'), 'utf8').includes(keyLine), 'the private key is not in the graph');
  });

  it('TCP routes: a client on each host reaches a service that runs only on the other host (and one on its own) by name, through the proxies', () => {
    const fetch = (host: string, service: string, port: number) => hoist(['exec', 'edge/client', '--host', host, '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${service} ${port} | tail -n 1`]).stdout.trim();
    const [docker, podman] = [env.EDGE_DOCKER_HOST!, env.EDGE_PODMAN_HOST!];
    // pages runs on the Docker host, notes on the Podman host.
    assert.match(fetch(podman, 'pages', 7000), /^pages on \w+$/, 'from the Podman host to the Docker host');
    assert.match(fetch(docker, 'notes', 7001), /^notes on \w+$/, 'from the Docker host to the Podman host');
    assert.match(fetch(docker, 'pages', 7000), /^pages on \w+$/, 'on the same host');
    assert.match(fetch(podman, 'notes', 7001), /^notes on \w+$/, 'on the same host (Podman)');
  });

  it('without the proxy: the same rollout of a published, stop-first service fails requests (what the proxy prevents)', async (t) => {
    const { report, applySeconds } = await applyUnderLoad(DIRECT_PORT, { DIRECT_VERSION: 'v2' });
    t.diagnostic(`without the proxy: apply ${applySeconds.toFixed(1)} s; ${summary(report)}`);
    assert.ok(report.errors + report.timeouts + report.non2xx > 0, `requests failed while the containers were swapped: ${summary(report)}`);
    assert.deepEqual(report.last, ['v2', 'v2'], 'each host answers v2 at the end');
  });
});

/** One request, its status, headers and body; bounded in time. */
function request(client: typeof http | typeof https, options: https.RequestOptions): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = client.get({ ...options, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}
