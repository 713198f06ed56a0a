import { Construct } from 'constructs';
import { brand, hasBrand } from './core/private/brand';
import { runAppSynth } from './synth/run-app-synth';

const APP_SYMBOL = Symbol.for('hoist.App');

/** Options for an {@link App}. */
export interface AppProps {
  /**
   * Directory the graph is written to (`graph.json`).
   *
   * @default - the `HOIST_OUTDIR` environment variable (set by `hoist synth`), else `hoist.out`
   */
  readonly outdir?: string;

  /**
   * Directory that relative paths (Dockerfile contexts, inventory and secret files) are
   * resolved against, and that the graph records them relative to.
   *
   * @default - the current working directory
   */
  readonly projectDir?: string;
}

/**
 * The root of a Hoist program: holds one or more {@link Stack}s and turns them into the
 * desired-state graph with {@link App.synth}.
 *
 * @example
 * const app = new App();
 * const stack = new Stack(app, 'shop');
 * // ... hosts, services, volumes ...
 * app.synth();
 */
export class App extends Construct {
  /** Whether `x` is an App, also across duplicate copies of this library. */
  public static isApp(x: any): x is App {
    return hasBrand(x, APP_SYMBOL);
  }

  /** Directory the graph is written to. */
  public readonly outdir: string;

  /** Directory relative paths are resolved against. */
  public readonly projectDir: string;

  constructor(props: AppProps = {}) {
    super(undefined as any, '');
    brand(this, APP_SYMBOL);
    this.outdir = props.outdir ?? process.env.HOIST_OUTDIR ?? 'hoist.out';
    this.projectDir = props.projectDir ?? process.cwd();
  }

  /**
   * Validates the whole tree and writes `graph.json` to {@link App.outdir}.
   *
   * Every problem in every construct is collected first, each prefixed with its construct
   * path; if there is any, nothing is written and one error listing them all is thrown.
   * The tree is locked afterwards: no construct can be added once synthesized.
   */
  public synth(): void {
    runAppSynth(this);
  }
}
