import * as assert from 'node:assert/strict';
import { decodeUnaryRequest, encodeGrpcFrame, UnaryRequestReader } from '../../lib/drivers/engine-api/grpc-frame';
import { type JsonEvent, JsonLinesDecoder } from '../../lib/drivers/engine-api/json-lines-decoder';
import { decodeLogFrames, LogFrameDecoder, type LogText } from '../../lib/drivers/engine-api/log-frames';
import { encodeBytesField, encodeVarint, readVarint, stringField } from '../../lib/drivers/engine-api/protobuf-wire';
import { WireFormatError } from '../../lib/drivers/engine-api/wire-format-error';
import type { Random } from './fuzz';

/**
 * Properties of the decoders that read what engines send, run by
 * test/unit/engine-frames-fuzz.test.ts in a worker thread (see test/helpers/fuzz.ts). Each
 * takes random bytes, truncations of valid input, or valid input with a corrupted length,
 * and checks: no exception but WireFormatError (the log decoder: none at all), output within
 * its limits, and valid input decoded exactly.
 */

/** Runs `decode`; returns its result, or the WireFormatError it threw. Anything else fails the case. */
function outcome<T>(decode: () => T): T | WireFormatError {
  try {
    return decode();
  } catch (error) {
    if (error instanceof WireFormatError) return error;
    throw new Error(`threw ${(error as Error)?.name}: ${(error as Error)?.message}, not a WireFormatError`);
  }
}

/** A random protobuf message of fields of every wire type, with string field 1 set to `id` (last occurrence). */
function validMessage(random: Random, id: string): Buffer {
  const fields: Buffer[] = [];
  const others = random.int(4);
  for (let i = 0; i < others; i++) {
    const number = 2 + random.int(3000);
    switch (random.int(4)) {
      case 0: fields.push(Buffer.concat([encodeVarint(number * 8), encodeVarint(random.int(2 ** 31) * random.int(2 ** 20))])); break;
      case 1: fields.push(Buffer.concat([encodeVarint(number * 8 + 1), random.bytes(8)])); break;
      case 2: fields.push(encodeBytesField(number, random.bytes(random.length(40)))); break;
      default: fields.push(Buffer.concat([encodeVarint(number * 8 + 5), random.bytes(4)])); break;
    }
  }
  // An earlier value of the field, overridden: protobuf's last-one-wins.
  if (random.bool()) fields.splice(random.int(fields.length + 1), 0, encodeBytesField(1, Buffer.from('earlier')));
  fields.push(encodeBytesField(1, Buffer.from(id, 'utf8')));
  return Buffer.concat(fields);
}

function randomId(random: Random): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_./é€😀';
  return Array.from({ length: random.length(300) }, () => random.pick([...alphabet])).join('');
}

function pushAll(reader: UnaryRequestReader, chunks: Buffer[]): Buffer {
  for (const chunk of chunks) reader.push(chunk);
  return reader.end();
}

function frame(type: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function decodeInChunks(chunks: Buffer[], options: ConstructorParameters<typeof LogFrameDecoder>[0]): LogText {
  const decoder = new LogFrameDecoder(options);
  for (const chunk of chunks) decoder.push(chunk);
  return decoder.end();
}

function checkLogBounds(result: LogText, maxBytes: number, maxLines: number): void {
  assert.ok(result.text.length <= maxBytes, `${result.text.length} characters kept; limit ${maxBytes} bytes`);
  const lines = result.text.replace(/\n$/, '').split('\n').length;
  assert.ok(lines <= maxLines, `${lines} lines kept; limit ${maxLines}`);
}

function jsonEvents(chunks: Buffer[], options: ConstructorParameters<typeof JsonLinesDecoder>[0]): JsonEvent[] | WireFormatError {
  return outcome(() => {
    const decoder = new JsonLinesDecoder(options);
    const events = chunks.flatMap((chunk) => decoder.push(chunk));
    return [...events, ...decoder.end()];
  });
}

export const properties: Record<string, (random: Random) => void> = {
  varintOnRandomBytes(random) {
    const bytes = random.bytes(random.length(24));
    const offset = random.int(bytes.length + 2);
    const result = outcome(() => readVarint(bytes, offset));
    if (result instanceof WireFormatError) return;
    const [value, next] = result;
    assert.ok(next > offset && next <= offset + 10 && next <= bytes.length, `next ${next} from ${offset} of ${bytes.length}`);
    assert.ok(value >= 0 && Number.isFinite(value));
  },

  varintRoundTripAndTruncation(random) {
    const value = random.int(2 ** 26) * random.int(2 ** 27);
    const encoded = encodeVarint(value);
    assert.deepEqual(readVarint(encoded, 0), [value, encoded.length]);
    const cut = random.int(encoded.length);
    const truncated = outcome(() => readVarint(encoded.subarray(0, cut), 0));
    assert.ok(truncated instanceof WireFormatError, `a varint cut to ${cut} of ${encoded.length} bytes was read`);
  },

  stringFieldOnRandomBytes(random) {
    const message = random.bytes(random.length(200));
    const result = outcome(() => stringField(message, 1 + random.int(4)));
    if (typeof result === 'string') assert.ok(Buffer.byteLength(result) <= message.length);
  },

  stringFieldOnValidTruncatedAndCorruptedMessages(random) {
    const id = randomId(random);
    const message = validMessage(random, id);
    assert.equal(stringField(message, 1), id);
    const cut = message.subarray(0, random.int(message.length));
    const truncated = outcome(() => stringField(cut, 1));
    assert.ok(truncated === undefined || truncated instanceof WireFormatError || typeof truncated === 'string');
    const corrupted = Buffer.from(message);
    corrupted[random.int(corrupted.length)] = random.int(256);
    const result = outcome(() => stringField(corrupted, 1));
    if (typeof result === 'string') assert.ok(Buffer.byteLength(result) <= corrupted.length);
  },

  grpcRequestOnRandomBytes(random) {
    const max = random.pick([0, 1, 16, 1024, 65536]);
    const body = random.bytes(random.length(300));
    const whole = outcome(() => decodeUnaryRequest(body, max));
    if (whole instanceof Buffer) assert.ok(whole.length <= max, `a ${whole.length}-byte message over the ${max}-byte limit`);
    const chunked = outcome(() => pushAll(new UnaryRequestReader(max), random.chunks(body)));
    assert.equal(chunked instanceof WireFormatError, whole instanceof WireFormatError, 'chunking changed the outcome');
    if (whole instanceof Buffer) assert.deepEqual(chunked, whole);
    else assert.equal((chunked as WireFormatError).reason, (whole as WireFormatError).reason);
  },

  grpcRequestOnValidTruncatedAndCorruptedFrames(random) {
    const id = randomId(random);
    const message = validMessage(random, id);
    const body = encodeGrpcFrame(message);
    const max = random.bool() ? 65536 : random.int(message.length * 2 + 1);
    const decoded = outcome(() => pushAll(new UnaryRequestReader(max), random.chunks(body)));
    if (message.length > max) {
      assert.ok(decoded instanceof WireFormatError && decoded.reason === 'too-large', 'a message over the limit was accepted');
    } else {
      assert.deepEqual(decoded, message);
      assert.equal(stringField(decoded as Buffer, 1), id);
    }
    // Any strict prefix of a unary request is incomplete.
    const cut = outcome(() => decodeUnaryRequest(body.subarray(0, random.int(body.length)), max));
    assert.ok(cut instanceof WireFormatError, 'a truncated request was accepted');
    // A wrong length in the prefix is refused, however wrong.
    const claimed = random.pick([0, message.length - 1, message.length + 1, 2 ** 32 - 1, random.int(2 ** 32)]) >>> 0;
    const corrupted = Buffer.from(body);
    corrupted.writeUInt32BE(claimed, 1);
    const result = outcome(() => decodeUnaryRequest(corrupted, max));
    if (claimed !== message.length) assert.ok(result instanceof WireFormatError, `a prefix claiming ${claimed} of ${message.length} bytes was accepted`);
    if (claimed > max) assert.equal((result as WireFormatError).reason, 'too-large');
  },

  logFramesOnRandomBytes(random) {
    const maxBytes = random.pick([1, 7, 64, 1024, 65536]);
    const maxLines = random.pick([1, 3, 1000]);
    const tty = random.pick([undefined, true, false]);
    // Random bytes, often starting like a header so the frame path is taken.
    const raw = random.bool() ? random.bytes(random.length(2000)) : Buffer.concat([Buffer.from([random.int(4), 0, 0, 0]), random.bytes(random.length(2000))]);
    const options = { maxBytes, maxLines, tty };
    const whole = decodeLogFrames(raw, options);
    checkLogBounds(whole, maxBytes, maxLines);
    assert.deepEqual(decodeInChunks(random.chunks(raw), options), whole, 'chunking changed the result');
  },

  logFramesOnValidTruncatedAndCorruptedStreams(random) {
    const payloads = Array.from({ length: random.int(12) }, () => (random.int(5) === 0 ? Buffer.alloc(0) : Buffer.from(randomId(random) + (random.bool() ? '\n' : ''), 'utf8')));
    const stream = Buffer.concat(payloads.map((p) => frame(random.int(4), p)));
    const all = Buffer.concat(payloads).toString('utf8');
    const options = { maxBytes: 1 << 20, maxLines: 1 << 20, tty: random.pick([undefined, false]) };
    const decoded = decodeInChunks(random.chunks(stream), options);
    assert.deepEqual(decoded, { text: all, truncated: false, damaged: false });
    // Truncated: never more than was sent, always a prefix of it; damaged unless cut between frames.
    const cutAt = random.int(stream.length + 1);
    const cut = decodeLogFrames(stream.subarray(0, cutAt), options);
    const boundaries = new Set<number>([0]);
    let at = 0;
    for (const p of payloads) boundaries.add((at += 8 + p.length));
    assert.equal(cut.damaged, !boundaries.has(cutAt), `cut at ${cutAt}`);
    assert.ok(Buffer.concat(payloads).subarray(0, Buffer.byteLength(cut.text)).equals(Buffer.from(cut.text)) || cut.text.includes('\ufffd'), 'a truncated stream gave text that was not sent');
    // A corrupted length field: any value, bounded output, no exception.
    if (payloads.length) {
      const corrupted = Buffer.from(stream);
      const header = payloads.slice(0, random.int(payloads.length)).reduce((at, p) => at + 8 + p.length, 0);
      corrupted.writeUInt32BE(random.pick([0, 1, 2 ** 32 - 1, random.int(2 ** 32)]) >>> 0, header + 4);
      const small = { maxBytes: 256, maxLines: 5 };
      checkLogBounds(decodeLogFrames(corrupted, small), 256, 5);
    }
  },

  logFramesOfAVeryLongStreamStayWithinTheirLimits(random) {
    // 4 MiB of small frames: the work is linear and the output the last 1 KiB / 10 lines.
    const payload = Buffer.from('x'.repeat(random.int(100)) + '\n');
    const one = frame(1, payload);
    const block = Buffer.concat(Array.from({ length: Math.ceil(65536 / one.length) }, () => one));
    const decoder = new LogFrameDecoder({ maxBytes: 1024, maxLines: 10 });
    for (let sent = 0; sent < 4 * 1024 * 1024; sent += block.length) decoder.push(block);
    const result = decoder.end();
    checkLogBounds(result, 1024, 10);
    assert.equal(result.truncated, true);
    assert.equal(result.damaged, false);
    assert.ok(result.text.endsWith(payload.toString()));
  },

  jsonLinesOnRandomBytes(random) {
    const maxLineBytes = random.pick([1, 16, 256, 4096]);
    const bytes = random.bool() ? random.bytes(random.length(600))
      : Buffer.from(Array.from({ length: random.int(20) }, () => random.pick(['{', '}', '"a"', ':', '1', ',', '\n', '\r\n', ' ', '[]', 'null', '{"x":"y"}\n', '\\u00'])).join(''));
    const invalidLines = random.pick(['error', 'skip'] as const);
    const result = jsonEvents(random.chunks(bytes), { maxLineBytes, invalidLines });
    if (result instanceof WireFormatError) return;
    for (const event of result) assert.ok(event !== null && typeof event === 'object' && !Array.isArray(event), 'an event that is not an object');
    assert.ok(result.length <= bytes.length / 2 + 1);
  },

  jsonLinesOnValidTruncatedAndCorruptedStreams(random) {
    const events = Array.from({ length: random.int(10) }, () => ({ status: randomId(random), id: random.int(1000), progressDetail: { current: random.int(1e6) } }));
    const text = Buffer.from(events.map((e) => JSON.stringify(e) + random.pick(['\n', '\r\n', '\n\n'])).join(''), 'utf8');
    assert.deepEqual(jsonEvents(random.chunks(text), {}), events);
    // Truncated: the events read are the first ones sent, then at most an error.
    const cut = text.subarray(0, random.int(text.length + 1));
    const decoder = new JsonLinesDecoder();
    const read: JsonEvent[] = [];
    const failure = outcome(() => {
      for (const chunk of random.chunks(cut)) read.push(...decoder.push(chunk));
      read.push(...decoder.end());
    });
    assert.deepEqual(read, events.slice(0, read.length));
    assert.ok(failure === undefined || failure instanceof WireFormatError);
    // A line over the limit is refused, whatever else the stream holds.
    if (events.length) {
      const longest = Math.max(...events.map((e) => Buffer.byteLength(JSON.stringify(e))));
      const limited = jsonEvents(random.chunks(text), { maxLineBytes: longest - 1 });
      assert.ok(limited instanceof WireFormatError && limited.reason === 'too-large', 'a line over the limit was accepted');
    }
  },
};
