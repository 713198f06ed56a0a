import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ContainerResource, GraphDocument, HostSpec, StackGraph } from '../../lib/graph/graph-document';
import { HostError } from '../../lib/transport/host-error';
import { openHost, OpenHost } from '../../lib/drivers/open-host';
import { runHoist, REPO_ROOT } from '../helpers/cli';
import { placeStack, PlacedStack, roundTripGraph } from '../helpers/roundtrip';

const STACK = 'rts';
import { ensureSandbox, IT_SANDBOX, SandboxInventory } from '../helpers/sandbox';

describe('hoist status on sandbox hosts (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let stack: StackGraph;
  let graphFile: string;
  let placed: PlacedStack;
  let hosts: OpenHost[] = [];

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    stack = roundTripGraph(`${inventory.dir}/inventory.json`, STACK, 18091);
    placed = await placeStack(stack);
    hosts = placed.hosts;
    graphFile = placed.graphFile;
    // One container gone and one stopped, so status has more to say than "running".
    const docker = rawEngine(hosts[0].engine);
    await docker.getContainer(`${STACK}-plain-1`).remove({ force: true });
    await rawEngine(hosts[1].engine).getContainer(`${STACK}-plain-1`).kill();
  });

  after(() => placed?.remove());

  it('reports every container per host: running, exited with its code, missing; image and revision', () => {
    const r = runHoist(['status', '--graph', graphFile, '--json'], { cwd: REPO_ROOT });
    assert.equal(r.status, 0, r.stderr);
    const document = JSON.parse(r.stdout);
    assert.equal(document.formatVersion, '1.0');
    const byHost = Object.fromEntries(document.stacks[0].hosts.map((h: any) => [h.host, h]));
    assert.deepEqual(Object.keys(byHost).sort(), inventory.hosts.map((h) => h.name));
    for (const h of inventory.hosts) {
      assert.equal(byHost[h.name].reachable, true);
      assert.equal(byHost[h.name].engine.kind, h.engine);
    }
    const row = (host: string, name: string) => byHost[host].resources.find((x: any) => x.name === name);
    assert.equal(row('host-1', `${STACK}-plain-1`).state, 'missing');
    assert.equal(row('host-2', `${STACK}-plain-1`).state, 'exited');
    assert.equal(row('host-2', `${STACK}-plain-1`).exitCode, 137);
    for (const h of inventory.hosts) {
      const full = row(h.name, `${STACK}-full-1`);
      assert.equal(full.state, 'running', `${h.name}`);
      assert.equal(full.revision, 1);
      assert.equal(full.inSync, true);
      assert.match(full.image, /busybox:latest$/);
      assert.ok(!Number.isNaN(Date.parse(full.created)));
    }
    const text = runHoist(['status', '--graph', graphFile], { cwd: REPO_ROOT });
    assert.match(text.stdout, new RegExp(`host-2 \\(${inventory.hosts[1].address.replace(/\./g, '\\.')}, podman 4\\.\\d+\\.\\d+\\)`));
    assert.match(text.stdout, new RegExp(`${STACK}-plain-1 +exited \\(137\\)`));
  });

  it('an unreachable host is reported with its error while the others still show; exit code 1', () => {
    const graph: GraphDocument = JSON.parse(fs.readFileSync(graphFile, 'utf8'));
    const dead: HostSpec = { ...graph.stacks[0].hosts[0], name: 'gone', address: '127.0.0.1', port: 1 };
    const deadContainer = { ...(graph.stacks[0].resources.find((r) => r.kind === 'container') as ContainerResource), id: `container:${STACK}/full#1@gone`, host: 'gone' };
    graph.stacks[0] = { ...graph.stacks[0], hosts: [...graph.stacks[0].hosts, dead], resources: [...graph.stacks[0].resources, deadContainer] };
    const file = graphFile.replace(/\.json$/, '-dead.json');
    fs.writeFileSync(file, JSON.stringify(graph));
    const r = runHoist(['status', '--graph', file, '--json'], { cwd: REPO_ROOT });
    assert.equal(r.status, 1);
    const hostsSeen = JSON.parse(r.stdout).stacks[0].hosts;
    const gone = hostsSeen.find((h: any) => h.host === 'gone');
    assert.equal(gone.reachable, false);
    assert.match(gone.error, /host gone: connection refused by 127\.0\.0\.1:1/);
    assert.equal(hostsSeen.filter((h: any) => h.reachable).length, inventory.hosts.length);
    const text = runHoist(['status', '--graph', file], { cwd: REPO_ROOT });
    assert.equal(text.status, 1);
    assert.match(text.stdout, /gone \(127\.0\.0\.1\): UNREACHABLE: host gone: connection refused/);
    assert.match(text.stderr, /error: 1 host\(s\) unreachable: gone/);
  });

  it('refuses a substitute sshd with another key on the host\'s address, before authenticating', async () => {
    const target = inventory.hosts[2];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-mitm-'));
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'key')]);
    fs.writeFileSync(path.join(dir, 'sshd_config'), [
      `ListenAddress ${target.address}:2222`, `HostKey ${path.join(dir, 'key')}`, `PidFile ${path.join(dir, 'pid')}`,
      'UsePAM no', 'PasswordAuthentication no', `AuthorizedKeysFile ${path.join(inventory.dir, 'id_ed25519.pub')}`, 'LogLevel VERBOSE', '',
    ].join('\n'));
    const log = path.join(dir, 'sshd.log');
    const substitute = spawn('nsenter', [`--net=/var/run/netns/hoist-${IT_SANDBOX}-${target.name}`, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c',
      'mount -t tmpfs tmpfs /run && mkdir /run/sshd && exec /usr/sbin/sshd -D -f "$1" -E "$2"', 'sh', path.join(dir, 'sshd_config'), log]);
    try {
      for (let i = 0; i < 50 && !fs.existsSync(log); i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      // known_hosts records the real host's key for this address and port.
      const realKey = fs.readFileSync(path.join(inventory.dir, 'known_hosts'), 'utf8').split('\n').find((l) => l.startsWith(`${target.address} `))!;
      fs.writeFileSync(path.join(dir, 'known_hosts'), realKey.replace(`${target.address} `, `[${target.address}]:2222 `) + '\n');
      const spec = stack.hosts.find((h) => h.name === target.name)!;
      const error = await openHost({ ...spec, port: 2222, hostKey: { knownHostsFile: path.join(dir, 'known_hosts'), fingerprint: null } }, { projectDir: REPO_ROOT, trustNewHosts: true })
        .then(() => undefined, (e) => e as HostError);
      assert.ok(error instanceof HostError, 'the connection must be refused');
      assert.equal(error.kind, 'changed-host-key');
      await new Promise((r) => setTimeout(r, 200));
      const seen = fs.readFileSync(log, 'utf8');
      assert.doesNotMatch(seen, /Accepted|Failed publickey|userauth|Postponed/i, 'the substitute saw no authentication');
    } finally {
      substitute.kill();
    }
  });
});
