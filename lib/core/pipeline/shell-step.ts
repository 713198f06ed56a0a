import type { PipelineStage } from './pipeline-stage';
import { PipelineStep } from './pipeline-step';

/** Options for a {@link ShellStep}. */
export interface ShellStepProps {
  /** The command (argv; no shell unless you run one, e.g. `['bash', '-c', '...']`), run in the project directory. */
  readonly command: string[];

  /**
   * Environment variables added to the pipeline's.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

/** Runs a command on the machine running the pipeline (the CI runner, or this machine). */
export class ShellStep extends PipelineStep {
  /** @internal */
  public readonly _props: ShellStepProps;

  constructor(scope: PipelineStage, id: string, props: ShellStepProps) {
    super(scope, id, 'shell');
    this._props = props;
  }
}
