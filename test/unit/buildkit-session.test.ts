import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { encodeSecretRequest, openBuildkitSession } from '../../lib/engine/buildkit-session';
import type { EngineClient } from '../../lib/engine/engine-client';

/**
 * The engine's side of a BuildKit session, played by a real HTTP server on loopback: it
 * upgrades POST /session to h2c like Docker Engine does, then calls Hoist's gRPC services
 * over HTTP/2 as the engine's session manager would.
 */
describe('BuildKit session serving build secrets', () => {
  let server: http.Server;
  let port: number;
  let upgraded: Promise<{ headers: http.IncomingHttpHeaders; socket: Duplex }>;

  before(async () => {
    server = http.createServer((_req, res) => res.writeHead(404).end('not found'));
    upgraded = new Promise((resolve) => {
      server.on('upgrade', (req, socket: Duplex) => {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
        resolve({ headers: req.headers, socket });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  after(() => server.close());

  const engine = (): EngineClient => {
    const agent = new http.Agent();
    (agent as unknown as { createConnection: () => net.Socket }).createConnection = () => net.connect(port, '127.0.0.1');
    return { host: 'loopback', docker: { modem: { agent, version: 'v1.41' } } } as unknown as EngineClient;
  };

  async function call(session: http2.ClientHttp2Session, method: string, body: Buffer): Promise<{ status: string; message: Buffer; grpcMessage?: string }> {
    const stream = session.request({ ':method': 'POST', ':path': method, 'content-type': 'application/grpc' });
    const chunks: Buffer[] = [];
    let trailers: http2.IncomingHttpHeaders = {};
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('trailers', (t) => (trailers = t));
    stream.end(body);
    await new Promise((resolve) => stream.on('close', resolve));
    return { status: String(trailers['grpc-status']), message: Buffer.concat(chunks), grpcMessage: trailers['grpc-message'] as string | undefined };
  }

  it('announces its services, answers the health check and gives each secret by id, byte for byte', async () => {
    const value = Buffer.from([0x00, 0x24, 0x28, 0x0a, 0xff]);
    const session = await openBuildkitSession(engine(), new Map([['npm-token', value]]));
    const { headers, socket } = await upgraded;
    assert.equal(headers.upgrade, 'h2c');
    assert.equal(headers['x-docker-expose-session-uuid'], session.id);
    assert.match(String(headers['x-docker-expose-session-grpc-method']), /\/moby\.buildkit\.secrets\.v1\.Secrets\/GetSecret/);
    const client = http2.connect('http://engine', { createConnection: () => socket as never });
    try {
      const health = await call(client, '/grpc.health.v1.Health/Check', Buffer.from([0, 0, 0, 0, 0]));
      assert.equal(health.status, '0');
      assert.deepEqual([...health.message], [0, 0, 0, 0, 2, 0x08, 0x01], 'SERVING');

      const secret = await call(client, '/moby.buildkit.secrets.v1.Secrets/GetSecret', encodeSecretRequest('npm-token'));
      assert.equal(secret.status, '0');
      assert.deepEqual(secret.message.subarray(5), Buffer.concat([Buffer.from([0x0a, value.length]), value]));

      const missing = await call(client, '/moby.buildkit.secrets.v1.Secrets/GetSecret', encodeSecretRequest('other'));
      assert.equal(missing.status, '5');
      assert.match(decodeURIComponent(missing.grpcMessage ?? ''), /no build secret "other"/);
    } finally {
      client.close();
      session.close();
    }
  });
});
