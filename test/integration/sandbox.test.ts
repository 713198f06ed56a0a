import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { runHoist, REPO_ROOT } from '../helpers/cli';
import { ensureSandbox, IT_SANDBOX, readInventory, requireRoot, SandboxInventory, sshRun } from '../helpers/sandbox';

const sh = (file: string, args: string[]) => spawnSync(file, args, { encoding: 'utf8' }).stdout;

/** Everything on this machine that carries a sandbox's name. */
function traces(name: string) {
  const state = `/var/lib/hoist/sandboxes/${name}`;
  return {
    netns: sh('ip', ['netns', 'list']).split('\n').filter((l) => l.startsWith(`hoist-${name}-`)),
    rules: (sh('iptables', ['-S']) + sh('iptables', ['-t', 'nat', '-S'])).split('\n').filter((l) => l.includes(`hoist-sandbox:${name}`)),
    mounts: fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(state)),
    processes: sh('ps', ['-eo', 'args']).split('\n').filter((l) => l.includes(state)),
    stateDir: fs.existsSync(state),
    inventory: fs.existsSync(path.join(REPO_ROOT, '.hoist', 'sandbox', name)),
  };
}

function noTraces() {
  return { netns: [], rules: [], mounts: [], processes: [], stateDir: false, inventory: false };
}

describe('hoist sandbox (real hosts: network namespaces, sshd, Docker Engine and Podman)', () => {
  let inventory: SandboxInventory;

  before(() => {
    inventory = ensureSandbox(IT_SANDBOX);
  });

  it('writes an inventory with one host per namespace, engines alternating, roles for the examples', () => {
    assert.deepEqual(inventory.hosts.map((h) => [h.name, h.engine, h.roles]), [
      ['host-1', 'docker', ['db', 'web']], ['host-2', 'podman', ['web']], ['host-3', 'docker', ['web']],
    ]);
    const knownHosts = fs.readFileSync(path.join(inventory.dir, 'known_hosts'), 'utf8').trim().split('\n');
    assert.deepEqual(knownHosts.map((l) => l.split(' ')[0]), inventory.hosts.map((h) => h.address));
    assert.equal(fs.statSync(path.join(inventory.dir, 'id_ed25519')).mode & 0o777, 0o600);
  });

  it('ssh with the generated key and known_hosts works; each host has its own hostname', () => {
    for (const host of inventory.hosts) {
      const r = sshRun(inventory, host.name, 'hostname');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), host.name);
    }
  });

  it('ssh refuses a host whose key is not the pinned one', () => {
    const wrong = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-kh-')), 'known_hosts');
    const other = readInventory(IT_SANDBOX).hosts[1];
    const otherKey = fs.readFileSync(path.join(inventory.dir, 'known_hosts'), 'utf8').split('\n').find((l) => l.startsWith(other.address + ' '))!;
    fs.writeFileSync(wrong, otherKey.replace(other.address, inventory.hosts[0].address) + '\n');
    const r = sshRun(inventory, 'host-1', 'true', ['-o', `UserKnownHostsFile=${wrong}`]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('each engine answers at its standard socket path on its host, with its own data', () => {
    for (const host of inventory.hosts) {
      const command = host.engine === 'docker'
        ? 'docker info --format "{{.Name}} {{.DockerRootDir}}"'
        : 'podman --remote --url unix:///run/podman/podman.sock info --format "{{.Host.Hostname}} {{.Store.GraphRoot}}"';
      const r = sshRun(inventory, host.name, command);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout.trim(), new RegExp(`^${host.name} /var/lib/hoist/sandboxes/${IT_SANDBOX}/hosts/${host.name}/`));
    }
  });

  it('the engine socket is reachable through SSH stream-local forwarding (what Hoist\'s transport uses)', async () => {
    for (const host of inventory.hosts) {
      const socket = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-fwd-')), 'engine.sock');
      const remote = host.engine === 'docker' ? '/var/run/docker.sock' : '/run/podman/podman.sock';
      const tunnel = spawn('ssh', ['-F', path.join(inventory.dir, 'ssh_config'), '-o', 'BatchMode=yes', '-N', '-L', `${socket}:${remote}`, host.name]);
      try {
        for (let i = 0; i < 100 && !fs.existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
        const body = await new Promise<string>((resolve, reject) => {
          http.get({ socketPath: socket, path: '/_ping', headers: { Host: 'engine' } }, (res) => {
            let data = '';
            res.on('data', (c) => (data += c));
            res.on('end', () => resolve(data));
          }).on('error', reject);
        });
        assert.equal(body, 'OK', `${host.name}: /_ping over the tunnel`);
      } finally {
        tunnel.kill();
      }
    }
  });

  it('busybox and debian:bookworm-slim are loaded into every engine without a registry', () => {
    for (const host of inventory.hosts) {
      const r = sshRun(inventory, host.name, `${host.engine} run --rm busybox:latest echo busybox-ok && ${host.engine} run --rm debian:bookworm-slim cat /etc/debian_version`);
      assert.equal(r.status, 0, `${host.name}: ${r.stderr}`);
      assert.match(r.stdout, /^busybox-ok\n12\.\d+\n$/);
    }
  });

  it('hosts reach each other by address', () => {
    const [a, b, c] = inventory.hosts;
    for (const [from, to] of [[a, b], [b, c], [c, a]]) {
      const r = sshRun(inventory, from.name, `bash -c 'exec 3<>/dev/tcp/${to.address}/22 && head -c 4 <&3'`);
      assert.equal(r.stdout, 'SSH-', `${from.name} -> ${to.name}: ${r.stderr}`);
    }
  });

  it('a container on one host serves a port that another host (and its containers) reach', () => {
    const [docker1, podman2] = inventory.hosts;
    const serve = (host: typeof docker1, port: number) => sshRun(inventory, host.name,
      `${host.engine} rm -f it-web >/dev/null 2>&1; ${host.engine} run -d --name it-web -p ${port}:8080 busybox sh -c 'mkdir -p /w && echo from-${host.name} > /w/index.html && exec httpd -f -p 8080 -h /w'`);
    try {
      assert.equal(serve(podman2, 18080).status, 0);
      assert.equal(serve(docker1, 18081).status, 0);
      const fromHost = sshRun(inventory, 'host-3', `sleep 1; bash -c 'exec 3<>/dev/tcp/${podman2.address}/18080 && printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3 && tail -n 1 <&3'`);
      assert.equal(fromHost.stdout.trim(), 'from-host-2', fromHost.stderr);
      const fromContainer = sshRun(inventory, 'host-2', `podman run --rm busybox wget -q -O- http://${docker1.address}:18081/`);
      assert.equal(fromContainer.stdout.trim(), 'from-host-1', fromContainer.stderr);
    } finally {
      sshRun(inventory, podman2.name, 'podman rm -f it-web');
      sshRun(inventory, docker1.name, 'docker rm -f it-web');
    }
  });

  it('images pushed to the sandbox registry from a Docker host pull on a Podman host', () => {
    const registry = `${inventory.hosts[0].address.replace(/\.\d+$/, '.1')}:5000`;
    const push = sshRun(inventory, 'host-1', `docker tag busybox:latest ${registry}/it/bb:1 && docker push ${registry}/it/bb:1`);
    assert.equal(push.status, 0, push.stderr);
    const pull = sshRun(inventory, 'host-2', `podman pull ${registry}/it/bb:1 >/dev/null && podman run --rm ${registry}/it/bb:1 echo pulled`);
    assert.equal(pull.stdout.trim(), 'pulled', pull.stderr);
  });

  it('sandbox status reports every host healthy, as text and JSON', () => {
    const text = runHoist(['sandbox', 'status', '--name', IT_SANDBOX]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /healthy/);
    const json = JSON.parse(runHoist(['sandbox', 'status', '--name', IT_SANDBOX, '--json']).stdout);
    assert.deepEqual(json.hosts.map((h: { healthy: boolean; engineVersion: string | null }) => [h.healthy, h.engineVersion !== null]), [[true, true], [true, true], [true, true]]);
  });

  it('up again is a no-op on a healthy sandbox, and restarts only a host that died', () => {
    const again = runHoist(['sandbox', 'up', '--name', IT_SANDBOX, '--hosts', '3', '--engine', 'mixed', '--registry'], { timeoutMs: 300_000 });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /its hosts were already running/);
    const pid = Number(fs.readFileSync(`/var/lib/hoist/sandboxes/${IT_SANDBOX}/hosts/host-3/supervisor.pid`, 'utf8').split(' ')[0]);
    process.kill(pid, 'SIGKILL');
    const down = runHoist(['sandbox', 'status', '--name', IT_SANDBOX]);
    assert.equal(down.status, 1);
    const repaired = runHoist(['sandbox', 'up', '--name', IT_SANDBOX, '--hosts', '3', '--engine', 'mixed', '--registry'], { timeoutMs: 300_000 });
    assert.equal(repaired.status, 0, repaired.stderr);
    assert.match(repaired.stdout, /restarted host-3$/m);
    assert.equal(sshRun(inventory, 'host-3', 'docker run --rm busybox true').status, 0);
  });

  it('a second sandbox coexists on its own subnet, and down leaves no trace', () => {
    const name = 'it-down';
    ensureSandbox(name, ['--hosts', '2', '--engine', 'mixed', '--images', 'busybox']);
    const other = readInventory(name);
    assert.notEqual(other.hosts[0].address.split('.')[2], inventory.hosts[0].address.split('.')[2]);
    for (const host of other.hosts) {
      assert.equal(sshRun(other, host.name, `${host.engine} run -d --name busy busybox sleep 600`).status, 0);
    }
    assert.ok(traces(name).netns.length === 2 && traces(name).rules.length > 0);
    // Asking the existing sandbox for a registry starts one.
    const withRegistry = runHoist(['sandbox', 'up', '--name', name, '--hosts', '2', '--engine', 'mixed', '--images', 'busybox', '--registry'], { timeoutMs: 300_000 });
    assert.equal(withRegistry.status, 0, withRegistry.stderr);
    assert.match(withRegistry.stderr, /registry: http:\/\/10\.213\.\d+\.1:5000/);
    const r = runHoist(['sandbox', 'down', '--name', name]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(traces(name), noTraces());
    assert.equal(runHoist(['sandbox', 'status', '--name', IT_SANDBOX]).status, 0, 'the other sandbox is untouched');
  });

  it('down cleans up after a sandbox whose processes were all killed', () => {
    const name = 'it-crash';
    const crashed = ensureSandbox(name, ['--hosts', '2', '--engine', 'mixed', '--images', 'busybox']);
    for (const host of crashed.hosts) {
      sshRun(crashed, host.name, `${host.engine} run -d busybox sleep 600`);
      process.kill(Number(fs.readFileSync(`/var/lib/hoist/sandboxes/${name}/hosts/${host.name}/supervisor.pid`, 'utf8').split(' ')[0]), 'SIGKILL');
    }
    const r = runHoist(['sandbox', 'down', '--name', name]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(traces(name), noTraces());
  });
});

describe('hoist sandbox rejects bad input before creating anything', () => {
  const cases: [string[], RegExp][] = [
    [['--hosts', '0'], /--hosts 0: must be a whole number from 1 to 20/],
    [['--hosts', '500'], /--hosts 500: must be a whole number from 1 to 20/],
    [['--engine', 'lxc'], /--engine lxc: must be docker, podman or mixed/],
    [['--name', 'a/b'], /--name "a\/b": must be 1-20 lower-case letters/],
    [['--name', 'x; rm -rf /'], /--name "x; rm -rf \/": must be 1-20 lower-case letters/],
  ];
  for (const [args, message] of cases) {
    it(`hoist sandbox up ${args.join(' ')}`, () => {
      requireRoot();
      const before = sh('ip', ['netns', 'list']);
      const r = runHoist(['sandbox', 'up', ...args]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, message);
      assert.equal(sh('ip', ['netns', 'list']), before);
      assert.equal(fs.existsSync('/var/lib/hoist/sandboxes/a'), false);
    });
  }

  it('hoist sandbox up and down say plainly that they need root', () => {
    const asNobody = (args: string[]) => spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, path.join(REPO_ROOT, 'bin', 'hoist.js'), ...args], { encoding: 'utf8', cwd: os.tmpdir() });
    for (const action of ['up', 'down']) {
      const r = asNobody(['sandbox', action, '--name', 'it-nobody']);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`hoist sandbox ${action} needs root .*; run it with sudo`));
    }
    assert.equal(fs.existsSync('/var/lib/hoist/sandboxes/it-nobody'), false);
  });

  it('hoist sandbox ssh names the hosts when given an unknown one', () => {
    const r = runHoist(['sandbox', 'ssh', 'host-9', '--name', IT_SANDBOX]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`sandbox ${IT_SANDBOX} has no host "host-9" \\(hosts: host-1, host-2, host-3\\)`));
  });
});
