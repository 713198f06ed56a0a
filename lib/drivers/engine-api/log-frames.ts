/**
 * Container output as the Engine API sends it (logs, attach): without a TTY, a sequence of
 * frames, each an 8-byte header (stream type 0-3, three zero bytes, a big-endian payload
 * length) and its payload; with a TTY, the raw bytes. The decoder keeps only the last of it,
 * so a container that printed gigabytes costs at most the limits here, and it accepts any
 * bytes: a frame cut short, a length past the end of the data, zero-length frames, a broken
 * header (the rest is then taken as plain text, so nothing readable is lost).
 */

/** Options for {@link LogFrameDecoder} and {@link decodeLogFrames}. */
export interface LogFrameOptions {
  /**
   * Whether the stream is raw output of a container with a TTY.
   * @default detected from the first header: stream type 0-3 followed by three zero bytes
   *   means frames (plain text never starts that way)
   */
  readonly tty?: boolean;
  /**
   * The most output bytes kept; older bytes are dropped.
   * @default 65536
   */
  readonly maxBytes?: number;
  /**
   * The most lines kept (a final newline does not start another line); older lines are dropped.
   * @default 1000
   */
  readonly maxLines?: number;
}

/** The decoded end of a container's output. */
export interface LogText {
  /** The output's last bytes as UTF-8 (stdout and stderr interleaved as they came). */
  readonly text: string;
  /** Some output is not in `text`: dropped to fit the limits, or the read stopped early. */
  readonly truncated: boolean;
  /** The framing was broken: the stream ended inside a frame or a header was invalid. */
  readonly damaged: boolean;
}

const HEADER_BYTES = 8;
/** Stream types: 0 stdin, 1 stdout, 2 stderr, 3 the engine's own error (Docker's "systemErr"). */
const MAX_STREAM_TYPE = 3;

/** Decodes container output pushed chunk by chunk; chunking never changes the result. */
export class LogFrameDecoder {
  private mode: 'detect' | 'frames' | 'raw';
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private headerBytes = 0;
  private remaining = 0;
  /** The last `maxBytes` of output, written round and round: constant work per byte, however long the stream. */
  private ring: Buffer | undefined;
  private ringAt = 0;
  private written = 0;
  private damaged = false;
  private readonly maxBytes: number;
  private readonly maxLines: number;

  constructor(options: LogFrameOptions = {}) {
    this.mode = options.tty === undefined ? 'detect' : options.tty ? 'raw' : 'frames';
    this.maxBytes = options.maxBytes ?? 64 * 1024;
    this.maxLines = options.maxLines ?? 1000;
  }

  /** Takes the next bytes of the stream. */
  public push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.mode === 'raw') {
        this.keep(chunk.subarray(at));
        return;
      }
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        this.keep(chunk.subarray(at, at + take));
        this.remaining -= take;
        at += take;
        continue;
      }
      const byte = chunk[at++];
      this.header[this.headerBytes++] = byte;
      const plausible = this.headerBytes === 1 ? byte <= MAX_STREAM_TYPE : this.headerBytes > 4 || byte === 0;
      if (!plausible) {
        // Not a header: plain text from here on. After good frames that means the framing
        // broke (a wrong length); at the start, a TTY stream.
        if (this.mode === 'frames') this.damaged = true;
        this.mode = 'raw';
        this.keep(this.header.subarray(0, this.headerBytes));
        this.headerBytes = 0;
      } else if (this.headerBytes === HEADER_BYTES) {
        this.mode = 'frames';
        this.remaining = this.header.readUInt32BE(4);
        this.headerBytes = 0;
      }
    }
  }

  /**
   * The kept output, once the stream has ended, or once the reader stopped reading it early
   * (`stoppedEarly`: its byte or time limit): a frame cut short then is the reader's doing,
   * not damage, and the result is marked truncated.
   */
  public end(stoppedEarly = false): LogText {
    // The stream ended inside a header or a payload. Part of a header at the very start is
    // taken as such too: text does not begin with a control byte and zeros.
    if (!stoppedEarly && (this.headerBytes > 0 || this.remaining > 0)) this.damaged = true;
    const dropped = this.written > this.maxBytes;
    let bytes = !this.ring ? Buffer.alloc(0)
      : dropped ? Buffer.concat([this.ring.subarray(this.ringAt), this.ring.subarray(0, this.ringAt)]) : this.ring.subarray(0, this.written);
    if (dropped) {
      // The cut may have split a character: skip its continuation bytes.
      let skip = 0;
      while (skip < 3 && skip < bytes.length && (bytes[skip] & 0xc0) === 0x80) skip++;
      bytes = bytes.subarray(skip);
    }
    let text = bytes.toString('utf8');
    let truncated = dropped || stoppedEarly;
    const body = text.endsWith('\n') ? text.length - 1 : text.length;
    let newlines = 0;
    for (let i = body - 1; i >= 0; i--) {
      if (text.charCodeAt(i) === 0x0a && ++newlines === this.maxLines) {
        text = text.slice(i + 1);
        truncated = true;
        break;
      }
    }
    return { text, truncated, damaged: this.damaged };
  }

  private keep(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.maxBytes <= 0) return;
    this.written += bytes.length;
    if (bytes.length >= this.maxBytes) {
      this.room(this.maxBytes).set(bytes.subarray(bytes.length - this.maxBytes));
      this.ringAt = 0;
      return;
    }
    const ring = this.room(Math.min(this.written, this.maxBytes));
    const first = Math.min(bytes.length, this.maxBytes - this.ringAt);
    ring.set(bytes.subarray(0, first), this.ringAt);
    ring.set(bytes.subarray(first), 0);
    this.ringAt = (this.ringAt + bytes.length) % this.maxBytes;
  }

  /**
   * The ring, at least `size` bytes long: it grows (doubling, up to maxBytes) while the output
   * is shorter than the limit, so a short log costs little however high the limit. Output only
   * wraps around once the ring has its full size.
   */
  private room(size: number): Buffer {
    if (this.ring && this.ring.length >= size) return this.ring;
    const grown = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(size, 2 * (this.ring?.length ?? 0), 4096)));
    if (this.ring) this.ring.copy(grown);
    this.ring = grown;
    return grown;
  }
}

/** Decodes a whole buffer of container output; see {@link LogFrameDecoder}. */
export function decodeLogFrames(raw: Uint8Array, options: LogFrameOptions = {}): LogText {
  const decoder = new LogFrameDecoder(options);
  decoder.push(raw);
  return decoder.end();
}
