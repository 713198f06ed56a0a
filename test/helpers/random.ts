/** A seeded pseudo-random generator (mulberry32): the same seed gives the same cases. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  public next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  public int(n: number): number {
    return Math.floor(this.next() * n);
  }

  public bool(): boolean {
    return this.next() < 0.5;
  }

  public pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  public bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }

  /** Short lengths mostly, sometimes long ones: where the edge cases are. */
  public length(max: number): number {
    return this.bool() ? this.int(Math.min(max, 16) + 1) : this.int(max + 1);
  }

  /** `data` cut into pieces at random points (every byte its own piece, sometimes). */
  public chunks(data: Buffer): Buffer[] {
    if (data.length === 0) return [data];
    if (this.int(8) === 0) return [...data].map((b) => Buffer.from([b]));
    const out: Buffer[] = [];
    let at = 0;
    while (at < data.length) {
      const size = 1 + this.int(Math.max(1, Math.ceil(data.length / (1 + this.int(6)))));
      out.push(data.subarray(at, at + size));
      at += size;
    }
    return out;
  }
}
