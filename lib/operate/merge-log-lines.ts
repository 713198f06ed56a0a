import type { LogLine } from '../drivers/engine-driver';

/** A log line with where it came from. */
export interface ServiceLogLine extends LogLine {
  readonly host: string;
  /** The container's name when the line was read. */
  readonly container: string;
}

/** Orders lines by the engines' timestamps; lines without one, and ties, keep their order. */
export function sortByTime(lines: readonly ServiceLogLine[]): ServiceLogLine[] {
  return lines.map((line, i) => ({ line, i, t: timeOf(line.time) }))
    .sort((a, b) => compareTimes(a.t, b.t) || a.i - b.i)
    .map((x) => x.line);
}

/**
 * Merges lines that arrive from many containers while following: each is held for
 * `windowMs` so that one from a slower host can still be put before it, then released in
 * time order. Bounded: at most `maxHeld` lines wait; more release the oldest at once.
 */
export class LogMerger {
  private held: { line: ServiceLogLine; at: number; seq: number }[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly release: (line: ServiceLogLine) => void, private readonly windowMs = 200, private readonly maxHeld = 10_000) {}

  public push(line: ServiceLogLine): void {
    this.held.push({ line, at: Date.now(), seq: this.seq++ });
    if (this.held.length > this.maxHeld) this.flush(this.held.length - this.maxHeld);
    this.timer ??= setTimeout(() => this.tick(), this.windowMs);
  }

  /** Releases everything held, in time order (at the end of the stream). */
  public drain(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flush(this.held.length);
  }

  private tick(): void {
    this.timer = undefined;
    const due = Date.now() - this.windowMs;
    this.flush(this.held.filter((h) => h.at <= due).length);
    if (this.held.length) this.timer = setTimeout(() => this.tick(), this.windowMs);
  }

  /** Releases the `count` earliest lines by time. */
  private flush(count: number): void {
    if (count <= 0) return;
    this.held.sort((a, b) => compareTimes(timeOf(a.line.time), timeOf(b.line.time)) || a.seq - b.seq);
    for (const h of this.held.splice(0, count)) this.release(h.line);
  }
}

/** A time as milliseconds and the nanoseconds within the millisecond: a double cannot hold both. */
type Time = readonly [ms: number, nanos: number];

function compareTimes(a: Time, b: Time): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** An RFC 3339 timestamp, nanoseconds kept; a line without one sorts first. */
function timeOf(time: string): Time {
  if (!time) return [Number.NEGATIVE_INFINITY, 0];
  const match = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  const fraction = (match?.[2] ?? '').padEnd(9, '0').slice(0, 9);
  const ms = Date.parse(match ? `${match[1]}.${fraction.slice(0, 3)}${match[3]}` : time);
  if (Number.isNaN(ms)) return [Number.NEGATIVE_INFINITY, 0];
  return [ms, Number(fraction.slice(3))];
}
