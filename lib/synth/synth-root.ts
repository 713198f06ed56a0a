import type { IConstruct } from 'constructs';

/**
 * What synth needs of the App: the root of the construct tree and its directories. The App
 * (lib/app.ts) satisfies it; synth names this shape instead of importing the App, because
 * the App runs synth and so sits above it.
 */
export interface SynthRoot extends IConstruct {
  /** Directory the graph is written to, relative to `projectDir` unless absolute. */
  readonly outdir: string;
  /** Directory relative paths are resolved against. */
  readonly projectDir: string;
}
