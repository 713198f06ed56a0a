import { Construct } from 'constructs';
import { brand, hasBrand } from '../private/brand';
import type { PipelineStage } from './pipeline-stage';

const STEP_SYMBOL = Symbol.for('hoist.PipelineStep');

/**
 * A step of a {@link PipelineStage}. Steps run in the order they are created in their stage.
 * The kinds of step are its subclasses ({@link BuildStep}, {@link RunStep}, {@link LintStep},
 * {@link PlanStep}, {@link ApplyStep}, {@link DriftCheckStep}, {@link ShellStep}).
 */
export abstract class PipelineStep extends Construct {
  /** Whether `x` is a PipelineStep, also across duplicate copies of this library. */
  public static isPipelineStep(x: any): x is PipelineStep {
    return hasBrand(x, STEP_SYMBOL);
  }

  /** What the step does: `build`, `run`, `lint`, `plan`, `apply`, `drift` or `shell`. */
  public readonly stepType: string;

  protected constructor(scope: PipelineStage, id: string, stepType: string) {
    super(scope, id);
    brand(this, STEP_SYMBOL);
    this.stepType = stepType;
  }
}
