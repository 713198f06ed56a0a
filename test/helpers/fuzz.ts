import { Worker, parentPort, workerData } from 'node:worker_threads';
import { Random } from './random';

export { Random };

/**
 * A small property-test harness without a dependency: a seeded generator, and a runner that
 * runs a property's cases in a worker thread so that a case that never ends (the defect these
 * tests exist for) is caught by a watchdog and reported with its seed and index, instead of
 * hanging the test run. A case fails by throwing.
 */


/** A property: one case from a generator; throws when the property does not hold. */
export type Property = (random: Random) => void;

/** One property to run: its name in the module's `properties`, its case count and its limit per case. */
export interface PropertyRun {
  readonly name: string;
  readonly runs: number;
  /** The longest one case may take before it counts as a hang. */
  readonly caseTimeoutMs: number;
}

/** The seed of this run: HOIST_FUZZ_SEED to repeat one, otherwise a fresh one (printed in failures). */
export function fuzzSeed(): number {
  const given = process.env.HOIST_FUZZ_SEED;
  return given ? Number(given) >>> 0 : Math.floor(Math.random() * 2 ** 32);
}

/** Cases per property: HOIST_FUZZ_RUNS when set, otherwise `ciRuns`. */
export function fuzzRuns(ciRuns: number): number {
  const given = Number(process.env.HOIST_FUZZ_RUNS);
  return Number.isInteger(given) && given > 0 ? given : ciRuns;
}

type WorkerMessage =
  | { readonly property: string; readonly started: number }
  | { readonly property: string; readonly passed: true }
  | { readonly property: string; readonly failed: number; readonly message: string };

/**
 * Runs the properties `runs` of the module `file` (which exports them as `properties`) one
 * after another in one worker thread, and returns one promise per property. A property
 * rejects with the seed and case index when a case throws; when a case takes longer than its
 * limit the worker is stopped, that property rejects as hung and those not yet run reject too.
 */
export function runProperties(file: string, runs: readonly PropertyRun[], seed: number): Map<string, Promise<void>> {
  const outcomes = new Map<string, { promise: Promise<void>; settle: (error?: Error) => void; settled: boolean }>();
  for (const run of runs) {
    let settle!: (error?: Error) => void;
    const promise = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
    // Awaited later by the test of each property; an early failure is not unhandled meanwhile.
    promise.catch(() => undefined);
    outcomes.set(run.name, { promise, settle, settled: false });
  }
  const settle = (name: string, error?: Error) => {
    const outcome = outcomes.get(name);
    if (!outcome || outcome.settled) return;
    outcome.settled = true;
    outcome.settle(error);
  };
  const where = (name: string, index: number) => `${name}, case ${index} of seed ${seed} (repeat with HOIST_FUZZ_SEED=${seed})`;
  const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(__filename)}).workerMain();`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { file, runs, seed } });
  let current = { name: runs[0]?.name ?? '', index: -1 };
  let stopped = false;
  const stop = (reason: string) => {
    if (stopped) return;
    stopped = true;
    clearTimeout(watchdog);
    void worker.terminate();
    for (const run of runs) settle(run.name, new Error(run.name === current.name ? reason : `${run.name}: not run, ${reason}`));
  };
  // Worker start-up (loading tsx and the modules) gets a longer allowance than a case.
  let watchdog = setTimeout(() => stop('the fuzz worker did not start within 60 s'), 60_000);
  worker.on('message', (message: WorkerMessage) => {
    if ('started' in message) {
      current = { name: message.property, index: message.started };
      clearTimeout(watchdog);
      const limit = runs.find((r) => r.name === message.property)!.caseTimeoutMs;
      watchdog = setTimeout(() => stop(`${where(current.name, current.index)} did not finish within ${limit} ms`), limit);
    } else if ('failed' in message) {
      settle(message.property, new Error(`${where(message.property, message.failed)} failed: ${message.message}`));
    } else {
      settle(message.property);
    }
  });
  worker.on('error', (error) => stop(`${where(current.name, current.index)}: uncaught in the fuzz worker: ${error.message}`));
  worker.on('exit', (code) => stop(`the fuzz worker exited with ${code} during ${where(current.name, current.index)}`));
  return new Map([...outcomes].map(([name, outcome]) => [name, outcome.promise]));
}

/** The worker's side of {@link runProperties}. */
export function workerMain(): void {
  const { file, runs, seed } = workerData as { file: string; runs: PropertyRun[]; seed: number };
  const properties = (require(file) as { properties: Record<string, Property> }).properties;
  for (const run of runs) {
    const property = properties[run.name];
    if (!property) {
      parentPort!.postMessage({ property: run.name, failed: -1, message: `no property ${run.name} in ${file}` });
      continue;
    }
    let passed = true;
    for (let i = 0; i < run.runs && passed; i++) {
      parentPort!.postMessage({ property: run.name, started: i });
      // Each case its own generator, so a failing case depends only on the seed and its index.
      const random = new Random((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
      try {
        property(random);
      } catch (error) {
        parentPort!.postMessage({ property: run.name, failed: i, message: (error as Error).stack ?? String(error) });
        passed = false;
      }
    }
    if (passed) parentPort!.postMessage({ property: run.name, passed: true });
  }
}
