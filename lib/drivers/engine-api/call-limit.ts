/**
 * At most `limit` calls at once; the rest wait their turn in the order they came. Used where
 * an engine does a call's work itself and many at once only make each slower.
 */
export class CallLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  public constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`a call limit must be a whole number of at least 1, not ${limit}`);
  }

  public async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
