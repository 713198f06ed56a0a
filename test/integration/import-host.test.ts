import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { openHost, type OpenHost } from '../../lib/drivers/open-host';
import { inventoryHost } from '../../lib/synth/inventory-host';
import { runHoist, REPO_ROOT } from '../helpers/cli';
import { execIn } from '../helpers/exec';
import { rawEngine } from '../helpers/raw-engine';
import { ensureSandbox, IT_SANDBOX, type SandboxInventory } from '../helpers/sandbox';

/**
 * `hoist import host` on real Docker Engine and Podman hosts: containers started by hand (a
 * web server whose page lives in a named volume, and a client that reaches it by name on a
 * user network) are imported, the plan replaces exactly those containers and nothing else,
 * apply adopts them with their data, and what reached them by name still does.
 */

const ENGINES = ['docker', 'podman'] as const;

interface Setup {
  readonly engine: (typeof ENGINES)[number];
  readonly hostName: string;
  readonly address: string;
  readonly dir: string;
  readonly stack: string;
  readonly prefix: string;
  open?: OpenHost;
  docker?: Docker;
}

describe('hoist import host on the sandbox: services adopt containers started by hand, keeping their data', () => {
  let inventory: SandboxInventory;
  let root: string;
  let env: Record<string, string | undefined>;
  const setups: Setup[] = [];

  const hoist = (setup: Setup, args: string[], timeoutMs = 120_000) => {
    const r = runHoist(args, { cwd: setup.dir, env, timeoutMs });
    assert.equal(r.status, 0, `hoist ${args.join(' ')} on ${setup.hostName}:\n${r.stdout}\n${r.stderr}`);
    return r;
  };

  /** What `docker network create; docker volume create; docker run ...` leaves, by the raw Engine API. */
  async function startByHand(setup: Setup): Promise<void> {
    const docker = setup.docker!;
    const { prefix } = setup;
    await removeByHand(setup);
    await docker.createNetwork({ Name: `${prefix}net` });
    await docker.createVolume({ Name: `${prefix}pages` });
    const web = await docker.createContainer({
      name: `${prefix}web`, Image: 'busybox:latest', StopTimeout: 1, Env: ['GREETING=by hand'],
      Cmd: ['sh', '-c', 'test -f /www/index.html || echo "$GREETING" > /www/index.html; exec httpd -f -p 80 -h /www'],
      HostConfig: { Mounts: [{ Type: 'volume', Source: `${prefix}pages`, Target: '/www' }], PortBindings: { '80/tcp': [{ HostPort: setup.engine === 'docker' ? '18310' : '18311' }] }, RestartPolicy: { Name: 'unless-stopped' } },
      NetworkingConfig: { EndpointsConfig: { [`${prefix}net`]: { Aliases: ['www'] } } },
    });
    await web.start();
    const client = await docker.createContainer({ name: `${prefix}client`, Image: 'busybox:latest', StopTimeout: 1, Cmd: ['sleep', '100000'], NetworkingConfig: { EndpointsConfig: { [`${prefix}net`]: {} } } });
    await client.start();
    // Data written after start: the adoption must keep it.
    await execIn(docker, `${prefix}web`, ['sh', '-c', 'echo kept > /www/marker.html']);
  }

  async function removeByHand(setup: Setup): Promise<void> {
    const docker = setup.docker!;
    for (const name of [`${setup.prefix}web`, `${setup.prefix}client`, `${setup.stack}-web-1`, `${setup.stack}-client-1`]) await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
    await docker.getNetwork(`${setup.prefix}net`).remove().catch(() => undefined);
    await docker.getVolume(`${setup.prefix}pages`).remove().catch(() => undefined);
  }

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-import-host-it-'));
    env = { HOIST_INVENTORY: path.join(inventory.dir, 'inventory.json'), HOIST_FINGERPRINT_KEY: 'import-host-it' };
    process.env.HOIST_INVENTORY = env.HOIST_INVENTORY;
    for (const engine of ENGINES) {
      const host = inventory.hosts.find((h) => h.engine === engine);
      assert.ok(host, `the sandbox ${IT_SANDBOX} has a ${engine} host`);
      const setup: Setup = { engine, hostName: host.name, address: host.address, dir: path.join(root, engine), stack: `ihost-${engine}`, prefix: `ihost-${engine}-` };
      fs.mkdirSync(path.join(setup.dir, 'node_modules'), { recursive: true });
      fs.symlinkSync(REPO_ROOT, path.join(setup.dir, 'node_modules', 'hoist'));
      const found = inventoryHost(host.name, setup.dir);
      assert.ok(found.spec, found.problems.join('\n'));
      setup.open = await openHost(found.spec, { projectDir: setup.dir, trustNewHosts: false });
      setup.docker = rawEngine(setup.open.engine);
      setups.push(setup);
    }
    await Promise.all(setups.map(startByHand));
  });

  after(async () => {
    for (const setup of setups) {
      if (fs.existsSync(path.join(setup.dir, 'main.ts'))) runHoist(['destroy', '--yes'], { cwd: setup.dir, env, timeoutMs: 120_000 });
      if (setup.docker) await removeByHand(setup);
      setup.open?.close();
    }
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  for (const engine of ENGINES) {
    it(`${engine}: import, plan (the two replacements and nothing else), apply; the page and the name still answer, then a clean plan`, async () => {
      const setup = setups.find((s) => s.engine === engine)!;
      const { prefix, stack } = setup;
      const imported = hoist(setup, ['import', 'host', setup.hostName, '--stack', stack, '--container', `${prefix}web`, '--container', `${prefix}client`]);
      assert.match(imported.stdout, new RegExp(`^Wrote main\\.ts: stack "${stack}" from ${setup.hostName}: 2 services \\(client, web\\), 1 volume, 1 network, 0 secrets$`, 'm'));
      const program = fs.readFileSync(path.join(setup.dir, 'main.ts'), 'utf8');
      assert.ok(program.includes(`existingName: '${prefix}pages'`) && program.includes(`existingName: '${prefix}net'`), program);
      assert.ok(program.includes(`adoptContainer: '${prefix}web'`) && program.includes(`adoptContainer: '${prefix}client'`), program);

      const plan = hoist(setup, ['plan']);
      const actions = plan.stdout.split('\n').filter((l) => /^\s+(\+|~|-\/\+|-|\*)\s/.test(l)).map((l) => l.trim().replace(/\s+\[step \d+\]$/, ''));
      assert.deepEqual(actions, [
        `-/+ container ${stack}-client-1 will be replaced (old one stopped first, batch 1)`,
        `-/+ container ${stack}-web-1 will be replaced (old one stopped first, batch 1)`,
      ], plan.stdout);
      assert.match(plan.stdout, new RegExp(`adopts container ${prefix}web, not made by Hoist`));
      assert.match(plan.stdout, /Plan: 0 to create, 0 to update, 2 to replace, 0 to delete\./);

      const applied = hoist(setup, ['apply', '--yes'], 180_000);
      assert.match(applied.stdout, /Apply complete: 0 created, 0 updated, 2 replaced, 0 deleted; the hosts match the graph\./);
      const docker = setup.docker!;
      const names = (await docker.listContainers({ all: true })).map((c) => c.Names[0].replace(/^\//, '')).filter((n) => n.includes(prefix) || n.startsWith(`${stack}-`)).sort();
      assert.deepEqual(names, [`${stack}-client-1`, `${stack}-web-1`], 'the containers started by hand are gone, Hoist\'s run');
      const web = await docker.getContainer(`${stack}-web-1`).inspect();
      assert.equal(web.Config.Labels['hoist.stack'], stack);
      assert.deepEqual(web.Mounts.filter((m) => m.Type === 'volume').map((m) => `${m.Name}:${m.Destination}`), [`${prefix}pages:/www`]);
      assert.equal(web.HostConfig.RestartPolicy?.Name, 'unless-stopped');
      const port = engine === 'docker' ? 18310 : 18311;
      assert.equal(await (await fetch(`http://${setup.address}:${port}/marker.html`)).text(), 'kept\n', 'the data in the volume is kept');
      assert.equal(await (await fetch(`http://${setup.address}:${port}/`)).text(), 'by hand\n');
      // The client reaches the new web container by the alias and the old container name.
      for (const name of ['www', `${prefix}web`]) {
        const fetched = await execIn(docker, `${stack}-client-1`, ['wget', '-q', '-O', '-', `http://${name}/marker.html`]);
        assert.equal(fetched.stdout.toString(), 'kept\n', `${name} answers on ${prefix}net`);
      }
      assert.match(hoist(setup, ['plan']).stdout, /no changes: the hosts match the graph/);

      // Destroy removes Hoist's containers and leaves the volume and network it did not make.
      hoist(setup, ['destroy', '--yes']);
      await docker.getVolume(`${prefix}pages`).inspect();
      await docker.getNetwork(`${prefix}net`).inspect();
    });
  }
});
