import type { Duplex } from 'node:stream';
import { Client, ClientChannel, ConnectConfig } from 'ssh2';
import { HostError } from './host-error';
import { checkHostKey } from './host-key-check';
import type { IHostConnection } from './host-connection';
import { AlgorithmCategory, describeNoCommonAlgorithm, SSH_ALGORITHMS } from './ssh-algorithms';
import type { SshEndpoint } from './ssh-endpoint';
import { pause } from '../values/pause';

/** Timeouts and retries of SSH connections. */
export interface SshTimeouts {
  /** From TCP connect to authenticated. */
  readonly connectMs: number;
  /** Keepalive interval; a host silent for 3 intervals is dropped. */
  readonly keepaliveMs: number;
  /** Attempts for transient failures (connection reset, sshd refusing sessions for a moment). */
  readonly attempts: number;
}

export const DEFAULT_SSH_TIMEOUTS: SshTimeouts = { connectMs: 10_000, keepaliveMs: 5_000, attempts: 3 };

/**
 * One persistent SSH connection to a host (through a bastion when configured). Engine API
 * requests travel as stream-local forwards to the engine's unix socket over it: no remote
 * shell and no docker CLI per operation. The host key is checked before authentication;
 * agent forwarding is never requested.
 */
export class SshConnection implements IHostConnection {
  /** Connects, retrying transient failures with backoff inside the connect timeout. */
  public static async open(endpoint: SshEndpoint, timeouts: SshTimeouts = DEFAULT_SSH_TIMEOUTS, signal?: AbortSignal): Promise<SshConnection> {
    const deadline = Date.now() + timeouts.connectMs;
    let lastError: HostError | undefined;
    for (let attempt = 1; attempt <= timeouts.attempts; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      if (signal?.aborted) throw cancelled(endpoint.host);
      try {
        return await SshConnection.openOnce(endpoint, { ...timeouts, connectMs: remaining }, signal);
      } catch (error) {
        lastError = error as HostError;
        if (!lastError.transient || signal?.aborted) throw lastError;
        await pause(Math.min(200 * 3 ** (attempt - 1), Math.max(0, deadline - Date.now())), signal);
      }
    }
    throw lastError ?? new HostError(endpoint.host, 'timeout', `no SSH session within ${timeouts.connectMs} ms; check that the host is up and reachable`);
  }

  private static async openOnce(endpoint: SshEndpoint, timeouts: SshTimeouts, signal?: AbortSignal): Promise<SshConnection> {
    let jump: SshConnection | undefined;
    let sock: Duplex | undefined;
    if (endpoint.jump) {
      jump = await SshConnection.openOnce(endpoint.jump, timeouts, signal);
      try {
        sock = await jump.forwardTcp(endpoint.address, endpoint.port);
      } catch (error) {
        jump.close();
        throw new HostError(endpoint.host, 'unreachable', `bastion ${endpoint.jump.address} cannot reach ${endpoint.address}:${endpoint.port} (${(error as Error).message})`);
      }
    }
    const client = new Client();
    // ssh2 may report more errors after the first (e.g. "connection lost" after a timeout
    // ended it); the first one decides, the rest must not crash the process.
    client.on('error', () => undefined);
    const connection = new SshConnection(endpoint.host, client, jump);
    await new Promise<void>((resolve, reject) => {
      let refusedKey: HostError | undefined;
      let settled = false;
      const offers: ServerOffers = {};
      const timer = setTimeout(() => fail(new HostError(endpoint.host, 'timeout',
        `no SSH session with ${endpoint.address}:${endpoint.port} within ${timeouts.connectMs} ms; check that the host is up, the address and port are right, and no firewall drops the traffic`)), timeouts.connectMs);
      // A connect still under way (a host that does not answer ARP takes seconds to fail) must
      // not keep the process alive once cancelled: the socket is destroyed, not ended.
      // (Destroyed first: ending it first would leave ssh2 nothing it sees as writable to destroy.)
      const onAbort = () => {
        client.destroy();
        fail(cancelled(endpoint.host));
      };
      const fail = (error: HostError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        client.end();
        jump?.close();
        reject(error);
      };
      client.once('ready', () => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      client.once('error', (error: Error & { code?: string; level?: string }) => fail(refusedKey ?? classifySshError(endpoint, error, offers)));
      client.once('close', () => fail(refusedKey ?? new HostError(endpoint.host, 'connection-lost', 'the server closed the connection during the handshake (sshd MaxStartups, or a TCP proxy?); try again', { transient: true })));
      const config: ConnectConfig = {
        host: sock ? undefined : endpoint.address,
        port: sock ? undefined : endpoint.port,
        sock: sock as ConnectConfig['sock'],
        username: endpoint.user,
        privateKey: endpoint.privateKey,
        passphrase: endpoint.passphrase,
        agent: endpoint.agent,
        agentForward: false,
        algorithms: SSH_ALGORITHMS,
        readyTimeout: timeouts.connectMs,
        keepaliveInterval: timeouts.keepaliveMs,
        keepaliveCountMax: 3,
        // ssh2 reports a failed negotiation without the server's offer; its handshake debug
        // lines carry it, so a refusal can say what the server offers. Ignored once connected.
        debug: (line: string) => {
          if (!settled) recordOffer(offers, line);
        },
        hostVerifier: (key: Buffer) => {
          refusedKey = checkHostKey(endpoint.hostKey, key);
          return refusedKey === undefined;
        },
      };
      client.connect(config);
    });
    client.on('error', () => connection.markBroken());
    client.on('close', () => connection.markBroken());
    connection.streamTimeoutMs = timeouts.keepaliveMs * 3;
    return connection;
  }

  private broken = false;
  /** The streams opened and not yet closed: a broken connection ends them (see markBroken). */
  private readonly streams = new Set<Duplex>();
  /** How long opening a channel may take before the host counts as gone: the keepalive's own limit. */
  private streamTimeoutMs = DEFAULT_SSH_TIMEOUTS.keepaliveMs * 3;

  private constructor(public readonly host: string, private readonly client: Client, private readonly jump?: SshConnection) {}

  /** Whether the connection died (keepalive timeout, server gone); a new one must be opened. */
  public get isBroken(): boolean {
    return this.broken;
  }

  public openStream(socketPath: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      if (this.broken) {
        reject(new HostError(this.host, 'connection-lost', 'the SSH connection was lost; run again', { transient: true }));
        return;
      }
      // A host that stopped answering never replies to the channel open, and ssh2 only notices
      // at the next keepalive round; without this a request could wait on it indefinitely.
      const timer = setTimeout(() => {
        this.markBroken();
        this.client.end();
        reject(new HostError(this.host, 'timeout', `the host stopped answering (no channel to ${socketPath} within ${this.streamTimeoutMs} ms)`, { transient: true }));
      }, this.streamTimeoutMs);
      this.client.openssh_forwardOutStreamLocal(socketPath, (error: Error | undefined, stream: ClientChannel) => {
        clearTimeout(timer);
        if (error) {
          // sshd reports every failed open the same way; one diagnostic command (only on this
          // failure path) tells a missing socket from one the user may not open.
          this.diagnoseSocket(socketPath).then((state) => reject(forwardError(this.host, socketPath, state, error)), () => reject(forwardError(this.host, socketPath, 'unknown', error)));
          return;
        }
        this.streams.add(stream);
        stream.once('close', () => this.streams.delete(stream));
        resolve(stream);
      });
    });
  }

  /** A TCP stream from the host to `address:port` (to reach a host behind this one). */
  public forwardTcp(address: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, address, port, (error: Error | undefined, stream: ClientChannel) => (error ? reject(error) : resolve(stream)));
    });
  }

  private diagnoseSocket(socketPath: string): Promise<'missing' | 'denied' | 'unknown'> {
    const quoted = `'${socketPath.replace(/'/g, `'\\''`)}'`;
    return new Promise((resolve) => {
      this.client.exec(`if [ ! -S ${quoted} ]; then echo missing; elif [ ! -w ${quoted} ]; then echo denied; else echo unknown; fi`, (error, channel) => {
        if (error) return resolve('unknown');
        let out = '';
        channel.on('data', (d: Buffer) => (out += d.toString()));
        channel.on('close', () => resolve((['missing', 'denied'].includes(out.trim()) ? out.trim() : 'unknown') as 'missing' | 'denied' | 'unknown'));
      });
    });
  }

  public close(): void {
    const wasBroken = this.broken;
    this.broken = true;
    if (wasBroken) {
      // A host that stopped answering never acknowledges a polite end: its socket (and any
      // request still waiting on a channel) would keep the process alive until TCP gives up.
      this.client.destroy();
    } else {
      this.client.end();
      // Give the goodbye a moment, then let go whatever the other side does.
      setTimeout(() => this.client.destroy(), 2000).unref();
    }
    this.jump?.close();
  }

  private markBroken(): void {
    if (this.broken) return;
    this.broken = true;
    // Fail what still waits on this connection now, rather than at each request's idle timeout.
    this.client.destroy();
    // ssh2 does not always end the channels of a connection it gave up on: a request in flight
    // on one waited for its idle timeout, and an idle one kept in the engine agent's pool was
    // handed to the next request, which then never got an answer (found when the re-read after
    // an apply hung on a host cut off mid-apply). Each is ended here, with the reason.
    for (const stream of [...this.streams]) {
      stream.destroy(new HostError(this.host, 'connection-lost', 'the SSH connection was lost; run again', { transient: true }));
    }
    this.streams.clear();
  }
}

/** The algorithms a server offered in its handshake, per category (as far as ssh2 got). */
export type ServerOffers = Partial<Record<AlgorithmCategory, string[]>>;

/** ssh2's names for the handshake's categories, in its debug lines and its "no matching" errors. */
const SSH2_CATEGORY: [RegExp, AlgorithmCategory][] = [
  [/^KEX method$|^key exchange$/, 'kex'],
  [/^host key format$/i, 'serverHostKey'],
  [/^[CS]->[CS] cipher$/, 'cipher'],
  [/^[CS]->[CS] MAC$/, 'hmac'],
  [/^[CS]->[CS] compression$/, 'compress'],
];

function categoryOf(ssh2Name: string): AlgorithmCategory | undefined {
  return SSH2_CATEGORY.find(([pattern]) => pattern.test(ssh2Name))?.[1];
}

/** Notes the server's offer from one ssh2 debug line such as `Handshake: (remote) KEX method: a,b`. */
function recordOffer(offers: ServerOffers, line: string): void {
  const match = /^Handshake: \(remote\) ([^:]+): (.*)$/.exec(line);
  const category = match && categoryOf(match[1]);
  if (category) offers[category] = match[2].split(',');
}

/** Maps what ssh2 and the socket layer report to Hoist's distinct host errors. */
export function classifySshError(endpoint: SshEndpoint, error: Error & { code?: string; level?: string }, offers: ServerOffers = {}): HostError {
  const at = `${endpoint.address}:${endpoint.port}`;
  const host = endpoint.host;
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new HostError(host, 'dns', `cannot resolve ${endpoint.address} (${error.code}); check the address, or ~/.ssh/config's HostName`, { transient: error.code === 'EAI_AGAIN' });
    case 'ECONNREFUSED':
      return new HostError(host, 'refused', `connection refused by ${at}; is sshd running and listening on port ${endpoint.port}?`);
    case 'ETIMEDOUT':
      return new HostError(host, 'timeout', `connecting to ${at} timed out; check that the host is up and no firewall drops the traffic`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new HostError(host, 'unreachable', `no route to ${at} (${error.code}); check the address and this machine's network`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new HostError(host, 'connection-lost', `the connection to ${at} was reset during the handshake; retried, then gave up`, { transient: true });
  }
  if (error.level === 'client-authentication') {
    return new HostError(host, 'auth', `authentication as ${endpoint.user} failed (${endpoint.privateKey ? 'identity file' : 'ssh-agent keys'} refused); check the user and that the key is in the host's authorized_keys`);
  }
  if (error.level === 'client-timeout' || /timed out/i.test(error.message)) {
    return new HostError(host, 'timeout', `no SSH session with ${at} in time; check that the host is up and reachable`);
  }
  const noMatch = /no matching (.+?)(?: algorithm)?$/i.exec(error.message);
  const category = noMatch ? categoryOf(noMatch[1]) : undefined;
  if (category) {
    return new HostError(host, 'algorithms', `the SSH server at ${at} ${describeNoCommonAlgorithm(category, offers[category])}`);
  }
  if (error.level === 'handshake' || /handshake|no matching/i.test(error.message)) {
    return new HostError(host, 'unreachable', `SSH handshake with ${at} failed (${error.message}); the server may offer only legacy algorithms, which Hoist refuses`);
  }
  return new HostError(host, 'unreachable', `SSH connection to ${at} failed: ${error.message}`);
}

/** The error for an engine socket the host would not open for us. */
function forwardError(host: string, socketPath: string, state: 'missing' | 'denied' | 'unknown', error: Error): HostError {
  if (state === 'denied') {
    return new HostError(host, 'socket-permission', `permission denied on the engine socket ${socketPath}; connect as a user who may use it (root, or a member of the docker group)`);
  }
  if (state === 'missing') {
    return new HostError(host, 'socket-missing', `the engine socket ${socketPath} does not exist: is the engine running? (or set engineSocket to where it listens)`);
  }
  if (/administratively prohibited/i.test(error.message)) {
    return new HostError(host, 'socket-permission', 'sshd refuses stream-local forwarding; set AllowStreamLocalForwarding yes (or local) for this user');
  }
  return new HostError(host, 'socket-missing', `cannot open the engine socket ${socketPath} (${error.message}); check that the engine runs and the user may use its socket`);
}

function cancelled(host: string): HostError {
  return new HostError(host, 'cancelled', 'connecting was cancelled before the SSH session was ready');
}
