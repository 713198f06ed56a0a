import * as path from 'node:path';
import type { ApplyStepSpec, PipelineSpec, PlanStepSpec, StageSpec } from '../graph/pipeline-document';
import { compareStrings } from '../values/compare-strings';
import { shellQuote } from './shell-quote';

/** What a stage's steps ask of the CI job that runs it; both renderers read it. */
export interface StageFacts {
  /** Its plan steps, in order: their plans are uploaded and shown for review. */
  readonly planSteps: PlanStepSpec[];
  /** Its apply steps, in order. */
  readonly applySteps: ApplyStepSpec[];
  /** The other stages whose saved plans its apply steps carry out, in pipeline order. */
  readonly planStages: string[];
  /**
   * The lock shared by every job that applies the same stacks (`hoist-apply-<stacks>`, the
   * sorted stack names joined with `-`); null when the stage applies nothing.
   */
  readonly applyGroup: string | null;
}

/** The {@link StageFacts} of `stage` of `pipeline`. */
export function stageFacts(pipeline: PipelineSpec, stage: StageSpec): StageFacts {
  const planSteps = stage.steps.filter((s): s is PlanStepSpec => s.type === 'plan');
  const applySteps = stage.steps.filter((s): s is ApplyStepSpec => s.type === 'apply');
  const fromStages = new Set(applySteps.map((s) => s.plan.slice(0, s.plan.indexOf('/'))).filter((name) => name !== stage.name));
  const planStages = pipeline.stages.map((s) => s.name).filter((name) => fromStages.has(name));
  const stacks = [...new Set(applySteps.map((s) => s.stack))].sort(compareStrings);
  return { planSteps, applySteps, planStages, applyGroup: stacks.length > 0 ? `hoist-apply-${stacks.join('-')}` : null };
}

/**
 * The pipeline's artifact directory relative to the repository root, with a trailing `/`: what
 * a plan stage uploads and an apply stage downloads, so the apply finds the plans where the
 * plan stage left them (`<workingDirectory>/<artifactDirectory>/`).
 */
export function planDirectory(pipeline: PipelineSpec): string {
  return `${inRepository(pipeline, pipeline.artifactDirectory).replace(/\/+$/, '')}/`;
}

/**
 * A path relative to the project directory, made relative to the repository root. Steps that
 * run a shell start in the project directory; actions and artifact paths start at the root.
 */
export function inRepository(pipeline: PipelineSpec, projectPath: string): string {
  return path.posix.join(pipeline.workingDirectory, projectPath);
}

/** The command a CI job runs for a stage: the same one a person runs on a laptop. */
export function stageCommand(pipeline: PipelineSpec, stage: StageSpec): string {
  return `npx hoist pipeline run ${shellQuote(pipeline.name)} --stage ${shellQuote(stage.name)} --yes`;
}
