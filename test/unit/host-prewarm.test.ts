import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { utils } from 'ssh2';
import { Host, Image, Service, Stack, Testing } from '../../lib';
import { startHoist } from '../helpers/cli';
import { tempProject } from '../helpers/project';
import { generateKey, startFakeEngineSocket, startSshServer } from '../helpers/ssh-server';
import { describe, it } from 'node:test';
import type { HostSpec } from '../../lib/graph/graph-document';
import { HostPrewarm } from '../../lib/drivers/host-prewarm';
import { openHost, type OpenHost, type OpenHostOptions } from '../../lib/drivers/open-host';
import { HostError } from '../../lib/transport/host-error';

const spec = (name: string, address = '10.1.0.1'): HostSpec => ({
  name, source: `app/s/${name}`, address, port: 22, user: 'root', identity: { kind: 'agent', socketEnv: 'SSH_AUTH_SOCK' },
  hostKey: { knownHostsFile: null, fingerprint: 'SHA256:abc' } as unknown as HostSpec['hostKey'], engine: 'docker', engineSocket: null,
  roles: [], labels: {}, arch: null, local: false,
});

/**
 * A HostOpener that records every open and hands out OpenHost objects that record their close;
 * `fail` makes the opens of a host fail, `hold` keeps them pending until their signal fires.
 */
function recordingOpener(behaviour: { fail?: Map<string, Error>; hold?: Set<string> } = {}) {
  const opens: { host: string; trustNewHosts: boolean; signalled: boolean }[] = [];
  const closed: string[] = [];
  const cancelled: string[] = [];
  const opener = (host: HostSpec, options: OpenHostOptions): Promise<OpenHost> => {
    opens.push({ host: host.name, trustNewHosts: options.trustNewHosts, signalled: options.signal !== undefined });
    const failure = behaviour.fail?.get(host.name);
    if (failure) return Promise.reject(failure);
    if (behaviour.hold?.has(host.name)) {
      return new Promise((_resolve, reject) => options.signal?.addEventListener('abort', () => {
        cancelled.push(host.name);
        reject(new HostError(host.name, 'cancelled', 'cancelled'));
      }));
    }
    return Promise.resolve({ spec: host, connection: {} as never, engine: {} as never, close: () => closed.push(host.name) });
  };
  return { opener, opens, closed, cancelled };
}

const OPTIONS: OpenHostOptions = { projectDir: '/project', trustNewHosts: false };

describe('HostPrewarm (lib/drivers/host-prewarm.ts)', () => {
  it('hands out the warm connection of a host whose spec is unchanged, once; the next request opens anew', async () => {
    const { opener, opens } = recordingOpener();
    const prewarm = HostPrewarm.start([spec('a'), spec('b')], OPTIONS, opener);
    assert.deepEqual(opens.map((o) => o.host), ['a', 'b'], 'both warm attempts start at once');
    const first = await prewarm.opener(spec('a'), OPTIONS);
    assert.equal(first.spec.name, 'a');
    assert.equal(opens.length, 2, 'no new connection for a');
    await prewarm.opener(spec('a'), OPTIONS);
    assert.equal(opens.length, 3, 'a second request for a opens anew');
    prewarm.close();
  });

  it('a host whose spec changed (key order aside) is opened anew, and the stale warm connection is closed', async () => {
    const { opener, opens, closed } = recordingOpener();
    const reordered = Object.fromEntries(Object.entries(spec('a')).reverse()) as unknown as HostSpec;
    const prewarm = HostPrewarm.start([spec('a'), spec('b')], OPTIONS, opener);
    await prewarm.opener(reordered, OPTIONS);
    assert.equal(opens.length, 2, 'the same spec with its keys in another order is the same host');
    const moved = await prewarm.opener(spec('b', '10.1.0.99'), OPTIONS);
    assert.equal(moved.spec.address, '10.1.0.99');
    assert.equal(opens.length, 3);
    prewarm.close();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(closed, ['b'], 'the warm connection to the old b is closed; a, handed out, is not');
  });

  it('warm attempts never trust a new host key; a failed one answers for its host unless the request trusts new keys', async () => {
    const unknownKey = new HostError('a', 'unknown-host-key', 'host a: unknown host key');
    const { opener, opens } = recordingOpener({ fail: new Map([['a', unknownKey]]) });
    const prewarm = HostPrewarm.start([spec('a'), spec('b')], { ...OPTIONS, trustNewHosts: true }, opener);
    assert.deepEqual(opens.map((o) => o.trustNewHosts), [false, false]);
    await assert.rejects(prewarm.opener(spec('a'), OPTIONS), (error) => error === unknownKey);
    assert.equal(opens.length, 2, 'the same attempt is not made twice');
    const trusting = HostPrewarm.start([spec('a')], OPTIONS, opener);
    await assert.rejects(trusting.opener(spec('a'), { ...OPTIONS, trustNewHosts: true }), (error) => error === unknownKey);
    assert.equal(opens.at(-1)!.trustNewHosts, true, 'a request that trusts new keys tries again, trusting');
    prewarm.close();
    trusting.close();
  });

  it('a request with another project directory or keepalive gets a connection of its own', async () => {
    const { opener, opens } = recordingOpener();
    const prewarm = HostPrewarm.start([spec('a')], OPTIONS, opener);
    await prewarm.opener(spec('a'), { ...OPTIONS, projectDir: '/elsewhere' });
    await prewarm.opener(spec('a'), { ...OPTIONS, timeouts: { connectMs: 1000, keepaliveMs: 60_000, attempts: 1 } });
    assert.equal(opens.length, 3);
    await prewarm.opener(spec('a'), { ...OPTIONS, timeouts: { connectMs: 1000, keepaliveMs: 5_000, attempts: 1 } });
    assert.equal(opens.length, 3, 'the connect time does not matter once connected');
    prewarm.close();
  });

  it('close() cancels attempts still under way, so an unanswering host keeps nothing waiting', async () => {
    const { opener, opens, cancelled } = recordingOpener({ hold: new Set(['slow']) });
    const prewarm = HostPrewarm.start([spec('slow'), spec('fast')], OPTIONS, opener);
    assert.equal(opens[0].signalled, true);
    await prewarm.opener(spec('fast'), OPTIONS);
    prewarm.close();
    assert.deepEqual(cancelled, ['slow'], 'the attempt still under way is cancelled; the one handed out is not');
    await prewarm.opener(spec('fast'), OPTIONS);
    assert.equal(opens.length, 3, 'after close, every request opens anew');
  });

  it('openHost over SSH gives up when its signal fires, even while the server never answers', async () => {
    // A TCP server that accepts and says nothing: the SSH handshake would wait for its timeout.
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-prewarm-')), 'id_ed25519');
      fs.writeFileSync(keyFile, utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
      const cancel = new AbortController();
      const started = Date.now();
      const opening = openHost({ ...spec('silent', '127.0.0.1'), port, identity: { kind: 'file', path: keyFile, passphraseEnv: null } }, {
        ...OPTIONS, timeouts: { connectMs: 20_000, keepaliveMs: 5_000, attempts: 1 }, signal: cancel.signal,
      });
      setTimeout(() => cancel.abort(), 200);
      await assert.rejects(opening, (error: Error) => error instanceof HostError && error.kind === 'cancelled');
      assert.ok(Date.now() - started < 5000, `gave up at once, not after the 20 s connect timeout (${Date.now() - started} ms)`);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});

describe('hoist plan --graph connects while it checks the file, and reads nothing of a stack from a host of a file that fails the checks', () => {
  it('a graph edited by hand is refused; the host saw at most a connection and the engine\'s /_ping', async () => {
    const clientKey = generateKey();
    const engine = await startFakeEngineSocket();
    const server = await startSshServer({ clientKey, sockets: { '/var/run/docker.sock': engine.socketPath } });
    try {
      const dir = tempProject({ id_test: clientKey.privateKey, known_hosts: `${server.knownHostsLine()}\n` }, 'hoist-prewarm-cli-');
      const app = Testing.app({ projectDir: dir });
      const stack = new Stack(app, 'demo');
      const host = new Host(stack, 'h1', { address: '127.0.0.1', port: server.port, user: 'deploy', identityFile: 'id_test', knownHostsFile: 'known_hosts' });
      new Service(stack, 'web', { image: Image.fromRegistry('busybox:latest'), placement: { hosts: [host] } });
      const graph = Testing.synth(app) as unknown as { stacks: { resources: { spec: { environment?: unknown; env?: Record<string, string> } }[] }[] };
      // Edited by hand: a container's spec no longer matches its hash.
      const container = graph.stacks[0].resources.find((r) => r.spec.env !== undefined)!;
      container.spec.env = { ...container.spec.env, EDITED: 'by hand' };
      fs.writeFileSync(path.join(dir, 'graph.json'), JSON.stringify(graph));
      // Not spawnSync: the SSH server lives in this process and must answer meanwhile.
      const r = await startHoist(['plan', '--graph', 'graph.json'], { cwd: dir }).finished;
      assert.equal(r.status, 1, r.stdout);
      assert.match(r.stderr, /graph\.json.*edited by hand or damaged/s);
      // The checks usually end before the handshake does; a warm connection that got further
      // only pinged the engine (how connecting tells its version).
      assert.deepEqual(engine.paths().filter((p) => !/^\/_ping$/.test(p)), [], 'nothing but /_ping reached the engine');
      // The control: the same graph unedited is planned, and its reads reach the engine.
      container.spec.env = Object.fromEntries(Object.entries(container.spec.env!).filter(([k]) => k !== 'EDITED'));
      fs.writeFileSync(path.join(dir, 'graph.json'), JSON.stringify(graph));
      const ok = await startHoist(['plan', '--graph', 'graph.json'], { cwd: dir }).finished;
      assert.equal(ok.status, 0, ok.stderr);
      assert.ok(engine.paths().some((p) => p.includes('/containers/json')), 'the checked graph\'s plan lists containers');
    } finally {
      await server.close();
      await engine.close();
    }
  });
});
