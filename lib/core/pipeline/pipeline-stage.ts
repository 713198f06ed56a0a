import { Construct } from 'constructs';
import { brand, hasBrand } from '../private/brand';
import { TriggerType } from './trigger';

const STAGE_SYMBOL = Symbol.for('hoist.PipelineStage');

/** Options for a {@link PipelineStage}. */
export interface StageProps {
  /**
   * The triggers of the pipeline this stage runs on.
   *
   * @default - every trigger of the pipeline
   */
  readonly on?: TriggerType[];

  /**
   * Stages that must succeed before this one starts. An empty list starts it with the
   * pipeline (in parallel with other such stages, in CI).
   *
   * @default - the stage added before it (none for the first)
   */
  readonly needs?: PipelineStage[];
}

/**
 * A stage of a {@link Pipeline}: one CI job that runs its steps in order, stopping at the
 * first that fails. Create it with {@link Pipeline.addStage}; add steps by creating them with
 * the stage as their scope.
 */
export class PipelineStage extends Construct {
  /** Whether `x` is a PipelineStage, also across duplicate copies of this library. */
  public static isPipelineStage(x: any): x is PipelineStage {
    return hasBrand(x, STAGE_SYMBOL);
  }

  /** @internal */
  public readonly _props: StageProps;

  constructor(scope: Construct, id: string, props: StageProps = {}) {
    super(scope, id);
    brand(this, STAGE_SYMBOL);
    this._props = props;
  }
}
