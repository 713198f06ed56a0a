import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ts from 'typescript';
import { FakeEngine } from '../../lib/drivers/fake/fake-engine';
import { ComposeImportError } from '../../lib/import/compose/compose-import-error';
import { durationText, hostModel, sizeText } from '../../lib/import/host/host-model';
import { importHost } from '../../lib/import/host/import-host';
import { readHostObjects } from '../../lib/import/host/read-host-objects';

/**
 * `hoist import host` on an in-memory engine holding what `docker run` and Compose leave on
 * a host: what is read, what each container becomes, what is reported and what is left out.
 * test/integration/import-host.test.ts imports, plans and applies on real hosts.
 */

const NGINX = { config: { Env: ['PATH=/usr/bin', 'NGINX_VERSION=1.25'], Cmd: ['nginx', '-g', 'daemon off;'], Labels: { maintainer: 'NGINX' }, Volumes: { '/var/cache/nginx': {} } } };
const BUSYBOX = { config: { Env: ['PATH=/bin'], Cmd: ['sh'] } };

async function legacyHost(): Promise<FakeEngine> {
  const engine = new FakeEngine({ host: 'host-1', kind: 'docker' });
  engine.addImage('nginx:1.25', NGINX);
  const busyboxId = engine.addImage('busybox:1.36', BUSYBOX);
  const driver = engine.driver();
  await driver.createNetwork({ Name: 'shop_default', Driver: 'bridge', Internal: false, Labels: { 'com.docker.compose.network': 'default', 'com.docker.compose.project': 'shop' } });
  await driver.createVolume({ Name: 'shop_html', Labels: { 'com.docker.compose.volume': 'html', 'com.docker.compose.project': 'shop' } });
  // A Compose v2 service: project and service labels, named volume, network alias, limits.
  const web = await driver.createContainer('shop-web-1', {
    Image: 'nginx:1.25',
    Env: ['PATH=/usr/bin', 'NGINX_VERSION=1.25', 'SERVER_NAME=shop.example', 'DB_PASSWORD=hunter2'],
    Labels: { maintainer: 'NGINX', 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web', team: 'storefront' },
    StopTimeout: 30,
    Healthcheck: { Test: ['CMD-SHELL', 'wget -qO- localhost || exit 1'], Interval: 15e9, Timeout: 5e9, Retries: 3, StartPeriod: 0 },
    HostConfig: {
      Mounts: [{ Type: 'volume', Source: 'shop_html', Target: '/usr/share/nginx/html', ReadOnly: true }, { Type: 'bind', Source: '/srv/shop/nginx.conf', Target: '/etc/nginx/nginx.conf', ReadOnly: true }],
      PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] },
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 }, Memory: 256 * 1024 * 1024, NanoCpus: 500_000_000, PidsLimit: 100,
      Privileged: true, ExtraHosts: ['db.internal:10.0.0.5'], Tmpfs: { '/tmp': 'size=65536k' },
    },
    NetworkingConfig: { EndpointsConfig: { shop_default: { Aliases: ['web', 'shop-web-1', 'www'] } } },
  });
  await driver.startContainer(web);
  // A container run by image id, on the default bridge, and one that stopped.
  await driver.startContainer(await driver.createContainer('cron', { Image: busyboxId, Cmd: ['crond', '-f'], HostConfig: { RestartPolicy: { Name: 'always' } } }));
  await driver.createContainer('old-job', { Image: 'busybox:1.36', Cmd: ['true'] });
  // Hoist's own containers are never imported.
  await driver.startContainer(await driver.createContainer('other-app-1', { Image: 'busybox:1.36', Labels: { 'hoist.stack': 'other', 'hoist.resource': 'container:other/app#1@host-1' } }));
  return engine;
}

describe('hoist import host', () => {
  it('reads only what Hoist did not make, and writes one adopting service per running container', async () => {
    const engine = await legacyHost();
    const objects = await readHostObjects(engine.driver());
    assert.deepEqual(objects.containers.map((c) => c.inspect.Name).sort(), ['/cron', '/old-job', '/shop-web-1']);
    const result = importHost(objects, { programDirectory: '/tmp' });
    assert.equal(result.stackName, 'host-1', 'the containers share no Compose project: the host names the stack');
    assert.deepEqual(result.imported, { services: ['cron', 'web'], volumes: ['html'], networks: ['shop_default'], secrets: [] });
    assert.deepEqual(result.skipped.map((s) => s.key), ['old-job']);
    assert.match(result.skipped[0].reason, /not running \(created\); name it with --container/);
  });

  it('maps every setting Hoist has and lists every one it has not', async () => {
    const objects = await readHostObjects((await legacyHost()).driver());
    const { text, unsupported, notes } = importHost(objects, { programDirectory: '/tmp', containers: ['shop-web-1'] });
    const expected = [
      "const html = new Volume(stack, 'html', { existingName: 'shop_html' });",
      "const shopDefault = new Network(stack, 'shop_default', { existingName: 'shop_default' });",
      "const host = hosts.findHost('host-1');",
      "new Stack(app, 'shop'",
      "image: Image.fromRegistry('nginx:1.25')",
      "environment: { SERVER_NAME: 'shop.example', DB_PASSWORD: 'hunter2' }",
      "ports: [{ host: 8080, container: 80, bindAddress: '127.0.0.1' }]",
      "html.mount('/usr/share/nginx/html', { readOnly: true })",
      "Mount.bind('/srv/shop/nginx.conf', '/etc/nginx/nginx.conf', { readOnly: true })",
      "Mount.tmpfs('/tmp', { size: '64m' })",
      "networks: [shopDefault.withAliases('www', 'shop-web-1')]",
      "resources: { cpus: 0.5, memory: '256m', pids: 100 }",
      "healthCheck: HealthCheck.shell('wget -qO- localhost || exit 1', { interval: '15s', timeout: '5s', retries: 3 })",
      'restart: RestartPolicy.UNLESS_STOPPED',
      "stopGracePeriod: '30s'",
      "labels: { team: 'storefront' }",
      "adoptContainer: 'shop-web-1'",
    ];
    // Compared as one line: the printer breaks long expressions, with trailing commas.
    const flat = text.replace(/\s+/g, ' ').replace(/,\s*([}\])])/g, ' $1').replace(/\( /g, '(').replace(/ \)/g, ')').replace(/\[ /g, '[').replace(/ \]/g, ']');
    for (const line of expected) assert.ok(flat.includes(line), `the program has ${line}:\n${text}`);
    assert.ok(!text.includes('NGINX_VERSION') && !text.includes('maintainer'), 'what the image sets is left to the image');
    assert.ok(!text.includes('com.docker.compose'), 'Compose\'s own labels are left out');
    assert.deepEqual(unsupported.map((f) => f.path), ['shop-web-1.HostConfig.ExtraHosts', 'shop-web-1.HostConfig.Privileged']);
    assert.ok(text.includes('// host-1: HostConfig.Privileged not imported (Hoist never runs privileged containers)'), text);
    assert.ok(notes.some((n) => /DB_PASSWORD looks like a secret/.test(n.reason)));
  });

  it('a container run by image id runs the image by its tag; a stopped one is imported when named', async () => {
    const objects = await readHostObjects((await legacyHost()).driver());
    const { text, notes } = importHost(objects, { programDirectory: '/tmp', containers: ['cron', 'old-job'], stackName: 'ops' });
    assert.ok(text.includes("image: Image.fromRegistry('busybox:1.36'),\n  command: ['crond', '-f'],"), text);
    assert.ok(text.includes("adoptContainer: 'old-job'") && text.includes("adoptContainer: 'cron'"));
    assert.ok(notes.some((n) => /started from image id [0-9a-f]{12}; the program names it by its tag busybox:1.36/.test(n.reason)));
    assert.ok(text.includes('defaults: { restart: RestartPolicy.NO'), 'containers without a restart policy keep none');
    assert.ok(!text.includes('networks:'), 'containers on the default bridge join no network');
  });

  it('refuses what it cannot do, naming the host, and writes nothing', async () => {
    const objects = await readHostObjects((await legacyHost()).driver());
    assert.throws(() => importHost(objects, { programDirectory: '/tmp', containers: ['nope'] }), (e: unknown) => e instanceof ComposeImportError && /host-1: no container named nope that Hoist did not make \(there are: cron, old-job, shop-web-1\)/.test(e.problems.join('\n')));
    assert.throws(() => importHost(objects, { programDirectory: '/tmp', stackName: 'bad name' }), /"bad name" is not a valid stack name/);
    const empty = await readHostObjects(new FakeEngine({ host: 'h9' }).driver());
    assert.throws(() => importHost(empty, { programDirectory: '/tmp' }), /h9: no running container that Hoist did not make/);
  });

  it('service names lose the stack prefix and stay unique', async () => {
    const objects = await readHostObjects((await legacyHost()).driver());
    const { model } = hostModel(objects, { stackName: 'shop' });
    assert.deepEqual(model.services.map((s) => `${s.name}<-${s.adopts}`), ['cron<-cron', 'web<-shop-web-1']);
  });

  it('the program type-checks against the public API', async () => {
    const objects = await readHostObjects((await legacyHost()).driver());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-import-host-tsc-'));
    const file = path.join(dir, 'main.ts');
    fs.writeFileSync(file, importHost(objects, { programDirectory: dir, containers: ['shop-web-1', 'cron', 'old-job'] }).text);
    const root = path.resolve(__dirname, '..', '..');
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true, skipLibCheck: true, types: ['node'],
      typeRoots: [path.join(root, 'node_modules', '@types')], baseUrl: root, paths: { hoist: ['lib/index.ts'] },
      ignoreDeprecations: '6.0',
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || path.resolve(d.file.fileName) === file);
    assert.deepEqual(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes sizes and durations as Docker users write them', () => {
    assert.deepEqual([sizeText(512 * 1024 ** 2), sizeText(1024 ** 3), sizeText(1536 * 1024), sizeText(1000)], ['512m', '1g', '1536k', '1000b']);
    assert.deepEqual([durationText(30_000), durationText(90_000), durationText(250), durationText(3_600_000), durationText(3_690_000)], ['30s', '1m30s', '250ms', '1h', '1h1m30s']);
  });
});
