import { WireFormatError } from './wire-format-error';

/**
 * gRPC's length-prefixed messages over HTTP/2 (see
 * https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md): a compressed flag byte, a
 * 4-byte big-endian length, then the message.
 */

/** Size of the flag and length prefix in front of each message. */
export const GRPC_PREFIX_BYTES = 5;

/** The gRPC prefix and message for `message`, uncompressed. */
export function encodeGrpcFrame(message: Uint8Array): Buffer {
  const prefix = Buffer.alloc(GRPC_PREFIX_BYTES);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/**
 * Reads the one request message of a unary gRPC call as its bytes arrive. It never holds more
 * than the prefix and `maxMessageBytes`: a length over the limit is refused as soon as the
 * prefix is in, before any of the message is kept.
 */
export class UnaryRequestReader {
  private readonly prefix = Buffer.alloc(GRPC_PREFIX_BYTES);
  private prefixBytes = 0;
  private message: Buffer | undefined;
  private messageBytes = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /**
   * Takes the next bytes of the request body.
   * @throws WireFormatError `too-large` for a length over the limit; `malformed` for a
   *   compressed message (Hoist offers no compression) or bytes after the message
   */
  public push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.prefixBytes < GRPC_PREFIX_BYTES) {
        const take = Math.min(GRPC_PREFIX_BYTES - this.prefixBytes, chunk.length - at);
        this.prefix.set(chunk.subarray(at, at + take), this.prefixBytes);
        this.prefixBytes += take;
        at += take;
        if (this.prefixBytes === GRPC_PREFIX_BYTES) this.startMessage();
        continue;
      }
      const message = this.message!;
      if (this.messageBytes === message.length) {
        throw new WireFormatError('malformed', 'more than one message in a unary call');
      }
      const take = Math.min(message.length - this.messageBytes, chunk.length - at);
      message.set(chunk.subarray(at, at + take), this.messageBytes);
      this.messageBytes += take;
      at += take;
    }
  }

  /**
   * The message, once the body has ended.
   * @throws WireFormatError `malformed` when the body ended before a whole message
   */
  public end(): Buffer {
    if (this.prefixBytes < GRPC_PREFIX_BYTES) {
      throw new WireFormatError('malformed', this.prefixBytes === 0 ? 'no request message' : `the request ended inside the message prefix (${this.prefixBytes} of ${GRPC_PREFIX_BYTES} bytes)`);
    }
    const message = this.message!;
    if (this.messageBytes < message.length) {
      throw new WireFormatError('malformed', `the request ended after ${this.messageBytes} of the ${message.length} bytes its prefix announced`);
    }
    return message;
  }

  private startMessage(): void {
    const flag = this.prefix[0];
    if (flag !== 0) {
      throw new WireFormatError('malformed', flag === 1 ? 'a compressed message, but no compression was negotiated' : `invalid compressed flag ${flag}`);
    }
    const length = this.prefix.readUInt32BE(1);
    if (length > this.maxMessageBytes) {
      throw new WireFormatError('too-large', `a message of ${length} bytes; the limit is ${this.maxMessageBytes}`);
    }
    this.message = Buffer.alloc(length);
  }
}

/**
 * The one message of a whole unary request body; see {@link UnaryRequestReader}.
 * @throws WireFormatError as the reader does
 */
export function decodeUnaryRequest(body: Uint8Array, maxMessageBytes: number): Buffer {
  const reader = new UnaryRequestReader(maxMessageBytes);
  reader.push(body);
  return reader.end();
}
