import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { encodeGrpcFrame, UnaryRequestReader } from './grpc-frame';
import { encodeBytesField, stringField } from './protobuf-wire';
import { WireFormatError } from './wire-format-error';

/**
 * A BuildKit session on Docker Engine that serves build secrets (`RUN --mount=type=secret`):
 * the engine's `/session` endpoint is upgraded to HTTP/2, on which the engine is the gRPC
 * client and Hoist answers two services: the secrets provider (GetSecret) and the health
 * check the engine polls to keep the session alive. The values go from this process's
 * memory to the build container's tmpfs mount through the engine; they are never in a layer,
 * the build's arguments, its history or a file on any disk.
 *
 * Kept to exactly these two unary calls (each message one protobuf field), so a gRPC stack
 * is not needed. What the engine sends is read with limits: a malformed or oversized request
 * gets a gRPC error status, and an engine that goes silent ends the session (see
 * {@link BuildkitSession.signal}).
 */
export interface BuildkitSession {
  readonly id: string;
  /**
   * Aborted when the session fails: the engine sent nothing for the idle timeout, or broke
   * the HTTP/2 protocol. Its reason is an Error naming the host, for the build to stop with.
   * Never aborted by {@link close}.
   */
  readonly signal: AbortSignal;
  close(): void;
}

/** Options for {@link openBuildkitSession}. */
export interface BuildkitSessionOptions {
  /**
   * How long the engine may send nothing before the session is closed as failed. The engine
   * polls the health check every few seconds (BuildKit: every 1 to 5 s) while a session is
   * open, so a minute of silence means a stalled engine or a truncated frame, not a slow build.
   * Also the limit for one call from its first byte to the end of its request.
   * @default 60000
   */
  readonly idleTimeoutMs?: number;
  /**
   * How long the engine has to accept the session (answer the upgrade request).
   * @default 30000
   */
  readonly openTimeoutMs?: number;
  /**
   * The largest request message accepted; a larger length prefix is refused with
   * RESOURCE_EXHAUSTED before its bytes are kept. The requests served are a secret id or a
   * service name, tens of bytes.
   * @default 65536
   */
  readonly maxMessageBytes?: number;
}

const SECRETS_METHOD = '/moby.buildkit.secrets.v1.Secrets/GetSecret';
const HEALTH_METHOD = '/grpc.health.v1.Health/Check';

/** gRPC status codes used here (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
const STATUS = { OK: 0, NOT_FOUND: 5, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, INTERNAL: 13 } as const;

/** Calls served at once on one session; with the message limit, this bounds what the engine can make Hoist hold. */
const MAX_CONCURRENT_CALLS = 100;

/** How much of a refusal's body is kept for the error message. */
const MAX_REFUSAL_BYTES = 64 * 1024;

/** Where a session is opened: the engine's HTTP agent (over the host connection) and API version. */
export interface SessionEndpoint {
  readonly host: string;
  readonly agent: http.Agent;
  readonly apiVersion: string;
}

/** Opens a session serving `secrets` (by id) and resolves once the engine has accepted it. */
export async function openBuildkitSession(client: SessionEndpoint, secrets: ReadonlyMap<string, Buffer>, options: BuildkitSessionOptions = {}): Promise<BuildkitSession> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const maxMessageBytes = options.maxMessageBytes ?? 64 * 1024;
  const id = randomBytes(16).toString('hex');
  const socket = await upgradeToSession(client, id, options.openTimeoutMs ?? 30_000);

  const controller = new AbortController();
  const sessions = new Set<http2.ServerHttp2Session>();
  let closed = false;
  const server = http2.createServer({ settings: { maxConcurrentStreams: MAX_CONCURRENT_CALLS } });
  const close = () => {
    if (closed) return;
    closed = true;
    for (const session of sessions) session.destroy();
    socket.destroy();
    server.close();
  };
  const fail = (cause: string) => {
    if (closed) return;
    controller.abort(new Error(`the build session with the engine on ${client.host} failed: ${cause}; the build was stopped. Check the engine on ${client.host} and run the build again`));
    close();
  };
  server.on('session', (session: http2.ServerHttp2Session) => {
    sessions.add(session);
    session.setTimeout(idleTimeoutMs, () => fail(`the engine sent nothing for ${seconds(idleTimeoutMs)}`));
  });
  server.on('sessionError', (error: Error) => fail(`the engine broke the HTTP/2 protocol (${error.message})`));
  server.on('stream', (stream, headers) => serveCall(stream, String(headers[':path']), secrets, idleTimeoutMs, maxMessageBytes));
  server.emit('connection', socket);
  return { id, signal: controller.signal, close };
}

/** POST /session, upgraded to h2c: the engine's side of the session starts once it answers 101. */
function upgradeToSession(client: SessionEndpoint, id: string, timeoutMs: number): Promise<Duplex> {
  return new Promise<Duplex>((resolve, reject) => {
    let settled = false;
    const settle = (error: Error | null, socket?: Duplex) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        request.destroy();
        reject(error);
      } else {
        resolve(socket!);
      }
    };
    const request = http.request({
      agent: client.agent,
      host: 'engine',
      path: `/v${client.apiVersion}/session`,
      method: 'POST',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'h2c',
        'X-Docker-Expose-Session-Uuid': id,
        'X-Docker-Expose-Session-Name': 'hoist',
        'X-Docker-Expose-Session-Sharedkey': id,
        'X-Docker-Expose-Session-Grpc-Method': [SECRETS_METHOD, HEALTH_METHOD],
      },
    });
    // A timer, not the socket's idle timeout: the socket lives on as the session, where an
    // idle timeout left behind would later cut it.
    const timer = setTimeout(() => settle(new Error(`the engine on ${client.host} did not accept a build session within ${seconds(timeoutMs)}; check the engine on ${client.host} and run the build again`)), timeoutMs);
    request.on('upgrade', (_response, upgraded: Duplex, head: Buffer) => {
      if (settled) {
        upgraded.destroy();
        return;
      }
      if (head.length) upgraded.unshift(head);
      settle(null, upgraded);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on('data', (c: Buffer) => {
        if (kept < MAX_REFUSAL_BYTES) chunks.push(c.subarray(0, MAX_REFUSAL_BYTES - kept));
        kept += c.length;
      });
      response.on('error', (error) => settle(error));
      response.on('end', () => settle(new Error(`the engine on ${client.host} refused a build session (${response.statusCode}): ${Buffer.concat(chunks).toString('utf8').trim()}`)));
    });
    request.on('error', (error) => settle(error));
    request.end();
  });
}

/**
 * Answers one call. The request is read through a bounded reader; whatever goes wrong with it
 * (malformed, too large, for a method not served) becomes a gRPC status for the engine, and
 * nothing here throws out of an event handler.
 */
function serveCall(stream: http2.ServerHttp2Stream, path: string, secrets: ReadonlyMap<string, Buffer>, idleTimeoutMs: number, maxMessageBytes: number): void {
  let answered = false;
  const reply = (status: number, message?: Buffer, error?: string) => {
    if (answered || stream.destroyed) return;
    answered = true;
    const grpcStatus = { 'grpc-status': String(status), ...(error ? { 'grpc-message': encodeURIComponent(error) } : {}) };
    if (stream.readableEnded) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers(grpcStatus));
      if (message) stream.write(encodeGrpcFrame(message));
      stream.end();
      return;
    }
    // Answered before the engine finished sending (an oversized or malformed request): the
    // rest is not read, so the call ends here. A trailers-only answer is one HEADERS frame
    // with the end of the stream; gRPC then allows a reset with NO_ERROR to stop the sender.
    // (Trailers sent after headers could be dropped by that reset.)
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...grpcStatus }, { endStream: true });
    stream.close(http2.constants.NGHTTP2_NO_ERROR);
  };
  const refuse = (error: unknown) => {
    const tooLarge = error instanceof WireFormatError && error.reason === 'too-large';
    reply(tooLarge ? STATUS.RESOURCE_EXHAUSTED : STATUS.INTERNAL, undefined, `${path}: the request could not be read: ${(error as Error).message}`);
  };
  // A reset from the engine ends the call; there is nobody left to answer.
  stream.on('error', () => undefined);
  stream.setTimeout(idleTimeoutMs, () => stream.close(http2.constants.NGHTTP2_CANCEL));
  if (path !== HEALTH_METHOD && path !== SECRETS_METHOD) {
    reply(STATUS.UNIMPLEMENTED, undefined, `${path} is not served`);
    return;
  }
  const reader = new UnaryRequestReader(maxMessageBytes);
  stream.on('data', (chunk: Buffer) => {
    if (answered) return;
    try {
      reader.push(chunk);
    } catch (error) {
      refuse(error);
    }
  });
  stream.on('end', () => {
    if (answered) return;
    try {
      const request = reader.end();
      if (path === HEALTH_METHOD) {
        stringField(request, 1); // HealthCheckRequest.service: read only to check the message
        reply(STATUS.OK, Buffer.from([0x08, 0x01])); // status: SERVING
        return;
      }
      const secretId = stringField(request, 1) ?? '';
      const value = secrets.get(secretId);
      if (value === undefined) reply(STATUS.NOT_FOUND, undefined, `no build secret "${secretId}" was given to this build`);
      else reply(STATUS.OK, encodeBytesField(1, value));
    } catch (error) {
      refuse(error);
    }
  });
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** For tests: a GetSecretRequest for `id`, as the engine sends it. */
export function encodeSecretRequest(id: string): Buffer {
  return encodeGrpcFrame(encodeBytesField(1, Buffer.from(id, 'utf8')));
}
