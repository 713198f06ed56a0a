import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { AddressInfo } from 'node:net';
import { Algorithms, Server, utils } from 'ssh2';

/** A key pair in OpenSSH format plus its public blob. */
export interface TestKey {
  readonly privateKey: string;
  readonly publicKey: string;
  readonly blob: Buffer;
}

export function generateKey(passphrase?: string): TestKey {
  // ssh2 now and then rejects a public key it has just generated ("Malformed OpenSSH public
  // key", seen once in a few hundred runs); a fresh key is as good for a test, so try again.
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519', passphrase ? { passphrase, cipher: 'aes256-ctr', rounds: 4 } as never : undefined);
    try {
      const parsed = utils.parseKey(pair.public);
      if (parsed instanceof Error) throw parsed;
      return { privateKey: pair.private, publicKey: pair.public, blob: parsed.getPublicSSH() };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** What the test server saw, for assertions such as "no authentication was attempted". */
export interface ServerLog {
  connections: number;
  authAttempts: string[];
  streamlocal: string[];
  execs: string[];
  agentRequests: number;
}

export interface TestSshServer {
  readonly port: number;
  readonly hostKey: TestKey;
  readonly log: ServerLog;
  /** known_hosts line for this server. */
  knownHostsLine(name?: string): string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly clientKey: TestKey;
  readonly hostKey?: TestKey;
  readonly algorithms?: Algorithms;
  /** Unix sockets the server forwards to, by the path clients ask for. */
  readonly sockets?: Record<string, string>;
  /** Answer to the socket diagnostic command. */
  readonly socketState?: 'missing' | 'denied';
}

/**
 * A real ssh2 server on loopback (the ssh2 project's own testing style): public-key auth
 * for one client key, stream-local forwards to mapped unix sockets, direct-tcpip to
 * loopback ports (for bastion tests), and a fixed answer to exec.
 */
export async function startSshServer(options: TestServerOptions): Promise<TestSshServer> {
  const hostKey = options.hostKey ?? generateKey();
  const client = utils.parseKey(options.clientKey.publicKey);
  if (client instanceof Error) throw client;
  const log: ServerLog = { connections: 0, authAttempts: [], streamlocal: [], execs: [], agentRequests: 0 };
  const server = new Server({ hostKeys: [hostKey.privateKey], algorithms: options.algorithms }, (conn) => {
    log.connections++;
    conn.on('authentication', (ctx) => {
      log.authAttempts.push(`${ctx.username}:${ctx.method}`);
      if (ctx.method === 'publickey' && ctx.key.algo === client.type && ctx.key.data.equals(client.getPublicSSH())) {
        if (!ctx.signature) return ctx.accept();
        if (client.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
      }
      ctx.reject(['publickey']);
    });
    conn.on('ready', () => {
      conn.on('session', (accept) => {
        const session = accept();
        session.on('auth-agent', (acceptAgent) => {
          log.agentRequests++;
          acceptAgent?.();
        });
        session.on('exec', (acceptExec, _reject, info) => {
          log.execs.push(info.command);
          const channel = acceptExec();
          channel.write(`${options.socketState ?? 'missing'}\n`);
          channel.exit(0);
          channel.end();
        });
      });
      conn.on('openssh.streamlocal', (accept, reject, info) => {
        log.streamlocal.push(info.socketPath);
        const target = options.sockets?.[info.socketPath];
        if (!target) return reject();
        const upstream = net.connect(target);
        upstream.once('connect', () => {
          const channel = accept();
          channel.pipe(upstream).pipe(channel);
          channel.on('close', () => upstream.destroy());
        });
        upstream.once('error', () => reject());
      });
      conn.on('tcpip', (accept, reject, info) => {
        if (info.destIP !== '127.0.0.1') return reject();
        const upstream = net.connect(info.destPort, '127.0.0.1');
        upstream.once('connect', () => {
          const channel = accept();
          channel.pipe(upstream).pipe(channel);
          channel.on('close', () => upstream.destroy());
        });
        upstream.once('error', () => reject());
      });
    });
    conn.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    hostKey,
    log,
    knownHostsLine: (name = `[127.0.0.1]:${port}`) => `${name} ssh-ed25519 ${hostKey.blob.toString('base64')}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A stand-in engine on a unix socket: answers /_ping like Docker Engine 20.10, and counts requests. */
export async function startFakeEngineSocket(apiVersion = '1.41'): Promise<{ socketPath: string; requests: () => number; paths: () => string[]; close: () => Promise<void> }> {
  const socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-engine-')), 'engine.sock');
  let count = 0;
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    count++;
    paths.push(req.url ?? '');
    res.setHeader('Api-Version', apiVersion);
    res.setHeader('Server', 'Docker/20.10.24 (linux)');
    res.setHeader('Ostype', 'linux');
    res.end(req.url === '/_ping' ? 'OK' : '[]');
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { socketPath, requests: () => count, paths: () => [...paths], close: () => new Promise((resolve) => server.close(() => resolve())) };
}
