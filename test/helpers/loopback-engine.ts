import * as http from 'node:http';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import { DockerDriver } from '../../lib/drivers/docker/docker-driver';
import { PodmanDriver } from '../../lib/drivers/podman/podman-driver';
import type { SessionEndpoint } from '../../lib/drivers/engine-api/buildkit-session';
import type { EngineDriver } from '../../lib/drivers/engine-driver';

/** What the engine saw of a session upgrade: the request's headers and the upgraded socket. */
export interface SessionUpgrade {
  readonly headers: http.IncomingHttpHeaders;
  readonly socket: Duplex;
}

/**
 * An engine played by a real HTTP server on loopback, for tests of how Hoist reads what an
 * engine sends: each test routes the endpoints it needs, and POST /session upgrades to h2c as
 * Docker Engine does (unless `acceptSessions` is false: then the upgrade is never answered).
 * Clients are real dockerode clients over an agent connected to it.
 */
export class LoopbackEngine {
  private readonly server: http.Server;
  private readonly routes = new Map<string, http.RequestListener>();
  private readonly upgrades: SessionUpgrade[] = [];
  private readonly waiting: ((upgrade: SessionUpgrade) => void)[] = [];
  private readonly sockets = new Set<net.Socket>();
  public acceptSessions = true;
  private port = 0;

  constructor() {
    this.server = http.createServer((req, res) => {
      const route = this.routes.get(`${req.method} ${new URL(req.url ?? '/', 'http://engine').pathname}`);
      if (route) route(req, res);
      else res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"not found"}');
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req, socket: Duplex) => {
      if (!this.acceptSessions) return;
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
      const upgrade = { headers: req.headers, socket };
      const waiter = this.waiting.shift();
      if (waiter) waiter(upgrade);
      else this.upgrades.push(upgrade);
    });
  }

  public async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  public stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Serves `METHOD /path` (the path with the API version, without the query). */
  public route(methodAndPath: string, listener: http.RequestListener): void {
    this.routes.set(methodAndPath, listener);
  }

  /** The next session the engine accepts. */
  public nextSession(): Promise<SessionUpgrade> {
    const ready = this.upgrades.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Where a BuildKit session with this engine is opened (what the driver passes). */
  public sessionEndpoint(): SessionEndpoint {
    const agent = new http.Agent({ keepAlive: true });
    (agent as unknown as { createConnection: () => net.Socket }).createConnection = () => net.connect(this.port, '127.0.0.1');
    return { host: 'loopback', agent, apiVersion: '1.41' };
  }

  /**
   * The driver connected to this engine (API 1.41), as connectEngine makes it: Docker Engine's,
   * or Podman's to play a Podman host's answers.
   */
  public client(options: { requestTimeoutMs?: number; engine?: 'docker' | 'podman' } = {}): EngineDriver {
    const agent = new http.Agent({ keepAlive: true });
    (agent as unknown as { createConnection: () => net.Socket }).createConnection = () => net.connect(this.port, '127.0.0.1');
    const requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
    const docker = new Docker({ protocol: 'http', host: 'engine', port: 80, agent, version: 'v1.41', timeout: requestTimeoutMs } as Docker.DockerOptions);
    const podman = options.engine === 'podman';
    const connection = {
      host: 'loopback',
      docker,
      agent,
      requestTimeoutMs,
      info: podman
        ? { kind: 'podman' as const, version: '4.3.1', apiVersion: '1.41', os: 'linux', socketPath: '/run/podman/podman.sock' }
        : { kind: 'docker' as const, version: '20.10.24', apiVersion: '1.41', os: 'linux', socketPath: '/var/run/docker.sock' },
      now: () => Promise.resolve(Date.now()),
      close: () => agent.destroy(),
    };
    return podman ? new PodmanDriver(connection) : new DockerDriver(connection);
  }
}
