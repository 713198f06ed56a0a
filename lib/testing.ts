import { App, AppProps } from './app';
import { synthesize } from './synth/synthesize';
import { fingerprintKeyOf } from './secrets/secret-fingerprint';
import { ValidationError } from './synth/validation-error';

/** A fixed fingerprint key, so snapshots of graphs with secrets are stable. */
const TESTING_FINGERPRINT_KEY = 'hoist-testing-fingerprint-key';

/**
 * Helpers for testing stacks the way Hoist tests itself: synthesize in memory, snapshot the
 * graph, and assert the values that matter.
 *
 * @example
 * const app = Testing.app();
 * const stack = new Stack(app, 'shop');
 * // ...
 * const graph = Testing.synth(app);
 * expect(graph.stacks[0].resources.filter((r: any) => r.kind === 'container')).toHaveLength(2);
 */
export class Testing {
  /** An App whose relative paths resolve against `projectDir` (default: the working directory). */
  public static app(props: AppProps = {}): App {
    return new App({ outdir: props.outdir ?? 'hoist.out', projectDir: props.projectDir });
  }

  /**
   * The graph of the app that `app` belongs to, as plain JSON, without writing files.
   * Secret fingerprints use a fixed test key. Throws an error listing every problem when the
   * app does not validate.
   */
  public static synth(app: App): any {
    const result = synthesize(app, { fingerprintKey: fingerprintKeyOf(TESTING_FINGERPRINT_KEY) });
    if (!result.ok) {
      throw new ValidationError(result.problems);
    }
    return JSON.parse(JSON.stringify(result.graph));
  }

  /**
   * The pipelines document of the app (`pipelines.json`: the app's Pipelines, as CI files and
   * `hoist pipeline run` see them), as plain JSON, without writing files. Throws an error
   * listing every problem when the app does not validate.
   */
  public static synthPipelines(app: App): any {
    const result = synthesize(app, { fingerprintKey: fingerprintKeyOf(TESTING_FINGERPRINT_KEY) });
    if (!result.ok) {
      throw new ValidationError(result.problems);
    }
    return JSON.parse(JSON.stringify(result.pipelines));
  }

  /** Every problem synth would report for the app (empty when it is valid). */
  public static validate(app: App): string[] {
    const result = synthesize(app, { fingerprintKey: fingerprintKeyOf(TESTING_FINGERPRINT_KEY) });
    return result.ok ? [] : result.problems;
  }

  private constructor() {}
}
