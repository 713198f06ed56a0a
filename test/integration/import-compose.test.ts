import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { openHost, type OpenHost } from '../../lib/drivers/open-host';
import { runHoist, REPO_ROOT } from '../helpers/cli';
import { execIn } from '../helpers/exec';
import { rawEngine } from '../helpers/raw-engine';
import { ensureSandbox, IT_SANDBOX, type SandboxInventory } from '../helpers/sandbox';

/**
 * `hoist import compose` -> `hoist synth` -> `hoist apply` on the sandbox, then every
 * container compared, field by field through the engine's inspect, with what the Compose file
 * says. The expectations are written from the Compose files by hand, not from the importer.
 */

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'compose');
const MiB = 1024 * 1024;

interface Project {
  readonly dir: string;
  readonly stack: string;
  graph?: GraphDocument;
}

describe('hoist import compose on the sandbox: the containers are the ones the Compose files describe', () => {
  let inventory: SandboxInventory;
  let root: string;
  let env: Record<string, string | undefined>;
  let host: OpenHost;
  let docker: Docker;
  const shop: Project = { dir: '', stack: 'cimp-shop' };
  const home: Project = { dir: '', stack: 'cimp-home' };

  const hoist = (project: Project, args: string[], timeoutMs = 60_000) => {
    const r = runHoist(args, { cwd: project.dir, env, timeoutMs });
    assert.equal(r.status, 0, `hoist ${args.join(' ')} in ${project.dir}:\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const inspect = (name: string) => docker.getContainer(name).inspect();

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    // Every container reads the project (bind mounts); some run as uid 1000.
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-compose-it-'));
    fs.chmodSync(root, 0o755);
    env = {
      HOIST_INVENTORY: path.join(inventory.dir, 'inventory.json'),
      HOIST_FINGERPRINT_KEY: 'compose-import-it',
      SHOP_API_TOKEN: 'token-for-the-sandbox',
      // The Compose files' variables come from .env and defaults only.
      TZ: undefined, GREETING: undefined, WEB_PORT: undefined, LOG_LEVEL: undefined, FEATURE_FLAGS: undefined, DB_USER: undefined,
      COMPOSE_PROFILES: undefined, COMPOSE_PROJECT_NAME: undefined,
    };
    for (const [project, fixture] of [[shop, 'shop'], [home, 'homelab']] as const) {
      (project as { dir: string }).dir = path.join(root, fixture);
      fs.cpSync(path.join(FIXTURES, fixture), project.dir, { recursive: true });
      fs.mkdirSync(path.join(project.dir, 'node_modules'));
      fs.symlinkSync(REPO_ROOT, path.join(project.dir, 'node_modules', 'hoist'));
      const imported = hoist(project, ['import', 'compose', 'compose.yaml', '--stack', project.stack]);
      assert.match(imported.stdout, /^Wrote main\.ts: /m);
      hoist(project, ['synth']);
      project.graph = JSON.parse(fs.readFileSync(path.join(project.dir, 'hoist.out', 'graph.json'), 'utf8')) as GraphDocument;
      // Leftovers of an earlier run.
      hoist(project, ['destroy', '--yes', '--remove-volumes'], 120_000);
    }
    const spec = shop.graph!.stacks[0].hosts[0];
    assert.equal(spec.name, 'host-1', 'the program places every service on the first host');
    host = await openHost(spec, { projectDir: shop.dir, trustNewHosts: false });
    docker = rawEngine(host.engine);
  });

  after(() => {
    for (const project of [shop, home]) {
      if (project.graph) runHoist(['destroy', '--yes', '--remove-volumes'], { cwd: project.dir, env, timeoutMs: 120_000 });
    }
    host?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('shop: hoist apply builds web and runs db, cache, migrate and web as compose.yaml says; the debug profile stays out', async () => {
    const applied = hoist(shop, ['apply', '--yes'], 240_000);
    // The image is built unless an earlier run left this very build on the host.
    assert.match(applied.stdout, /Apply complete: (1 built, )?8 created, 0 updated, 0 replaced, 0 deleted; the hosts match the graph\./);
    const busybox = (await docker.getImage('busybox:latest').inspect()).Id;

    // web: build (context ./web, target runtime, GREETING from .env), command with $$, env_file
    // under environment, the port from .env, the health check, depends_on, logging, secret.
    const web = await inspect('cimp-shop-web-1');
    assert.match(web.Config.Image, /^hoist\/cimp-shop\/web:[0-9a-f]{16}$/);
    assert.equal(web.Config.Labels['shop.stage'], 'runtime', 'built to target runtime, not the later debug stage');
    assert.ok(web.Config.Env.includes('GREETING=hello from .env'), 'the build argument came from .env');
    assert.deepEqual(web.Config.Cmd, ['sh', '-c', 'mkdir -p /tmp/www && echo "$GREETING from web" > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www']);
    for (const variable of ['SHOP_NAME=Busybox Shop', 'CURRENCY=EUR', 'DATABASE_HOST=database', 'CACHE_URL=http://cache:6379/', 'LOG_LEVEL=debug', 'FEATURE_FLAGS=search']) {
      assert.ok(web.Config.Env.includes(variable), `web has ${variable}: ${web.Config.Env.join(' ')}`);
    }
    assert.deepEqual(portBindings(web), { '8080/tcp': ['0.0.0.0:18100'] });
    assert.deepEqual(healthOf(web), { Test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'], Interval: 5e9, Timeout: 3e9, Retries: 5, StartPeriod: 2e9 });
    assert.equal(web.HostConfig.RestartPolicy?.Name, 'unless-stopped');
    assert.deepEqual(web.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } });
    assert.deepEqual(Object.keys(web.NetworkSettings.Networks).sort(), ['cimp-shop-backend', 'cimp-shop-frontend']);
    assert.equal((await execIn(docker, 'cimp-shop-web-1', ['cat', '/run/secrets/api_token'])).stdout.toString(), 'token-for-the-sandbox');
    const page = await fetch(`http://${inventory.hosts[0].address}:18100/`);
    assert.equal(await page.text(), 'hello from .env from web\n');

    // db: a command string split as a shell would, list-form environment from .env, the
    // secret file, the named volume, aliases on the internal backend network.
    const db = await inspect('cimp-shop-db-1');
    assert.equal(db.Image, busybox);
    assert.deepEqual(db.Config.Cmd, ['sh', '-c', 'mkdir -p /data/www && echo ok > /data/www/index.html && exec httpd -f -p 5432 -h /data/www']);
    for (const variable of ['POSTGRES_USER=shopper', 'POSTGRES_DB=shop', 'POSTGRES_PASSWORD_FILE=/run/secrets/db_password']) assert.ok(db.Config.Env.includes(variable), variable);
    assert.ok(!db.Config.Env.some((e) => e.startsWith('TZ=')), 'TZ is not set where the import ran, so it is left out');
    assert.deepEqual(volumeMounts(db), ['cimp-shop-db-data:/data:rw']);
    assert.equal((await execIn(docker, 'cimp-shop-db-1', ['cat', '/run/secrets/db_password'])).stdout.toString(), 'correct horse battery staple');
    assert.deepEqual(healthOf(db), { Test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:5432/ || exit 1'], Interval: 2e9, Timeout: 2e9, Retries: 10, StartPeriod: 0 });
    assert.equal(db.HostConfig.RestartPolicy?.Name, 'always');
    assert.deepEqual(aliases(db, 'cimp-shop-backend'), ['database', 'db', 'postgres']);
    assert.equal((await docker.getNetwork('cimp-shop-backend').inspect()).Internal, true);
    assert.equal(db.State.Health?.Status, 'healthy');

    // cache: user, the long volume syntax, an alias in flow style.
    const cache = await inspect('cimp-shop-cache-1');
    assert.equal(cache.Config.User, '1000:1000');
    assert.deepEqual(volumeMounts(cache), ['cimp-shop-cache-data:/cache:rw']);
    assert.deepEqual(aliases(cache, 'cimp-shop-backend'), ['cache', 'redis']);
    assert.equal(cache.HostConfig.RestartPolicy?.Name, 'always');

    // migrate: ran to completion, found its secret at the long syntax's target; Compose's
    // default restart policy (none); web started only after it finished.
    const migrate = await inspect('cimp-shop-migrate-1');
    assert.equal(migrate.State.Status, 'exited');
    assert.equal(migrate.State.ExitCode, 0);
    assert.equal(migrate.HostConfig.RestartPolicy?.Name, 'no');
    assert.match((await docker.getContainer('cimp-shop-migrate-1').logs({ stdout: true, stderr: true })).toString(), /migrated/);
    assert.ok(Date.parse(web.State.StartedAt) >= Date.parse(migrate.State.FinishedAt), 'web waited for migrate (service_completed_successfully)');
    assert.ok(Date.parse(migrate.State.StartedAt) >= Date.parse(db.State.StartedAt), 'migrate waited for db');

    const names = (await docker.listContainers({ all: true, filters: JSON.stringify({ label: ['hoist.stack=cimp-shop'] }) })).map((c) => c.Names[0].replace(/^\//, '')).sort();
    assert.deepEqual(names, ['cimp-shop-cache-1', 'cimp-shop-db-1', 'cimp-shop-migrate-1', 'cimp-shop-web-1'], 'the debug service (profile debug) is not there');
  });

  it('homelab: binds, tmpfs, limits, hardening, labels, logging, restart and scale reach the engine as compose.yaml says', async () => {
    const applied = hoist(home, ['apply', '--yes'], 240_000);
    assert.match(applied.stdout, /Apply complete: 5 created, 0 updated, 0 replaced, 0 deleted; the hosts match the graph\./);
    const config = path.join(home.dir, 'config');

    const dashboard = await inspect('cimp-home-dashboard-1');
    assert.deepEqual(dashboard.Config.Cmd, ['httpd', '-f', '-p', '8080', '-h', '/config/www']);
    assert.equal(dashboard.Config.User, '1000:1000');
    assert.equal(dashboard.Config.WorkingDir, '/config');
    for (const variable of ['TZ=Etc/UTC', 'PUID=1000', 'PGID=1000']) assert.ok(dashboard.Config.Env.includes(variable), variable);
    assert.deepEqual(portBindings(dashboard), { '8080/tcp': ['0.0.0.0:18111', '127.0.0.1:18110'] });
    assert.deepEqual(bindMounts(dashboard), ['/etc/localtime:/etc/localtime:ro', `${config}:/config:ro`]);
    assert.deepEqual(dashboard.HostConfig.Tmpfs, { '/run': `size=${8 * MiB}`, '/tmp': `size=${16 * MiB}` });
    assert.equal(dashboard.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(capabilities(dashboard.HostConfig.CapDrop), ['ALL']);
    assert.deepEqual(capabilities(dashboard.HostConfig.CapAdd), ['NET_BIND_SERVICE']);
    assert.ok(noNewPrivileges(dashboard.HostConfig.SecurityOpt), `SecurityOpt: ${dashboard.HostConfig.SecurityOpt}`);
    assert.equal(dashboard.HostConfig.RestartPolicy?.Name, 'unless-stopped');
    assert.deepEqual(limits(dashboard), { NanoCpus: 0.5e9, Memory: 64 * MiB, MemoryReservation: 32 * MiB, PidsLimit: 100 });
    assert.equal(dashboard.Config.Labels['traefik.enable'], 'true');
    assert.equal(dashboard.Config.Labels['traefik.http.routers.dashboard.rule'], 'Host(`dash.home.arpa`)');
    assert.equal(dashboard.Config.Labels['com.centurylinklabs.watchtower.enable'], 'false');
    assert.deepEqual(dashboard.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } });
    // Timeout and retries are the engine's defaults, which the file leaves in place (30s, 3).
    assert.deepEqual(healthOf(dashboard), { Test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1'], Interval: 10e9, Timeout: 30e9, Retries: 3, StartPeriod: 0 });
    assert.equal((dashboard.Config as { StopTimeout?: number }).StopTimeout, 5);
    assert.deepEqual(Object.keys(dashboard.NetworkSettings.Networks), ['cimp-home-default']);
    const page = await fetch(`http://${inventory.hosts[0].address}:18111/`);
    assert.equal(await page.text(), 'homelab dashboard\n', 'served from the bind-mounted ./config');

    for (const name of ['cimp-home-syncer-1', 'cimp-home-syncer-2']) {
      const syncer = await inspect(name);
      assert.deepEqual(syncer.Config.Entrypoint, ['/bin/sh', '-c']);
      assert.deepEqual(syncer.Config.Cmd, ['while true; do date > /data/last-sync; sleep 30; done']);
      assert.deepEqual(volumeMounts(syncer), ['cimp-home-sync-data:/data:rw']);
      assert.deepEqual(bindMounts(syncer), [`${config}:/config:ro`]);
      assert.deepEqual(syncer.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
      assert.deepEqual(limits(syncer), { NanoCpus: 0.25e9, Memory: 32 * MiB, MemoryReservation: 0, PidsLimit: 50 });
      assert.equal(syncer.HostConfig.ReadonlyRootfs, true);
      assert.deepEqual(capabilities(syncer.HostConfig.CapDrop), ['ALL']);
      assert.ok(noNewPrivileges(syncer.HostConfig.SecurityOpt));
      assert.equal(syncer.Config.Labels['com.example.backup'], 'daily');
      assert.equal(syncer.State.Running, true);
    }
  });
});

type Inspect = Awaited<ReturnType<ReturnType<Docker['getContainer']>['inspect']>>;

/** Published ports as `hostIp:hostPort` per container port, sorted; an empty host IP is 0.0.0.0. */
function portBindings(c: Inspect): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [port, bindings] of Object.entries(c.HostConfig.PortBindings ?? {})) {
    out[port] = (bindings as { HostIp: string; HostPort: string }[]).map((b) => `${b.HostIp || '0.0.0.0'}:${b.HostPort}`).sort();
  }
  return out;
}

function healthOf(c: Inspect): unknown {
  const h = c.Config.Healthcheck as { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number } | undefined;
  return { Test: h?.Test, Interval: h?.Interval ?? 0, Timeout: h?.Timeout ?? 0, Retries: h?.Retries ?? 0, StartPeriod: h?.StartPeriod ?? 0 };
}

/** Named volumes as `name:target:rw|ro`, Hoist's secret volumes left out. */
function volumeMounts(c: Inspect): string[] {
  return c.Mounts.filter((m) => m.Type === 'volume' && !(m.Name ?? '').startsWith('hoist-secrets-')).map((m) => `${m.Name}:${m.Destination}:${m.RW ? 'rw' : 'ro'}`).sort();
}

function bindMounts(c: Inspect): string[] {
  return c.Mounts.filter((m) => m.Type === 'bind').map((m) => `${m.Source}:${m.Destination}:${m.RW ? 'rw' : 'ro'}`).sort();
}

/** The aliases on a network, without the container's id the engine adds. */
function aliases(c: Inspect, network: string): string[] {
  return ((c.NetworkSettings.Networks[network]?.Aliases ?? []) as string[]).filter((a) => !c.Id.startsWith(a)).sort();
}

function capabilities(list: string[] | null | undefined): string[] {
  return (list ?? []).map((c) => c.replace(/^CAP_/, '')).sort();
}

/** no-new-privileges as Hoist sets it, or as Compose writes it (`no-new-privileges:true`). */
function noNewPrivileges(options: string[] | null | undefined): boolean {
  return (options ?? []).some((o) => /^no-new-privileges(?:[:=]true)?$/.test(o));
}

function limits(c: Inspect): Record<string, number> {
  const h = c.HostConfig;
  return { NanoCpus: h.NanoCpus ?? 0, Memory: h.Memory ?? 0, MemoryReservation: h.MemoryReservation ?? 0, PidsLimit: h.PidsLimit ?? 0 };
}
