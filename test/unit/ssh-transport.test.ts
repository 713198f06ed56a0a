import * as assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectEngine } from '../../lib/drivers/connect-engine';
import type { HostSpec } from '../../lib/graph/graph-document';
import { HostError } from '../../lib/transport/host-error';
import { fingerprintOf } from '../../lib/transport/known-hosts';
import { LocalConnection } from '../../lib/transport/local-connection';
import { classifySshError, SshConnection } from '../../lib/transport/ssh-connection';
import { describeNoCommonAlgorithm } from '../../lib/transport/ssh-algorithms';
import { resolveEndpoint } from '../../lib/transport/ssh-endpoint';
import { tempProject } from '../helpers/project';
import { generateKey, startFakeEngineSocket, startSshServer, TestKey, TestSshServer } from '../helpers/ssh-server';

const clientKey = generateKey();

function hostSpec(port: number, overrides: Partial<HostSpec> = {}): HostSpec {
  return {
    name: 'test-host', source: 'test/test-host', address: '127.0.0.1', port, user: 'deploy',
    identity: { kind: 'file', path: 'id_test', passphraseEnv: null },
    hostKey: { knownHostsFile: 'known_hosts', fingerprint: null },
    engine: 'docker', engineSocket: null, roles: [], labels: {}, arch: null, local: false,
    ...overrides,
  };
}

/** A project dir with the client key, a known_hosts text and an empty ssh config. */
function project(knownHosts: string, key: TestKey = clientKey): string {
  return tempProject({ id_test: key.privateKey, known_hosts: knownHosts, ssh_config: '' }, 'hoist-ssh-');
}

async function connect(dir: string, spec: HostSpec, options: { trustNewHosts?: boolean; connectMs?: number } = {}) {
  const endpoint = resolveEndpoint(spec, { projectDir: dir, trustNewHosts: options.trustNewHosts ?? false, sshConfigFile: path.join(dir, 'ssh_config') });
  return SshConnection.open(endpoint, { connectMs: options.connectMs ?? 5000, keepaliveMs: 5000, attempts: 3 });
}

async function rejection(promise: Promise<unknown>): Promise<HostError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HostError, `expected a HostError, got ${(error as Error).stack}`);
    return error;
  }
  assert.fail('expected the connection to be refused');
}

describe('SSH transport against an in-process ssh2 server', () => {
  let server: TestSshServer;
  let engine: Awaited<ReturnType<typeof startFakeEngineSocket>>;

  before(async () => {
    engine = await startFakeEngineSocket();
    server = await startSshServer({ clientKey, sockets: { '/var/run/docker.sock': engine.socketPath } });
  });
  after(async () => {
    await server.close();
    await engine.close();
  });

  it('connects to a host listed in known_hosts and reaches the engine over a stream-local forward', async () => {
    const connection = await connect(project(server.knownHostsLine() + '\n'), hostSpec(server.port));
    try {
      const client = await connectEngine(connection, { engine: 'docker', socketPath: null });
      assert.deepEqual(client.info, { kind: 'docker', version: '20.10.24', apiVersion: '1.41', os: 'linux', socketPath: '/var/run/docker.sock' });
      client.close();
    } finally {
      connection.close();
    }
  });

  it('accepts a hashed known_hosts entry', async () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update(`[127.0.0.1]:${server.port}`).digest('base64');
    const line = server.knownHostsLine(`|1|${salt.toString('base64')}|${hash}`);
    (await connect(project(line + '\n'), hostSpec(server.port))).close();
  });

  it('refuses an unknown host key before any authentication is sent', async () => {
    const before = server.log.authAttempts.length;
    const error = await rejection(connect(project(''), hostSpec(server.port)));
    assert.equal(error.kind, 'unknown-host-key');
    assert.match(error.message, new RegExp(`host test-host: host key ${fingerprintOf(server.hostKey.blob).replace(/[+/]/g, '\\$&')} is not in .*known_hosts; .*--trust-new-hosts`));
    assert.equal(server.log.authAttempts.length, before, 'the server saw no authentication attempt');
  });

  it('refuses a changed host key before authentication, naming both fingerprints and the next step', async () => {
    const before = server.log.authAttempts.length;
    const old = generateKey();
    const error = await rejection(connect(project(`[127.0.0.1]:${server.port} ssh-ed25519 ${old.blob.toString('base64')}\n`), hostSpec(server.port), { trustNewHosts: true }));
    assert.equal(error.kind, 'changed-host-key');
    assert.ok(error.message.includes(`recorded ${fingerprintOf(old.blob)}`));
    assert.ok(error.message.includes(`presented ${fingerprintOf(server.hostKey.blob)}`));
    assert.match(error.message, /ssh-keygen -R \[127\.0\.0\.1\]:\d+ -f .*known_hosts\) and run again with --trust-new-hosts/);
    assert.equal(server.log.authAttempts.length, before, 'the server saw no authentication attempt');
  });

  it('refuses a key marked @revoked', async () => {
    const error = await rejection(connect(project(`@revoked ${server.knownHostsLine()}\n${server.knownHostsLine()}\n`), hostSpec(server.port)));
    assert.equal(error.kind, 'revoked-host-key');
  });

  it('with --trust-new-hosts, accepts an unknown key once and records it', async () => {
    const dir = project('');
    (await connect(dir, hostSpec(server.port), { trustNewHosts: true })).close();
    assert.equal(fs.readFileSync(path.join(dir, 'known_hosts'), 'utf8'), server.knownHostsLine() + '\n');
    (await connect(dir, hostSpec(server.port))).close();
  });

  it('checks a pinned SHA256 fingerprint instead of known_hosts', async () => {
    const dir = project('');
    const pinned = hostSpec(server.port, { hostKey: { knownHostsFile: null, fingerprint: fingerprintOf(server.hostKey.blob) } });
    (await connect(dir, pinned)).close();
    const wrong = hostSpec(server.port, { hostKey: { knownHostsFile: null, fingerprint: fingerprintOf(generateKey().blob) } });
    const error = await rejection(connect(dir, wrong));
    assert.equal(error.kind, 'changed-host-key');
    assert.match(error.message, /does not match the pinned fingerprint/);
  });

  it('reports an authentication failure as such', async () => {
    const error = await rejection(connect(project(server.knownHostsLine() + '\n', generateKey()), hostSpec(server.port)));
    assert.equal(error.kind, 'auth');
    assert.match(error.message, /authentication as deploy failed/);
  });

  it('uses an encrypted key with its passphrase from an environment variable, and says when it is missing', async () => {
    const encrypted = generateKey('correct horse');
    const guarded = await startSshServer({ clientKey: encrypted });
    try {
      const dir = project(guarded.knownHostsLine() + '\n', encrypted);
      const spec = hostSpec(guarded.port, { identity: { kind: 'file', path: 'id_test', passphraseEnv: 'HOIST_TEST_PASSPHRASE' } });
      process.env.HOIST_TEST_PASSPHRASE = 'correct horse';
      (await connect(dir, spec)).close();
      delete process.env.HOIST_TEST_PASSPHRASE;
      assert.throws(() => resolveEndpoint(spec, { projectDir: dir, trustNewHosts: false, sshConfigFile: path.join(dir, 'ssh_config') }), /needs the passphrase in HOIST_TEST_PASSPHRASE, which is not set/);
      const noEnv = hostSpec(guarded.port);
      assert.throws(() => resolveEndpoint(noEnv, { projectDir: dir, trustNewHosts: false, sshConfigFile: path.join(dir, 'ssh_config') }), /is encrypted; put its passphrase in an environment variable/);
    } finally {
      await guarded.close();
    }
  });

  it('a closed port is "connection refused"', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const error = await rejection(connect(project(''), hostSpec(port)));
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /connection refused by 127\.0\.0\.1:\d+; is sshd running/);
  });

  it('a host that accepts TCP but never speaks SSH fails within the connect timeout', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const started = Date.now();
    try {
      const error = await rejection(connect(project(''), hostSpec((silent.address() as net.AddressInfo).port), { connectMs: 800 }));
      assert.equal(error.kind, 'timeout');
      assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
    } finally {
      silent.close();
    }
  });

  it('refuses a server that offers only legacy algorithms', async () => {
    const legacy = await startSshServer({ clientKey, algorithms: { cipher: ['aes128-cbc'], hmac: ['hmac-sha1'] } });
    try {
      const error = await rejection(connect(project(legacy.knownHostsLine() + '\n'), hostSpec(legacy.port)));
      assert.equal(error.kind, 'algorithms');
      assert.match(error.message, new RegExp(`^host test-host: the SSH server at 127\\.0\\.0\\.1:${legacy.port} offers only legacy ciphers \\(aes128-cbc\\), which Hoist refuses; enable one Hoist accepts in the server's sshd_config Ciphers: chacha20-poly1305@openssh\\.com,`));
      assert.deepEqual(legacy.log.authAttempts, []);
    } finally {
      await legacy.close();
    }
  });

  it('carries many concurrent engine requests over one connection', async () => {
    const connectionsBefore = server.log.connections;
    const requestsBefore = engine.requests();
    const connection = await connect(project(server.knownHostsLine() + '\n'), hostSpec(server.port));
    try {
      const client = await connectEngine(connection, { engine: 'docker', socketPath: null });
      const results = await Promise.all(Array.from({ length: 50 }, () => client.listContainers()));
      assert.equal(results.length, 50);
      assert.ok(results.every((r) => Array.isArray(r) && r.length === 0));
      assert.equal(server.log.connections - connectionsBefore, 1, 'one SSH connection');
      assert.equal(engine.requests() - requestsBefore, 51, 'the ping and 50 lists reached the engine');
      assert.ok(server.log.streamlocal.length > 0 && server.log.streamlocal.every((p) => p === '/var/run/docker.sock'));
      client.close();
    } finally {
      connection.close();
    }
  });

  it('a connection to a host that goes silent ends its streams: the next request fails at once, not at its timeout', async () => {
    // A TCP relay that can go silent: it stops passing bytes either way without closing, as a
    // host cut off by a firewall does; the SSH keepalive (every 200 ms here) then gives up.
    let silent = false;
    const relaySockets: net.Socket[] = [];
    const relay = net.createServer((inbound) => {
      const outbound = net.connect(server.port, '127.0.0.1');
      relaySockets.push(inbound, outbound);
      inbound.on('data', (d) => { if (!silent) outbound.write(d); });
      outbound.on('data', (d) => { if (!silent) inbound.write(d); });
      inbound.on('error', () => undefined);
      outbound.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const dir = project(`[127.0.0.1]:${(relay.address() as net.AddressInfo).port} ssh-ed25519 ${server.hostKey.blob.toString('base64')}\n`);
    const endpoint = resolveEndpoint(hostSpec((relay.address() as net.AddressInfo).port), { projectDir: dir, trustNewHosts: false, sshConfigFile: path.join(dir, 'ssh_config') });
    const connection = await SshConnection.open(endpoint, { connectMs: 5000, keepaliveMs: 200, attempts: 1 });
    try {
      const client = await connectEngine(connection, { engine: 'docker', socketPath: null, requestTimeoutMs: 30_000 });
      // Leaves an idle stream in the engine agent's pool, as every plan does.
      await client.listContainers();
      silent = true;
      const deadline = Date.now() + 10_000;
      while (!connection.isBroken && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(connection.isBroken, 'the keepalive noticed the silence');
      const started = Date.now();
      await assert.rejects(client.listContainers(), /connection was lost|socket hang up/);
      assert.ok(Date.now() - started < 2000, `failed at once (${Date.now() - started} ms), not at the 30 s request timeout`);
      client.close();
    } finally {
      connection.close();
      for (const socket of relaySockets) socket.destroy();
      relay.close();
    }
  });

  it('tells a missing engine socket from one the user may not open, and never asks for agent forwarding', async () => {
    const connection = await connect(project(server.knownHostsLine() + '\n'), hostSpec(server.port));
    try {
      const missing = await rejection(connectEngine(connection, { engine: 'docker', socketPath: '/run/nope.sock' }));
      assert.equal(missing.kind, 'socket-missing');
      assert.match(missing.message, /the engine socket \/run\/nope\.sock does not exist/);
    } finally {
      connection.close();
    }
    const denying = await startSshServer({ clientKey, socketState: 'denied' });
    const connection2 = await connect(project(denying.knownHostsLine() + '\n'), hostSpec(denying.port));
    try {
      const denied = await rejection(connectEngine(connection2, { engine: 'docker', socketPath: '/var/run/docker.sock' }));
      assert.equal(denied.kind, 'socket-permission');
      assert.match(denied.message, /permission denied on the engine socket \/var\/run\/docker\.sock/);
      assert.equal(denying.log.agentRequests, 0);
      assert.equal(server.log.agentRequests, 0);
    } finally {
      connection2.close();
      await denying.close();
    }
  });

  it('honours ~/.ssh/config (HostName, Port, User, IdentityFile) and reaches a host through a ProxyJump bastion', async () => {
    const target = await startSshServer({ clientKey, sockets: { '/var/run/docker.sock': engine.socketPath } });
    const bastion = await startSshServer({ clientKey });
    try {
      const dir = tempProject({
        id_test: clientKey.privateKey,
        known_hosts: `${bastion.knownHostsLine()}\n${target.knownHostsLine()}\n`,
        ssh_config: [
          'Host app-alias',
          '  HostName 127.0.0.1',
          `  Port ${target.port}`,
          '  User deploy',
          `  ProxyJump jumper@127.0.0.1:${bastion.port}`,
        ].join('\n') + '\n',
      }, 'hoist-ssh-');
      const spec = hostSpec(0, { address: 'app-alias', port: null, user: null });
      const endpoint = resolveEndpoint(spec, { projectDir: dir, trustNewHosts: false, sshConfigFile: path.join(dir, 'ssh_config') });
      assert.equal(endpoint.address, '127.0.0.1');
      assert.equal(endpoint.port, target.port);
      assert.equal(endpoint.user, 'deploy');
      assert.equal(endpoint.jump?.user, 'jumper');
      const connection = await SshConnection.open(endpoint);
      try {
        const client = await connectEngine(connection, { engine: 'docker', socketPath: null });
        assert.equal(client.info.kind, 'docker');
        client.close();
      } finally {
        connection.close();
      }
      assert.deepEqual(bastion.log.authAttempts.filter((a) => a.endsWith(':publickey')).map((a) => a.split(':')[0])[0], 'jumper');
      assert.ok(target.log.authAttempts.some((a) => a === 'deploy:publickey'));
    } finally {
      await target.close();
      await bastion.close();
    }
  });
});

describe('SSH transport: agent, local hosts, old engines, error classification', () => {
  it('authenticates with keys from an ssh-agent (and never forwards it)', async () => {
    const { spawnSync } = await import('node:child_process');
    const engine = await startFakeEngineSocket();
    const server = await startSshServer({ clientKey, sockets: { '/var/run/docker.sock': engine.socketPath } });
    const dir = tempProject({ known_hosts: server.knownHostsLine() + '\n', ssh_config: '', key: clientKey.privateKey }, 'hoist-agent-');
    fs.chmodSync(path.join(dir, 'key'), 0o600);
    const agentSocket = path.join(dir, 'agent.sock');
    const agent = spawnSync('ssh-agent', ['-a', agentSocket], { encoding: 'utf8' });
    const agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1]);
    try {
      assert.equal(spawnSync('ssh-add', [path.join(dir, 'key')], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, encoding: 'utf8' }).status, 0);
      const spec = hostSpec(server.port, { identity: { kind: 'agent', socketEnv: 'HOIST_TEST_AGENT' } });
      process.env.HOIST_TEST_AGENT = agentSocket;
      const connection = await connect(dir, spec);
      const client = await connectEngine(connection, { engine: 'docker', socketPath: null });
      assert.equal(client.info.kind, 'docker');
      client.close();
      connection.close();
      assert.equal(server.log.agentRequests, 0);
    } finally {
      delete process.env.HOIST_TEST_AGENT;
      if (agentPid) process.kill(agentPid);
      await server.close();
      await engine.close();
    }
  });

  it('a host marked local reaches the engine socket on this machine, without SSH', async () => {
    const engine = await startFakeEngineSocket();
    try {
      const local = new LocalConnection('laptop');
      const client = await connectEngine(local, { engine: 'docker', socketPath: engine.socketPath });
      assert.equal(client.info.kind, 'docker');
      client.close();
      const missing = await rejection(connectEngine(local, { engine: 'docker', socketPath: path.join(path.dirname(engine.socketPath), 'none.sock') }));
      assert.equal(missing.kind, 'socket-missing');
    } finally {
      await engine.close();
    }
  });

  it('refuses an engine whose API is older than 1.40, saying what to upgrade', async () => {
    const engine = await startFakeEngineSocket('1.30');
    try {
      const error = await rejection(connectEngine(new LocalConnection('old'), { engine: 'docker', socketPath: engine.socketPath }));
      assert.equal(error.kind, 'api-too-old');
      assert.match(error.message, /host old: docker 20\.10\.24 serves Engine API 1\.30; Hoist needs 1\.40 or newer/);
    } finally {
      await engine.close();
    }
  });

  it('resolveEndpoint() takes known_hosts from the Host, else the address\'s UserKnownHostsFile, else ~/.ssh/known_hosts; a bastion in front of a pinned host too', () => {
    const dir = tempProject({
      id_test: clientKey.privateKey,
      ssh_config: [
        'Host app-alias', '  UserKnownHostsFile /etc/hoist-test/app_known_hosts', '  ProxyJump bastion-alias',
        'Host bastion-alias', '  HostName 127.0.0.2', '  UserKnownHostsFile /etc/hoist-test/bastion_known_hosts',
        'Host plain-alias', '  ProxyJump 127.0.0.3',
      ].join('\n') + '\n',
    }, 'hoist-ssh-');
    const resolve = (overrides: Partial<HostSpec>) => resolveEndpoint(hostSpec(22, overrides), { projectDir: dir, trustNewHosts: false, sshConfigFile: path.join(dir, 'ssh_config') });
    const byDefault = resolve({ address: 'app-alias', hostKey: { knownHostsFile: '~/.ssh/known_hosts', fingerprint: null } });
    assert.equal(byDefault.hostKey.knownHostsFile, '/etc/hoist-test/app_known_hosts');
    assert.equal(byDefault.jump?.hostKey.knownHostsFile, '/etc/hoist-test/bastion_known_hosts');
    assert.equal(byDefault.jump?.host, 'test-host: bastion bastion-alias (127.0.0.2)');
    assert.deepEqual(byDefault.jump?.hostKey.names, ['127.0.0.2', 'bastion-alias'], 'a new key is recorded under the HostName');
    const named = resolve({ address: 'app-alias' });
    assert.equal(named.hostKey.knownHostsFile, path.join(dir, 'known_hosts'), 'a file the Host names wins');
    assert.equal(named.jump?.hostKey.knownHostsFile, path.join(dir, 'known_hosts'));
    const pinned = resolve({ address: 'plain-alias', hostKey: { knownHostsFile: null, fingerprint: 'SHA256:abc' } });
    assert.equal(pinned.hostKey.knownHostsFile, null);
    assert.equal(pinned.jump?.hostKey.knownHostsFile, path.join(os.homedir(), '.ssh', 'known_hosts'));
    assert.equal(pinned.jump?.host, 'test-host: bastion 127.0.0.3');
  });

  it('describeNoCommonAlgorithm() calls an offer legacy only when every offered algorithm is, ignoring kex signals', () => {
    assert.match(describeNoCommonAlgorithm('kex', ['diffie-hellman-group1-sha1', 'kex-strict-s-v00@openssh.com']),
      /^offers only legacy key exchange \(diffie-hellman-group1-sha1\), which Hoist refuses; enable one Hoist accepts in the server's sshd_config KexAlgorithms: curve25519-sha256, /);
    assert.match(describeNoCommonAlgorithm('serverHostKey', ['ssh-dss', 'ssh-rsa']), /^offers only legacy host key algorithms \(ssh-dss,ssh-rsa\)/);
    assert.match(describeNoCommonAlgorithm('kex', ['sntrup761x25519-sha512@openssh.com', 'diffie-hellman-group1-sha1']),
      /^offers no key exchange that Hoist accepts \(it offers sntrup761x25519-sha512@openssh\.com,diffie-hellman-group1-sha1\); enable one/);
    assert.match(describeNoCommonAlgorithm('hmac', undefined), /^offers no MACs that Hoist accepts; enable one Hoist accepts in the server's sshd_config MACs: /);
  });

  it('classifies DNS, unreachable and reset errors distinctly (no lookup leaves this machine)', () => {
    const endpoint = resolveEndpoint(hostSpec(22, { address: 'db.example.invalid' }), { projectDir: project(''), trustNewHosts: false, sshConfigFile: '/nonexistent' });
    const kind = (code: string) => classifySshError(endpoint, Object.assign(new Error(code), { code }));
    assert.equal(kind('ENOTFOUND').kind, 'dns');
    assert.match(kind('ENOTFOUND').message, /cannot resolve db\.example\.invalid \(ENOTFOUND\)/);
    assert.equal(kind('EHOSTUNREACH').kind, 'unreachable');
    assert.equal(kind('ECONNRESET').transient, true);
    assert.equal(kind('ECONNREFUSED').transient, false);
  });
});
