import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Host, Image, Service, Stack, Testing, EngineType } from '../../lib';
import type { GraphDocument, HostSpec, StackGraph } from '../../lib/graph/graph-document';
import { hostPaths } from '../../lib/sandbox/host-files';
import { readState, SandboxHostState, SandboxState } from '../../lib/sandbox/sandbox-state';
import { runHoist, CliResult, REPO_ROOT } from '../helpers/cli';
import { placeStack, PlacedStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX } from '../helpers/sandbox';

/**
 * Reliability items 20 and 22 against real OpenSSH sshd on sandbox hosts: ~/.ssh/config
 * (alias, HostName, Port, User, IdentityFile, ProxyJump through a bastion whose key is checked
 * like any host's), no agent forwarding, and servers offering only legacy algorithms refused.
 * Hoist finds ~/.ssh/config through os.homedir(), so every run gets HOME set to a temporary
 * directory holding the config, the keys it names and known_hosts.
 */

/** Marks every line and rule this file adds on the sandbox hosts, so cleanup removes exactly those. */
const TAG = 'hoist-it-ssh-config';
const ALIAS_STACK = 'sshca';
const JUMP_STACK = 'sshcj';

interface Sshd {
  readonly port: number;
  readonly log: string;
  stop(): Promise<void>;
}

function sh(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A fresh ed25519 key pair in `dir`; returns the private key path, public line and fingerprint. */
function newKey(dir: string, name: string, type = 'ed25519'): { file: string; publicLine: string; fingerprint: string } {
  const file = path.join(dir, name);
  sh('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', TAG, '-f', file]);
  const publicLine = fs.readFileSync(`${file}.pub`, 'utf8').trim();
  const fingerprint = sh('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`]).split(' ')[1];
  return { file, publicLine, fingerprint };
}

/** The bytes a log file has gained since `offset`. */
function logSince(file: string, offset: number): string {
  const text = fs.readFileSync(file);
  return text.subarray(offset).toString('utf8');
}

function sizeOf(file: string): number {
  return fs.statSync(file).size;
}

/** Waits until sshd at address:port greets with an SSH banner, or fails after `timeoutMs`. */
async function waitForBanner(address: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const greeted = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: address, port, timeout: 1000 });
      socket.once('data', (d) => { socket.destroy(); resolve(d.toString('latin1').startsWith('SSH-')); });
      socket.once('timeout', () => { socket.destroy(); resolve(false); });
      socket.once('error', () => resolve(false));
    });
    if (greeted) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no sshd greeted on ${address}:${port} within ${timeoutMs} ms`);
}

/**
 * Starts a real OpenSSH sshd inside a sandbox host's network namespace on `port`, with its own
 * config lines and host keys. It gets a private /run (sshd needs /run/sshd), so nothing of the
 * host's or this machine's /run changes.
 */
async function startSshd(host: SandboxHostState, dir: string, port: number, lines: string[]): Promise<Sshd> {
  const config = path.join(dir, `sshd_config_${port}`);
  const log = path.join(dir, `sshd_${port}.log`);
  fs.writeFileSync(config, [`ListenAddress ${host.address}:${port}`, `PidFile ${path.join(dir, `sshd_${port}.pid`)}`,
    'UsePAM no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'StrictModes no', ...lines, ''].join('\n'));
  fs.writeFileSync(log, '');
  const child = spawn('nsenter', [`--net=/var/run/netns/${host.netns}`, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c',
    'mount -t tmpfs tmpfs /run && mkdir /run/sshd && exec /usr/sbin/sshd -D -f "$1" -E "$2"', 'sh', config, log], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForBanner(host.address, port);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; sshd log:\n${fs.readFileSync(log, 'utf8')}`);
  }
  return {
    port,
    log,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One rule in a sandbox host's own iptables (its network namespace), added and removed by exact spec. */
function hostRule(host: SandboxHostState, table: string, chain: string, match: string[], target: string[]) {
  const spec = [...match, '-m', 'comment', '--comment', TAG, ...target];
  const run = (op: string) => spawnSync('ip', ['netns', 'exec', host.netns, 'iptables', '-w', '-t', table, op, chain, ...spec], { encoding: 'utf8' });
  return {
    add: () => {
      const r = run('-I');
      assert.equal(r.status, 0, `iptables -I in ${host.netns}: ${r.stderr}`);
    },
    /** Removes every copy of the rule (none left afterwards, whatever ran before). */
    remove: () => {
      for (let i = 0; i < 10 && run('-D').status === 0; i++);
    },
  };
}

/** Whether a TCP connection from this machine to address:port is refused. */
function refusedDirectly(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, timeout: 3000 });
    socket.once('connect', () => { socket.destroy(); resolve(false); });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

/** A graph file holding `stack`, its hosts rewritten by `edit`. */
function writeGraph(dir: string, name: string, stack: StackGraph, edit: (h: HostSpec) => HostSpec = (h) => h): string {
  const file = path.join(dir, `${name}.json`);
  const document: GraphDocument = { formatVersion: '1.0', stacks: [{ ...stack, hosts: stack.hosts.map(edit) }] } as GraphDocument;
  fs.writeFileSync(file, JSON.stringify(document));
  return file;
}

describe('~/.ssh/config, ProxyJump bastions, agent forwarding and legacy algorithms on real sshd (sandbox hosts)', () => {
  let state: SandboxState;
  let work: string;
  let home: string;
  let aliasKey: ReturnType<typeof newKey>;
  const placements: PlacedStack[] = [];
  let aliasGraph: string;
  let jumpGraph: string;
  let hostKeys: Map<string, string>;
  const byName = (name: string) => state.hosts.find((h) => h.name === name)!;
  const cleanups: (() => void | Promise<void>)[] = [];

  /** Runs hoist with HOME (so ~/.ssh/config) in the temporary home and no ssh-agent. */
  const hoist = (args: string[], env: Record<string, string | undefined> = {}): CliResult =>
    runHoist(args, { cwd: REPO_ROOT, env: { HOME: home, SSH_AUTH_SOCK: undefined, ...env } });
  const statusOf = (graphFile: string, extra: string[] = [], env: Record<string, string | undefined> = {}) => {
    const r = hoist(['status', '--graph', graphFile, '--json', ...extra], env);
    const document = r.stdout ? JSON.parse(r.stdout) : undefined;
    return { ...r, hosts: (document?.stacks[0].hosts ?? []) as any[] };
  };
  const writeSshFile = (name: string, lines: string[]) => fs.writeFileSync(path.join(home, '.ssh', name), lines.join('\n') + '\n', { mode: 0o600 });
  /** The key line of `host` from the sandbox's known_hosts, recorded under `name`. */
  const knownLine = (host: string, name: string) => `${name} ${hostKeys.get(host)}`;

  before(async () => {
    ensureSandbox(IT_SANDBOX, ['--hosts', '3', '--engine', 'mixed']);
    state = readState(IT_SANDBOX)!;
    assert.deepEqual(state.hosts.map((h) => `${h.name} ${h.engine}`), ['host-1 docker', 'host-2 podman', 'host-3 docker']);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-ssh-config-'));
    home = path.join(work, 'home');
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
    hostKeys = new Map(state.hosts.map((h) => [h.name, fs.readFileSync(`${hostPaths(h).hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')]));

    // A key only ~/.ssh/config names, authorized on every sandbox host for this file's runs.
    aliasKey = newKey(path.join(home, '.ssh'), 'id_alias');
    for (const h of state.hosts) fs.appendFileSync(hostPaths(h).authorizedKeys, `${aliasKey.publicLine}\n`);
    cleanups.push(() => {
      for (const h of state.hosts) {
        const file = hostPaths(h).authorizedKeys;
        fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split('\n').filter((l) => !l.includes(TAG)).join('\n'));
      }
    });

    // One stack per path: host-2 (Podman) by its alias, host-3 (Docker) behind the bastion host-1.
    const app = Testing.app({ projectDir: work });
    for (const [stackName, hostName, address, engine] of [[ALIAS_STACK, 'host-2', 'app-alias', EngineType.PODMAN], [JUMP_STACK, 'host-3', 'behind-alias', EngineType.DOCKER]] as const) {
      const stack = new Stack(app, stackName);
      new Host(stack, hostName, { address, engine });
      // Ends at once on SIGTERM (a bare sleep as PID 1 ignores it): Podman's forced remove waits 10 s otherwise.
      new Service(stack, 'marker', { image: Image.fromRegistry('busybox:latest'), command: ['sh', '-c', 'trap "exit 0" TERM; while sleep 1; do :; done'] });
    }
    const graph: GraphDocument = Testing.synth(app);
    const [aliasStack, jumpStack] = [ALIAS_STACK, JUMP_STACK].map((n) => graph.stacks.find((s) => s.name === n)!);
    aliasGraph = writeGraph(work, 'alias', aliasStack);
    jumpGraph = writeGraph(work, 'jump', jumpStack);
    // The marker containers go on through each host's engine socket on this machine (no SSH), so
    // "running" in status proves the run read that very host.
    const local = (h: HostSpec): HostSpec => ({ ...h, local: true, engineSocket: hostPaths(byName(h.name)).engineSocket });
    const both: StackGraph[] = [aliasStack, jumpStack].map((s) => ({ ...s, hosts: s.hosts.map(local) }));
    for (const s of both) placements.push(await placeStack(s, work));
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    for (const p of placements) {
      await p.remove();
      // placeStack writes its graph into a temporary directory of its own.
      fs.rmSync(path.dirname(p.graphFile), { recursive: true, force: true });
    }
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('hoist status reaches a host by its ~/.ssh/config alias: HostName, Port, UserKnownHostsFile and the IdentityFile only the config names', async () => {
    const host2 = byName('host-2');
    writeSshFile('config', [
      'Host app-alias',
      `  HostName ${host2.address}`,
      '  Port 2222',
      '  User root',
      `  IdentityFile ${aliasKey.file}`,
      '  UserKnownHostsFile ~/.ssh/alias_known_hosts',
    ]);
    // Only the config's UserKnownHostsFile knows host-2; ~/.ssh/known_hosts does not exist.
    fs.rmSync(path.join(home, '.ssh', 'known_hosts'), { force: true });
    writeSshFile('alias_known_hosts', [knownLine('host-2', `[${host2.address}]:2222`)]);

    // Nothing listens on 2222 yet: refused at exactly the config's HostName and Port.
    const closed = statusOf(aliasGraph);
    assert.equal(closed.status, 1, closed.stderr);
    assert.match(closed.hosts[0].error, new RegExp(`^host host-2: connection refused by ${escape(host2.address)}:2222;`));

    // Port 2222 on host-2 now leads to its sshd: the same config reaches it.
    const redirect = hostRule(host2, 'nat', 'PREROUTING', ['-p', 'tcp', '--dport', '2222'], ['-j', 'REDIRECT', '--to-ports', '22']);
    cleanups.push(redirect.remove);
    redirect.add();
    try {
      const sshdLog = path.join(hostPaths(host2).logs, 'sshd.log');
      const offset = sizeOf(sshdLog);
      const r = statusOf(aliasGraph);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      assert.equal(r.hosts[0].host, 'host-2');
      assert.equal(r.hosts[0].reachable, true);
      assert.equal(r.hosts[0].engine.kind, 'podman');
      assert.equal(r.hosts[0].resources.find((x: any) => x.name === `${ALIAS_STACK}-marker-1`)?.state, 'running');
      // sshd says which key it accepted: the one only ~/.ssh/config names, not the inventory's.
      const seen = logSince(sshdLog, offset);
      assert.match(seen, new RegExp(`Accepted publickey for root from ${escape(state.gateway)} port \\d+ ssh2: ED25519 ${escape(aliasKey.fingerprint)}`));
      assert.doesNotMatch(seen, new RegExp(escape(inventoryKeyFingerprint())));
    } finally {
      redirect.remove();
    }
  });

  it('hoist status takes User and IdentityFile from the alias: another user or a key the host does not know is refused as such', () => {
    const host2 = byName('host-2');
    const other = newKey(work, 'id_other');
    writeSshFile('config', [
      'Host nobody-alias',
      `  HostName ${host2.address}`,
      '  User hoist-nobody',
      `  IdentityFile ${aliasKey.file}`,
      'Host otherkey-alias',
      `  HostName ${host2.address}`,
      '  User root',
      `  IdentityFile ${other.file}`,
    ]);
    writeSshFile('known_hosts', [knownLine('host-2', host2.address)]);
    const sshdLog = path.join(hostPaths(host2).logs, 'sshd.log');

    let offset = sizeOf(sshdLog);
    const nobody = statusOf(writeGraph(work, 'nobody', readStack(aliasGraph), (h) => ({ ...h, address: 'nobody-alias' })));
    assert.equal(nobody.status, 1);
    assert.match(nobody.hosts[0].error, /^host host-2: authentication as hoist-nobody failed \(identity file refused\)/);
    assert.match(logSince(sshdLog, offset), new RegExp(`Invalid user hoist-nobody from ${escape(state.gateway)}`));

    offset = sizeOf(sshdLog);
    const otherKey = statusOf(writeGraph(work, 'otherkey', readStack(aliasGraph), (h) => ({ ...h, address: 'otherkey-alias' })));
    assert.equal(otherKey.status, 1);
    assert.match(otherKey.hosts[0].error, /^host host-2: authentication as root failed \(identity file refused\)/);
    assert.doesNotMatch(logSince(sshdLog, offset), /Accepted publickey/);
  });

  describe('a host reached only through a ProxyJump bastion (host-3 behind host-1)', () => {
    let host1: SandboxHostState;
    let host3: SandboxHostState;
    let block: ReturnType<typeof hostRule>;
    const logOf = (h: SandboxHostState) => path.join(hostPaths(h).logs, 'sshd.log');

    before(async () => {
      host1 = byName('host-1');
      host3 = byName('host-3');
      // host-3 refuses SSH from this machine (the bridge's gateway address); the bastion still reaches it.
      block = hostRule(host3, 'filter', 'INPUT', ['-p', 'tcp', '--dport', '22', '-s', state.gateway], ['-j', 'REJECT', '--reject-with', 'tcp-reset']);
      cleanups.push(block.remove);
      block.add();
      assert.equal(await refusedDirectly(host3.address, 22), true, 'host-3 must not be reachable directly');
      writeSshFile('config', [
        'Host bastion-alias',
        `  HostName ${host1.address}`,
        '  User root',
        `  IdentityFile ${aliasKey.file}`,
        'Host behind-alias',
        `  HostName ${host3.address}`,
        '  User root',
        `  IdentityFile ${aliasKey.file}`,
        '  ProxyJump bastion-alias',
      ]);
    });

    after(() => block.remove());

    it('hoist status refuses an unknown bastion key naming the bastion, records it only with --trust-new-hosts, then reads the host behind it', () => {
      const knownHosts = path.join(home, '.ssh', 'known_hosts');
      writeSshFile('known_hosts', [knownLine('host-3', host3.address)]);
      const before1 = sizeOf(logOf(host1));
      const before3 = sizeOf(logOf(host3));

      const unknown = statusOf(jumpGraph);
      assert.equal(unknown.status, 1);
      assert.match(unknown.hosts[0].error, new RegExp(`^host host-3: bastion bastion-alias \\(${escape(host1.address)}\\): host key SHA256:\\S+ is not in ${escape(knownHosts)};.*--trust-new-hosts`));
      assert.equal(fs.readFileSync(knownHosts, 'utf8'), `${knownLine('host-3', host3.address)}\n`, 'nothing recorded without --trust-new-hosts');
      assert.doesNotMatch(logSince(logOf(host1), before1), /Accepted publickey/);
      assert.doesNotMatch(logSince(logOf(host3), before3), /Accepted publickey/);

      const trusted = statusOf(jumpGraph, ['--trust-new-hosts']);
      assert.equal(trusted.status, 0, trusted.stderr + trusted.stdout);
      assert.deepEqual(fs.readFileSync(knownHosts, 'utf8').trim().split('\n'), [knownLine('host-3', host3.address), knownLine('host-1', host1.address)],
        'the bastion\'s key is recorded under its HostName, as OpenSSH records it');

      const recorded = statusOf(jumpGraph);
      assert.equal(recorded.status, 0, recorded.stderr + recorded.stdout);
      assert.equal(recorded.hosts[0].host, 'host-3');
      assert.equal(recorded.hosts[0].engine.kind, 'docker');
      assert.equal(recorded.hosts[0].resources.find((x: any) => x.name === `${JUMP_STACK}-marker-1`)?.state, 'running');
      // The bastion saw this machine; host-3 saw only the bastion, both with the config's key.
      const fp = escape(aliasKey.fingerprint);
      assert.match(logSince(logOf(host1), before1), new RegExp(`Accepted publickey for root from ${escape(state.gateway)} port \\d+ ssh2: ED25519 ${fp}`));
      const seen3 = logSince(logOf(host3), before3);
      assert.match(seen3, new RegExp(`Accepted publickey for root from ${escape(host1.address)} port \\d+ ssh2: ED25519 ${fp}`));
      assert.doesNotMatch(seen3, new RegExp(`from ${escape(state.gateway)} `));
    });

    it('hoist status checks the bastion against ~/.ssh/known_hosts when the host behind it is pinned by hostKeyFingerprint', () => {
      const pinned = writeGraph(work, 'pinned', readStack(jumpGraph), (h) => ({ ...h, hostKey: { knownHostsFile: null, fingerprint: fingerprintOfLine(hostKeys.get('host-3')!) } }));
      writeSshFile('known_hosts', [knownLine('host-1', host1.address)]);
      const r = statusOf(pinned);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      assert.equal(r.hosts[0].engine.kind, 'docker');
      writeSshFile('known_hosts', []);
      const unknown = statusOf(pinned);
      assert.equal(unknown.status, 1);
      assert.match(unknown.hosts[0].error, /^host host-3: bastion bastion-alias \([\d.]+\): host key SHA256:\S+ is not in \S+known_hosts;/);
    });

    it('hoist status refuses a changed bastion key before authenticating, even with --trust-new-hosts', () => {
      const impostor = newKey(work, 'id_impostor_host');
      writeSshFile('known_hosts', [knownLine('host-3', host3.address), `${host1.address} ${impostor.publicLine.split(' ').slice(0, 2).join(' ')}`]);
      const before1 = sizeOf(logOf(host1));
      const before3 = sizeOf(logOf(host3));
      const changed = statusOf(jumpGraph, ['--trust-new-hosts']);
      assert.equal(changed.status, 1);
      assert.match(changed.hosts[0].error, new RegExp(`^host host-3: bastion bastion-alias \\(${escape(host1.address)}\\): host key changed since it was recorded in .*known_hosts \\(recorded ${escape(impostor.fingerprint)}, presented SHA256:`));
      const seen1 = logSince(logOf(host1), before1);
      assert.match(seen1, new RegExp(`${escape(state.gateway)} port \\d+.*\\[preauth\\]`), 'the bastion saw the connection end before authentication');
      assert.doesNotMatch(seen1, /Accepted publickey|Postponed|Failed publickey/);
      assert.doesNotMatch(logSince(logOf(host3), before3), /Accepted publickey/);
    });
  });

  it('hoist status refuses servers that offer only legacy algorithms (ssh-dss, diffie-hellman-group1-sha1, CBC, hmac-sha1), naming the host', async () => {
    const host1 = byName('host-1');
    const keys = path.join(work, 'legacy');
    fs.mkdirSync(keys);
    const dss = newKey(keys, 'host_dsa', 'dsa');
    const ed = newKey(keys, 'host_ed25519');
    const authorized = path.join(keys, 'authorized_keys');
    fs.writeFileSync(authorized, aliasKey.publicLine + '\n');
    const common = [`AuthorizedKeysFile ${authorized}`, 'LogLevel VERBOSE'];
    const servers: [string, number, string[]][] = [
      ['legacy-all', 2201, [`HostKey ${dss.file}`, 'HostKeyAlgorithms ssh-dss', 'KexAlgorithms diffie-hellman-group1-sha1', 'Ciphers aes128-cbc', 'MACs hmac-sha1']],
      ['legacy-hostkey', 2202, [`HostKey ${dss.file}`, 'HostKeyAlgorithms ssh-dss']],
      ['legacy-cipher', 2203, [`HostKey ${ed.file}`, 'Ciphers aes128-cbc,aes256-cbc,3des-cbc']],
      ['legacy-mac', 2204, [`HostKey ${ed.file}`, 'Ciphers aes128-ctr', 'MACs hmac-sha1,hmac-md5']],
    ];
    const started: Sshd[] = [];
    try {
      for (const [, port, lines] of servers) started.push(await startSshd(host1, keys, port, [...common, ...lines]));
      fs.writeFileSync(path.join(keys, 'known_hosts'), servers.map(([name, port]) =>
        `[${host1.address}]:${port} ${(name.endsWith('hostkey') || name.endsWith('all') ? dss : ed).publicLine.split(' ').slice(0, 2).join(' ')}`).join('\n') + '\n');
      const app = Testing.app({ projectDir: REPO_ROOT });
      const stack = new Stack(app, 'sshcl');
      for (const [name, port] of servers) {
        const host = new Host(stack, name, { address: host1.address, port, user: 'root', identityFile: aliasKey.file, knownHostsFile: path.join(keys, 'known_hosts'), engine: EngineType.DOCKER });
        new Service(stack, `on-${name}`, { image: Image.fromRegistry('busybox:latest'), placement: { hosts: [host] } });
      }
      const r = statusOf(writeGraph(keys, 'legacy', (Testing.synth(app) as GraphDocument).stacks[0]), [], {});
      assert.equal(r.status, 1);
      const errors = Object.fromEntries(r.hosts.map((h: any) => [h.host, h.error]));
      const where = (port: number) => `${escape(host1.address)}:${port}`;
      assert.match(errors['legacy-all'], new RegExp(`^host legacy-all: the SSH server at ${where(2201)} offers only legacy key exchange \\(diffie-hellman-group1-sha1\\)`));
      assert.match(errors['legacy-hostkey'], new RegExp(`^host legacy-hostkey: the SSH server at ${where(2202)} offers only legacy host key algorithms \\(ssh-dss\\)`));
      assert.match(errors['legacy-cipher'], new RegExp(`^host legacy-cipher: the SSH server at ${where(2203)} offers only legacy ciphers \\(aes128-cbc,aes256-cbc,3des-cbc\\)`));
      assert.match(errors['legacy-mac'], new RegExp(`^host legacy-mac: the SSH server at ${where(2204)} offers only legacy MACs \\(hmac-sha1,hmac-md5\\)`));
      for (const [name] of servers) assert.match(errors[name], /Hoist refuses/, name);
      // Each sshd says why it gave up, with what Hoist offered: no legacy algorithm among it.
      const logs = started.map((s) => fs.readFileSync(s.log, 'utf8'));
      assert.match(logs[0], /no matching key exchange method found\. Their offer: (\S+)/);
      assert.match(logs[1], /no matching host key type found\. Their offer: (\S+)/);
      assert.match(logs[2], /no matching cipher found\. Their offer: (\S+)/);
      assert.match(logs[3], /no matching MAC found\. Their offer: (\S+)/);
      for (const log of logs) {
        const offer = /Their offer: (\S+)/.exec(log)![1];
        assert.doesNotMatch(offer, /group1-sha1|ssh-dss|-cbc|^hmac-sha1$|hmac-sha1,|hmac-md5/, offer);
        assert.doesNotMatch(log, /Accepted publickey|Postponed|Failed publickey/);
      }
    } finally {
      for (const s of started) await s.stop();
    }
  });

  it('hoist status never asks sshd for agent forwarding, even when the key comes from an agent and sshd allows forwarding', async () => {
    const host1 = byName('host-1');
    const dir = path.join(work, 'agent');
    fs.mkdirSync(dir);
    const hostKey = newKey(dir, 'host_ed25519');
    const authorized = path.join(dir, 'authorized_keys');
    fs.writeFileSync(authorized, aliasKey.publicLine + '\n');
    const agentSocket = path.join(dir, 'agent.sock');
    const agent = spawnSync('ssh-agent', ['-a', agentSocket], { encoding: 'utf8' });
    const agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1]);
    assert.ok(agentPid > 0, agent.stderr);
    let sshd: Sshd | undefined;
    try {
      assert.equal(spawnSync('ssh-add', [aliasKey.file], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, encoding: 'utf8' }).status, 0);
      sshd = await startSshd(host1, dir, 2205, [`HostKey ${hostKey.file}`, `AuthorizedKeysFile ${authorized}`, 'AllowAgentForwarding yes',
        'AllowStreamLocalForwarding yes', 'LogLevel DEBUG3']);
      fs.writeFileSync(path.join(dir, 'known_hosts'), `[${host1.address}]:2205 ${hostKey.publicLine.split(' ').slice(0, 2).join(' ')}\n`);
      const app = Testing.app({ projectDir: REPO_ROOT });
      const stack = new Stack(app, 'sshcf');
      // One host whose engine socket works (a stream-local forward), one whose socket is missing:
      // Hoist then opens a session to tell why, the one place agent forwarding could be asked for.
      const sockets: [string, string][] = [['agent-engine', hostPaths(host1).engineSocket], ['agent-nosocket', path.join(dir, 'no-such-engine.sock')]];
      for (const [name, engineSocket] of sockets) {
        const host = new Host(stack, name, { address: host1.address, port: 2205, user: 'root', knownHostsFile: path.join(dir, 'known_hosts'), engine: EngineType.DOCKER, engineSocket });
        new Service(stack, `on-${name}`, { image: Image.fromRegistry('busybox:latest'), placement: { hosts: [host] } });
      }
      const r = statusOf(writeGraph(dir, 'agent', (Testing.synth(app) as GraphDocument).stacks[0]), [], { SSH_AUTH_SOCK: agentSocket });
      assert.equal(r.status, 1);
      const byHost = Object.fromEntries(r.hosts.map((h: any) => [h.host, h]));
      assert.equal(byHost['agent-engine'].reachable, true, byHost['agent-engine'].error);
      assert.equal(byHost['agent-engine'].engine.kind, 'docker');
      assert.match(byHost['agent-nosocket'].error, /^host agent-nosocket: the engine socket \S+no-such-engine\.sock does not exist/);
      const log = fs.readFileSync(sshd.log, 'utf8');
      assert.match(log, /Accepted publickey for root/);
      assert.match(log, /direct-streamlocal@openssh\.com/, 'the engine was reached over a stream-local forward');
      assert.match(log, /session_input_channel_req: session \d+ req exec/, 'a session was opened');
      assert.doesNotMatch(log, /auth-agent-req/);
    } finally {
      await sshd?.stop();
      process.kill(agentPid);
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function readStack(graphFile: string): StackGraph {
  return (JSON.parse(fs.readFileSync(graphFile, 'utf8')) as GraphDocument).stacks[0];
}

/** The fingerprint of the sandbox inventory's own client key. */
function inventoryKeyFingerprint(): string {
  const pub = path.join(REPO_ROOT, '.hoist', 'sandbox', IT_SANDBOX, 'id_ed25519.pub');
  return sh('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub]).split(' ')[1];
}

/** `SHA256:...` of a `type base64` public key line. */
function fingerprintOfLine(line: string): string {
  return 'SHA256:' + createHash('sha256').update(Buffer.from(line.split(' ')[1], 'base64')).digest('base64').replace(/=+$/, '');
}
