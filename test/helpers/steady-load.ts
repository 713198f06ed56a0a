import autocannon from 'autocannon';

/** What a steady load saw, over all its targets. */
export interface LoadReport {
  readonly requests: number;
  /** Connection errors, resets and timeouts. */
  readonly errors: number;
  readonly timeouts: number;
  /** Answers outside 2xx. */
  readonly non2xx: number;
  /** Requests per second over the run. */
  readonly rate: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** How many answers carried each body's first word (e.g. "v1", "v2"), in order of first appearance. */
  readonly bodies: Map<string, number>;
  /** The first word of the last answer from each target. */
  readonly last: string[];
}

/**
 * A steady load on sandbox hosts (and only those: callers pass their addresses), from
 * autocannon at a fixed rate per target, until stopped or after `maxSeconds`, whichever
 * comes first: it stops by itself. Keep-alive connections, as browsers and load balancers use.
 */
export function steadyLoad(urls: readonly string[], options: { ratePerTarget: number; connections?: number; maxSeconds?: number }): { stop(): Promise<LoadReport> } {
  const bodies = new Map<string, number>();
  const last: string[] = urls.map(() => '');
  const runs = urls.map((url, i) => {
    let finished: (result: autocannon.Result) => void = () => undefined;
    const done = new Promise<autocannon.Result>((resolve) => { finished = resolve; });
    const instance = autocannon({
      url,
      connections: options.connections ?? 8,
      overallRate: options.ratePerTarget,
      duration: options.maxSeconds ?? 300,
      timeout: 5,
      requests: [{
        method: 'GET',
        onResponse: (_status: number, body: string) => {
          const word = String(body ?? '').trim().split(/\s+/)[0] ?? '';
          bodies.set(word, (bodies.get(word) ?? 0) + 1);
          last[i] = word;
        },
      }],
    } as autocannon.Options, (error, result) => {
      if (error) throw error;
      finished(result);
    });
    return { instance, done };
  });
  return {
    async stop() {
      for (const run of runs) (run.instance as unknown as { stop(): void }).stop();
      const results = await Promise.all(runs.map((r) => r.done));
      const requests = results.reduce((n, r) => n + r.requests.total, 0);
      const seconds = Math.max(...results.map((r) => r.duration));
      return {
        requests,
        errors: results.reduce((n, r) => n + r.errors + (r as unknown as { resets?: number }).resets!, 0),
        timeouts: results.reduce((n, r) => n + r.timeouts, 0),
        non2xx: results.reduce((n, r) => n + r.non2xx, 0),
        rate: requests / seconds,
        p99Ms: Math.max(...results.map((r) => r.latency.p99)),
        maxMs: Math.max(...results.map((r) => r.latency.max)),
        bodies,
        last,
      };
    },
  };
}
