import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildImage } from '../../lib/kinds/image/build-image';
import { type BuildkitSession, encodeSecretRequest, openBuildkitSession } from '../../lib/drivers/engine-api/buildkit-session';
import { encodeGrpcFrame } from '../../lib/drivers/engine-api/grpc-frame';
import type { BuildImageSpec, ImageResource } from '../../lib/graph/graph-document';
import { contextFiles, imageIdentity } from '../../lib/images/build-context';
import { LoopbackEngine } from '../helpers/loopback-engine';

const SECRETS = '/moby.buildkit.secrets.v1.Secrets/GetSecret';
const HEALTH = '/grpc.health.v1.Health/Check';

interface CallResult {
  readonly status: string;
  readonly message: Buffer;
  readonly grpcMessage: string;
}

/** One unary call as the engine makes it; `end: false` leaves the request open (the engine still "sending"). */
async function call(session: http2.ClientHttp2Session, method: string, body: Buffer, end = true): Promise<CallResult> {
  const stream = session.request({ ':method': 'POST', ':path': method, 'content-type': 'application/grpc' });
  const chunks: Buffer[] = [];
  // The status comes in trailers, or in the headers of a trailers-only answer.
  let trailers: http2.IncomingHttpHeaders = {};
  stream.on('response', (headers) => {
    if (headers['grpc-status'] !== undefined) trailers = headers;
  });
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('trailers', (t) => (trailers = t));
  stream.on('error', () => undefined);
  if (end) stream.end(body);
  else stream.write(body);
  await new Promise((resolve) => stream.on('close', resolve));
  return { status: String(trailers['grpc-status']), message: Buffer.concat(chunks), grpcMessage: decodeURIComponent(String(trailers['grpc-message'] ?? '')) };
}

/** Resolves with the reason the session failed; rejects if it has not within `withinMs`. */
function failureOf(session: BuildkitSession, withinMs: number): Promise<Error> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the session did not fail within ${withinMs} ms`)), withinMs);
    const done = () => {
      clearTimeout(timer);
      resolve(session.signal.reason as Error);
    };
    if (session.signal.aborted) done();
    else session.signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The engine's side of a BuildKit session, played by a real HTTP server on loopback
 * (LoopbackEngine): it upgrades POST /session to h2c like Docker Engine does, then calls
 * Hoist's gRPC services over HTTP/2 as the engine's session manager would, or sends what a
 * broken or hostile engine might.
 */
describe('BuildKit session serving build secrets', () => {
  const engine = new LoopbackEngine();
  before(() => engine.start());
  after(() => engine.stop());

  /** A session and an HTTP/2 client on the engine's side of it. */
  async function connected(secrets = new Map<string, Buffer>(), options = {}) {
    const session = await openBuildkitSession(engine.sessionEndpoint(), secrets, options);
    const upgrade = await engine.nextSession();
    const client = http2.connect('http://engine', { createConnection: () => upgrade.socket as never });
    client.on('error', () => undefined);
    return { session, upgrade, client, close: () => { client.destroy(); session.close(); } };
  }

  it('openBuildkitSession announces its services, answers the health check and gives each secret by id, byte for byte', async () => {
    const value = Buffer.from([0x00, 0x24, 0x28, 0x0a, 0xff]);
    const { session, upgrade, client, close } = await connected(new Map([['npm-token', value]]));
    try {
      assert.equal(upgrade.headers.upgrade, 'h2c');
      assert.equal(upgrade.headers['x-docker-expose-session-uuid'], session.id);
      assert.match(String(upgrade.headers['x-docker-expose-session-grpc-method']), /\/moby\.buildkit\.secrets\.v1\.Secrets\/GetSecret/);
      const health = await call(client, HEALTH, Buffer.from([0, 0, 0, 0, 0]));
      assert.equal(health.status, '0');
      assert.deepEqual([...health.message], [0, 0, 0, 0, 2, 0x08, 0x01], 'SERVING');

      const secret = await call(client, SECRETS, encodeSecretRequest('npm-token'));
      assert.equal(secret.status, '0');
      assert.deepEqual(secret.message.subarray(5), Buffer.concat([Buffer.from([0x0a, value.length]), value]));

      const missing = await call(client, SECRETS, encodeSecretRequest('other'));
      assert.equal(missing.status, '5');
      assert.match(missing.grpcMessage, /no build secret "other"/);
      assert.equal(session.signal.aborted, false);
    } finally {
      close();
    }
  });

  it('openBuildkitSession answers malformed GetSecret requests with INTERNAL and goes on serving', { timeout: 10_000 }, async () => {
    const { session, client, close } = await connected(new Map([['t', Buffer.from('v')]]));
    try {
      const cases: [string, Buffer, RegExp][] = [
        // The request that made the old varint reader loop forever: a length varint cut after 0x80.
        ['a varint cut short', encodeGrpcFrame(Buffer.from([0x0a, 0x80])), /truncated varint/],
        ['a varint of 11 bytes', encodeGrpcFrame(Buffer.from([0x0a, ...new Array(11).fill(0xff)])), /longer than 10 bytes/],
        ['a field length past the end', encodeGrpcFrame(Buffer.from([0x0a, 0x05, 0x61])), /claims 5 bytes; 1 remain/],
        ['field number 0', encodeGrpcFrame(Buffer.from([0x02, 0x00])), /field number 0/],
        ['a group wire type', encodeGrpcFrame(Buffer.from([0x0b])), /wire type 3/],
        ['an id that is not UTF-8', encodeGrpcFrame(Buffer.from([0x0a, 0x01, 0xff])), /not valid UTF-8/],
        ['a body shorter than its prefix says', Buffer.concat([Buffer.from([0, 0, 0, 0, 100]), Buffer.alloc(10)]), /ended after 10 of the 100 bytes/],
        ['a body cut inside the prefix', Buffer.from([0, 0, 0]), /inside the message prefix/],
        ['an empty body', Buffer.alloc(0), /no request message/],
        ['a compressed message', Buffer.from([1, 0, 0, 0, 0]), /no compression was negotiated/],
        ['two messages in a unary call', Buffer.concat([encodeSecretRequest('t'), encodeSecretRequest('t')]), /more than one message/],
      ];
      for (const [what, body, reason] of cases) {
        const answer = await call(client, SECRETS, body);
        assert.equal(answer.status, '13', what);
        assert.match(answer.grpcMessage, reason, what);
        assert.equal(answer.message.length, 0, `${what}: no message`);
      }
      const unknown = await call(client, '/moby.filesync.v1.FileSync/DiffCopy', Buffer.alloc(0));
      assert.equal(unknown.status, '12');
      const after = await call(client, SECRETS, encodeSecretRequest('t'));
      assert.equal(after.status, '0', 'the session still serves after bad requests');
      assert.equal(session.signal.aborted, false);
    } finally {
      close();
    }
  });

  it('openBuildkitSession refuses a length prefix over maxMessageBytes with RESOURCE_EXHAUSTED at once, and ends that call', { timeout: 10_000 }, async () => {
    const { client, close } = await connected(new Map(), { maxMessageBytes: 1024 });
    try {
      // The engine announces 4 GiB and sends only the prefix, keeping its side open: Hoist
      // must neither wait for the bytes nor keep the call open.
      const huge = await call(client, SECRETS, Buffer.from([0, 0xff, 0xff, 0xff, 0xff]), false);
      assert.equal(huge.status, '8');
      assert.match(huge.grpcMessage, /4294967295 bytes; the limit is 1024/);
      const over = await call(client, SECRETS, Buffer.concat([Buffer.from([0, 0, 0, 4, 1]), Buffer.alloc(100)]), false);
      assert.equal(over.status, '8');
      const health = await call(client, HEALTH, Buffer.from([0, 0, 0, 0, 0]));
      assert.equal(health.status, '0');
    } finally {
      close();
    }
  });

  it('openBuildkitSession closes the session and aborts its signal when the engine sends a truncated message and goes silent', { timeout: 10_000 }, async () => {
    const { session, upgrade, client, close } = await connected(new Map([['t', Buffer.from('v')]]), { idleTimeoutMs: 300 });
    try {
      const stream = client.request({ ':method': 'POST', ':path': SECRETS, 'content-type': 'application/grpc' });
      stream.on('error', () => undefined);
      stream.write(Buffer.concat([Buffer.from([0, 0, 0, 0, 20]), Buffer.from([0x0a, 0x80])]));
      const sent = Date.now();
      // Hoist's end of the connection closing reaches the engine as the end of its input.
      const socketClosed = new Promise((resolve) => upgrade.socket.once('end', resolve));
      const reason = await failureOf(session, 5_000);
      const elapsed = Date.now() - sent;
      assert.ok(elapsed >= 250, `failed after ${elapsed} ms, before the idle timeout`);
      assert.match(reason.message, /the build session with the engine on loopback failed: the engine sent nothing for 0\.3 s; the build was stopped/);
      await socketClosed;
    } finally {
      close();
    }
  });

  it('openBuildkitSession fails the session when the engine sends part of an HTTP/2 frame header and goes silent', { timeout: 10_000 }, async () => {
    const session = await openBuildkitSession(engine.sessionEndpoint(), new Map(), { idleTimeoutMs: 300 });
    const { socket } = await engine.nextSession();
    try {
      // The client preface, an empty SETTINGS frame, then 4 of the 9 bytes of a DATA frame header.
      socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), Buffer.from([0, 0x40, 0, 0])]));
      const reason = await failureOf(session, 5_000);
      assert.match(reason.message, /engine on loopback failed: the engine sent nothing for 0\.3 s/);
    } finally {
      socket.destroy();
      session.close();
    }
  });

  it('openBuildkitSession fails the session when the engine breaks the HTTP/2 protocol', { timeout: 10_000 }, async () => {
    const session = await openBuildkitSession(engine.sessionEndpoint(), new Map(), { idleTimeoutMs: 5_000 });
    const { socket } = await engine.nextSession();
    try {
      socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: engine\r\n\r\n'));
      const reason = await failureOf(session, 4_000);
      assert.match(reason.message, /engine on loopback failed: the engine broke the HTTP\/2 protocol/);
    } finally {
      socket.destroy();
      session.close();
    }
  });

  it('openBuildkitSession rejects when the engine does not answer the upgrade within openTimeoutMs', { timeout: 10_000 }, async () => {
    engine.acceptSessions = false;
    try {
      const started = Date.now();
      await assert.rejects(openBuildkitSession(engine.sessionEndpoint(), new Map(), { openTimeoutMs: 300 }), /the engine on loopback did not accept a build session within 0\.3 s/);
      assert.ok(Date.now() - started < 5_000);
    } finally {
      engine.acceptSessions = true;
    }
  });

  it('buildImage fails with the session\'s error and stops the build request when the engine sends a truncated frame and goes silent', { timeout: 15_000 }, async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-build-session-'));
    fs.mkdirSync(path.join(project, 'app'));
    fs.writeFileSync(path.join(project, 'app', 'hello.txt'), 'hello\n');
    const dockerfile = 'FROM scratch\nRUN --mount=type=secret,id=token,required true\n';
    const base: BuildImageSpec = {
      source: 'build', repository: 'hoist/test/app', context: 'app', dockerfile: null, dockerfileInline: dockerfile,
      buildArgs: {}, target: null, platform: null, identity: '', inputs: {},
    };
    const spec = { ...base, identity: imageIdentity(base, dockerfile, contextFiles(path.join(project, 'app'))) };
    const resource: ImageResource = {
      id: 'image:test/app@builder', kind: 'image', host: 'builder', source: 'test/app', hash: 'sha256:0', dependsOn: [], spec,
      policy: { builder: 'builder', delivery: { mode: 'direct' }, keepVersions: 1, lint: {}, buildSecrets: [{ secret: 'secret:test/token', name: 'token', fingerprint: 'hmac-sha256:k:m', origin: { kind: 'env', variable: 'HOIST_TEST_TOKEN' } }] },
    };
    // The engine takes the build, answers its headers, then waits on the session (as a real
    // one does before a RUN --mount=type=secret step), where it sends half a request and stops.
    let buildSeen!: () => void;
    const buildArrived = new Promise<void>((resolve) => (buildSeen = resolve));
    let buildClosed!: () => void;
    const buildStopped = new Promise<void>((resolve) => (buildClosed = resolve));
    engine.route('POST /v1.41/build', (req, res) => {
      assert.match(String(req.url), /session=/);
      req.resume();
      res.on('close', () => buildClosed());
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      buildSeen();
    });
    const client = engine.client();
    const built = buildImage(client, 'test', resource, project, () => undefined, new Map([['secret:test/token', Buffer.from('canary')]]), { session: { idleTimeoutMs: 300 } });
    built.catch(() => undefined);
    try {
      const { socket } = await engine.nextSession();
      const h2 = http2.connect('http://engine', { createConnection: () => socket as never });
      h2.on('error', () => undefined);
      await buildArrived;
      const stream = h2.request({ ':method': 'POST', ':path': SECRETS, 'content-type': 'application/grpc' });
      stream.on('error', () => undefined);
      stream.write(Buffer.from([0, 0, 0, 0, 7, 0x0a, 0x05, 0x74]));
      await assert.rejects(built, (error: Error) => {
        assert.match(error.message, /^the build session with the engine on loopback failed: the engine sent nothing for 0\.3 s; the build was stopped\. Check the engine on loopback and run the build again$/);
        assert.doesNotMatch(error.message, /canary/);
        return true;
      });
      await buildStopped;
      h2.destroy();
    } finally {
      client.close();
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
