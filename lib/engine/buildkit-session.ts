import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import type { EngineClient } from './engine-client';

/**
 * A BuildKit session on Docker Engine that serves build secrets (`RUN --mount=type=secret`):
 * the engine's `/session` endpoint is upgraded to HTTP/2, on which the engine is the gRPC
 * client and Hoist answers two services: the secrets provider (GetSecret) and the health
 * check the engine polls to keep the session alive. The values go from this process's
 * memory to the build container's tmpfs mount through the engine; they are never in a layer,
 * the build's arguments, its history or a file on any disk.
 *
 * Kept to exactly these two unary calls (each message one protobuf field), so a gRPC stack
 * is not needed.
 */
export interface BuildkitSession {
  readonly id: string;
  close(): void;
}

const SECRETS_METHOD = '/moby.buildkit.secrets.v1.Secrets/GetSecret';
const HEALTH_METHOD = '/grpc.health.v1.Health/Check';

/** Opens a session serving `secrets` (by id) and resolves once the engine has accepted it. */
export async function openBuildkitSession(client: EngineClient, secrets: ReadonlyMap<string, Buffer>): Promise<BuildkitSession> {
  const id = randomBytes(16).toString('hex');
  const modem = client.docker.modem as unknown as { agent: http.Agent; version?: string };
  const socket = await new Promise<Duplex>((resolve, reject) => {
    const request = http.request({
      agent: modem.agent,
      host: 'engine',
      path: `/${modem.version ?? 'v1.41'}/session`,
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
    request.on('upgrade', (_response, upgraded: Duplex, head: Buffer) => {
      if (head.length) upgraded.unshift(head);
      resolve(upgraded);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => reject(new Error(`the engine on ${client.host} refused a build session (${response.statusCode}): ${Buffer.concat(chunks).toString('utf8').trim()}`)));
    });
    request.on('error', reject);
    request.end();
  });

  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const reply = (status: number, message?: Buffer, error?: string) => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(status), ...(error ? { 'grpc-message': encodeURIComponent(error) } : {}) }));
        if (message) stream.write(grpcFrame(message));
        stream.end();
      };
      if (path === HEALTH_METHOD) return reply(0, Buffer.from([0x08, 0x01])); // status: SERVING
      if (path !== SECRETS_METHOD) return reply(12, undefined, `${path} is not served`); // UNIMPLEMENTED
      const request = grpcMessage(Buffer.concat(chunks));
      const secretId = request ? stringField(request, 1) : undefined;
      const value = secretId === undefined ? undefined : secrets.get(secretId);
      if (value === undefined) return reply(5, undefined, `no build secret "${secretId}" was given to this build`); // NOT_FOUND
      return reply(0, bytesField(1, value));
    });
  });
  server.on('sessionError', () => undefined);
  server.emit('connection', socket);
  return {
    id,
    close: () => {
      socket.destroy();
      server.close();
    },
  };
}

function grpcFrame(message: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** The message of one uncompressed gRPC frame. */
function grpcMessage(frame: Buffer): Buffer | undefined {
  if (frame.length < 5 || frame[0] !== 0) return undefined;
  return frame.subarray(5, 5 + frame.readUInt32BE(1));
}

/** Encodes a length-delimited protobuf field. */
function bytesField(field: number, value: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(value.length), value]);
}

/** The first string field `field` of a protobuf message (other fields skipped). */
export function stringField(message: Buffer, field: number): string | undefined {
  let offset = 0;
  while (offset < message.length) {
    const [key, afterKey] = readVarint(message, offset);
    const wire = key & 7;
    const number = key >> 3;
    if (wire === 2) {
      const [length, start] = readVarint(message, afterKey);
      if (number === field) return message.subarray(start, start + length).toString('utf8');
      offset = start + length;
    } else if (wire === 0) {
      offset = readVarint(message, afterKey)[1];
    } else if (wire === 1) {
      offset = afterKey + 8;
    } else if (wire === 5) {
      offset = afterKey + 4;
    } else {
      return undefined;
    }
  }
  return undefined;
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function readVarint(buffer: Buffer, offset: number): [number, number] {
  let result = 0;
  let shift = 0;
  let i = offset;
  for (;;) {
    const byte = buffer[i++];
    result += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [result, i];
    shift += 7;
  }
}

/** For tests: a GetSecretRequest for `id`, as the engine sends it. */
export function encodeSecretRequest(id: string): Buffer {
  return grpcFrame(bytesField(1, Buffer.from(id, 'utf8')));
}
