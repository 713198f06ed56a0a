import { WireFormatError } from './wire-format-error';

/** Options for {@link JsonLinesDecoder}. */
export interface JsonLinesOptions {
  /**
   * The longest line kept while waiting for its end; a longer one is an error. BuildKit's
   * trace events are the longest lines engines send, well under a megabyte.
   * @default 4194304
   */
  readonly maxLineBytes?: number;
  /**
   * What a line that is not a JSON object is: an error, or skipped (for answers that mix
   * plain text into their JSON lines).
   * @default 'error'
   */
  readonly invalidLines?: 'error' | 'skip';
}

/** One event of an engine's JSON-lines stream: always an object, its fields unchecked. */
export type JsonEvent = Readonly<Record<string, unknown>>;

/**
 * Splits the newline-delimited JSON the Engine API streams (pull, push, build, load, import
 * progress) into objects, chunk by chunk, holding at most one line of `maxLineBytes`. Works
 * on bytes, so a character split between chunks is joined before it is decoded; empty lines
 * and a final line without a newline are accepted as engines send them.
 */
export class JsonLinesDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private line = 0;
  private readonly maxLineBytes: number;
  private readonly invalidLines: 'error' | 'skip';

  constructor(options: JsonLinesOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? 4 * 1024 * 1024;
    this.invalidLines = options.invalidLines ?? 'error';
  }

  /**
   * The events completed by `chunk`.
   * @throws WireFormatError `too-large` for a line over the limit; `malformed` for a line that
   *   is not a JSON object (unless such lines are skipped)
   */
  public push(chunk: Uint8Array): JsonEvent[] {
    const events: JsonEvent[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (this.pendingBytes + (end - start) > this.maxLineBytes) {
        this.pending = [];
        this.pendingBytes = 0;
        throw new WireFormatError('too-large', `line ${this.line + 1} is longer than ${this.maxLineBytes} bytes`);
      }
      if (end > start) {
        this.pending.push(Buffer.from(chunk.subarray(start, end)));
        this.pendingBytes += end - start;
      }
      if (newline === -1) return events;
      this.take(events);
      start = newline + 1;
    }
  }

  /**
   * The event of a last line that had no newline, if any.
   * @throws WireFormatError as {@link push} does
   */
  public end(): JsonEvent[] {
    const events: JsonEvent[] = [];
    if (this.pendingBytes > 0) this.take(events);
    return events;
  }

  private take(events: JsonEvent[]): void {
    const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.line++;
    const text = bytes.toString('utf8').trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      events.push(value as JsonEvent);
    } else if (this.invalidLines === 'error') {
      throw new WireFormatError('malformed', `line ${this.line} (${bytes.length} bytes) is not a JSON object`);
    }
  }
}
