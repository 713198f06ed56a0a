import { WireFormatError } from './wire-format-error';

/**
 * The few pieces of the protobuf wire format the BuildKit session needs (see
 * https://protobuf.dev/programming-guides/encoding/): varints, length-delimited fields, and
 * reading one string field of a message while skipping the others. Every read is checked
 * against the end of the buffer, so a truncated or hostile message from the engine is a
 * {@link WireFormatError}, never an endless loop or a read past the end.
 */

/** A protobuf varint is at most 10 bytes (64 bits, 7 per byte). */
export const MAX_VARINT_BYTES = 10;

/**
 * Reads the varint at `offset`; returns its value and the offset after it. Values past 2^53
 * lose precision (they are never valid lengths here, and skipped fields need no exact value).
 * @throws WireFormatError when the buffer ends inside the varint or it runs past 10 bytes
 */
export function readVarint(buffer: Uint8Array, offset: number): [value: number, next: number] {
  let value = 0;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (offset + i >= buffer.length) throw new WireFormatError('malformed', `truncated varint at byte ${offset}`);
    const byte = buffer[offset + i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return [value, offset + i + 1];
  }
  throw new WireFormatError('malformed', `varint at byte ${offset} is longer than ${MAX_VARINT_BYTES} bytes`);
}

/** Encodes a non-negative integer (up to 2^53) as a varint. */
export function encodeVarint(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} as a varint`);
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** Encodes a length-delimited field (wire type 2): a string, bytes or an embedded message. */
export function encodeBytesField(field: number, value: Uint8Array): Buffer {
  return Buffer.concat([encodeVarint(field * 8 + 2), encodeVarint(value.length), value]);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The string field `field` of a protobuf message, or undefined when the message does not
 * have it. The whole message is checked, not only up to the field: a message cut short is an
 * error rather than half an answer. As protobuf says for a non-repeated field, the last
 * occurrence wins.
 * @throws WireFormatError on anything the wire format does not allow (truncation, field
 *   number 0, the deprecated group wire types, a length past the end, a string that is not UTF-8)
 */
export function stringField(message: Uint8Array, field: number): string | undefined {
  let found: Uint8Array | undefined;
  let offset = 0;
  while (offset < message.length) {
    const [key, afterKey] = readVarint(message, offset);
    const wire = key % 8;
    const number = Math.floor(key / 8);
    if (number === 0) throw new WireFormatError('malformed', `field number 0 at byte ${offset}`);
    if (wire === 0) {
      offset = readVarint(message, afterKey)[1];
    } else if (wire === 1 || wire === 5) {
      offset = afterKey + (wire === 1 ? 8 : 4);
      if (offset > message.length) throw new WireFormatError('malformed', `truncated fixed-size field ${number}`);
    } else if (wire === 2) {
      const [length, start] = readVarint(message, afterKey);
      if (length > message.length - start) throw new WireFormatError('malformed', `field ${number} claims ${length} bytes; ${message.length - start} remain`);
      if (number === field) found = message.subarray(start, start + length);
      offset = start + length;
    } else {
      throw new WireFormatError('malformed', `field ${number} has wire type ${wire}, which these messages do not use`);
    }
  }
  if (found === undefined) return undefined;
  try {
    return utf8.decode(found);
  } catch {
    throw new WireFormatError('malformed', `field ${field} is not valid UTF-8`);
  }
}
