import type { Stack } from '../stack';
import type { PipelineStage } from './pipeline-stage';
import { PipelineStep } from './pipeline-step';

/** Options of a step that acts on one {@link Stack}. */
export interface StackStepProps {
  /** The stack, of the same app as the pipeline. */
  readonly stack: Stack;
}

/** Builds the stack's images on their builders, as `hoist build` does. */
export class BuildStep extends PipelineStep {
  /** @internal */
  public readonly _props: StackStepProps;

  constructor(scope: PipelineStage, id: string, props: StackStepProps) {
    super(scope, id, 'build');
    this._props = props;
  }
}

/** Lints the stack's graph, as `hoist lint` does; an error-level finding fails the step. */
export class LintStep extends PipelineStep {
  /** @internal */
  public readonly _props: StackStepProps;

  constructor(scope: PipelineStage, id: string, props: StackStepProps) {
    super(scope, id, 'lint');
    this._props = props;
  }
}

/**
 * Plans the stack against its hosts and saves the plan; its Markdown is the review text (the
 * job summary, and a comment on the pull request that is updated in place). An
 * {@link ApplyStep} naming this step applies exactly this plan.
 */
export class PlanStep extends PipelineStep {
  /** @internal */
  public readonly _props: StackStepProps;

  constructor(scope: PipelineStage, id: string, props: StackStepProps) {
    super(scope, id, 'plan');
    this._props = props;
  }

  /** The stack planned. */
  public get stack(): Stack {
    return this._props.stack;
  }
}

/**
 * Plans the stack and fails when its hosts differ from the graph (drift, or changes not yet
 * applied): for a scheduled check. Changes nothing.
 */
export class DriftCheckStep extends PipelineStep {
  /** @internal */
  public readonly _props: StackStepProps;

  constructor(scope: PipelineStage, id: string, props: StackStepProps) {
    super(scope, id, 'drift');
    this._props = props;
  }
}

/** Options for an {@link ApplyStep}. */
export interface ApplyStepProps {
  /** The plan step whose saved plan this step applies: in an earlier stage of the same pipeline. */
  readonly plan: PlanStep;

  /**
   * A person must approve before the stage applies: the name of the GitHub environment
   * (give it required reviewers) or GitLab environment (the job waits as manual). Locally,
   * `hoist pipeline run` asks, unless `--yes`.
   *
   * @default - no approval
   */
  readonly approval?: string;
}

/**
 * Applies the saved plan of a {@link PlanStep} of the same run: what was reviewed is what
 * runs. If any host changed since the plan was made, Hoist refuses the stale plan and the
 * step fails.
 */
export class ApplyStep extends PipelineStep {
  /** @internal */
  public readonly _props: ApplyStepProps;

  constructor(scope: PipelineStage, id: string, props: ApplyStepProps) {
    super(scope, id, 'apply');
    this._props = props;
  }
}
