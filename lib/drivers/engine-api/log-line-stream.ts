import type { LogLine } from '../engine-driver';

const HEADER_BYTES = 8;
/** A longer line is passed on in pieces of this size: a program that never prints a newline costs no more. */
const MAX_LINE_BYTES = 64 * 1024;
const STREAMS = ['stdout', 'stdout', 'stderr', 'stderr'] as const;

/**
 * Splits a followed logs stream of the Engine API (asked with `timestamps`) into lines as they
 * arrive: frames (8-byte header: stream type, three zero bytes, length) without a TTY, raw
 * bytes with one. Each line starts with the engine's RFC 3339 timestamp, which is taken off.
 * Lines are kept per stream until their newline; a broken header makes the rest plain text,
 * as log-frames.ts does for the last lines.
 */
export class LogLineSplitter {
  private mode: 'detect' | 'frames' | 'raw' = 'detect';
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private headerBytes = 0;
  private remaining = 0;
  private current: 0 | 1 | 2 | 3 = 1;
  private readonly partial: [Buffer[], Buffer[]] = [[], []];
  private readonly partialBytes = [0, 0];

  constructor(private readonly onLine: (line: LogLine) => void, options: { tty?: boolean } = {}) {
    if (options.tty !== undefined) this.mode = options.tty ? 'raw' : 'frames';
  }

  public push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.mode === 'raw') {
        this.text(1, chunk.subarray(at));
        return;
      }
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        this.text(this.current, chunk.subarray(at, at + take));
        this.remaining -= take;
        at += take;
        continue;
      }
      const byte = chunk[at++];
      this.header[this.headerBytes++] = byte;
      const plausible = this.headerBytes === 1 ? byte <= 3 : this.headerBytes > 4 || byte === 0;
      if (!plausible) {
        this.mode = 'raw';
        this.text(1, this.header.subarray(0, this.headerBytes));
        this.headerBytes = 0;
      } else if (this.headerBytes === HEADER_BYTES) {
        this.mode = 'frames';
        this.current = this.header[0] as 0 | 1 | 2 | 3;
        this.remaining = this.header.readUInt32BE(4);
        this.headerBytes = 0;
      }
    }
  }

  /** Passes on what is left of unfinished lines. */
  public end(): void {
    for (const stream of [0, 1] as const) if (this.partialBytes[stream] > 0) this.emit(stream, Buffer.concat(this.partial[stream]));
  }

  private text(type: number, bytes: Uint8Array): void {
    const stream = type >= 2 ? 1 : 0;
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== 0x0a) continue;
      this.partial[stream].push(Buffer.from(bytes.subarray(start, i)));
      this.emit(stream, Buffer.concat(this.partial[stream]));
      start = i + 1;
    }
    if (start < bytes.length) {
      this.partial[stream].push(Buffer.from(bytes.subarray(start)));
      this.partialBytes[stream] += bytes.length - start;
      if (this.partialBytes[stream] >= MAX_LINE_BYTES) this.emit(stream, Buffer.concat(this.partial[stream]));
    }
  }

  private emit(stream: 0 | 1, bytes: Buffer): void {
    this.partial[stream] = [];
    this.partialBytes[stream] = 0;
    const line = bytes.toString('utf8').replace(/\r$/, '');
    const space = line.indexOf(' ');
    const stamp = space > 0 ? line.slice(0, space) : '';
    const timed = /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)$/.test(stamp);
    this.onLine({ stream: STREAMS[stream === 1 ? 2 : 1], time: timed ? stamp : '', text: timed ? line.slice(space + 1) : line });
  }
}
