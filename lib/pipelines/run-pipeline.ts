import type { PipelineSpec, StageSpec, StepSpec, TriggerName } from '../graph/pipeline-document';

/** Which stages of a pipeline one run carries out. */
export interface StageSelection {
  /** Only this stage (CI runs one stage per job; what it needs ran in earlier jobs). */
  readonly stage?: string;
  /** The event the run stands for: the stages that run on it, as CI would pick them. */
  readonly trigger?: TriggerName;
}

/** What a run reports as it goes. */
export type PipelineRunEvent =
  | { readonly type: 'run-start'; readonly pipeline: string; readonly trigger: TriggerName | null; readonly stages: string[] }
  | { readonly type: 'stage-start'; readonly stage: string }
  | { readonly type: 'stage-skipped'; readonly stage: string; readonly reason: string }
  | { readonly type: 'approval'; readonly stage: string; readonly environment: string; readonly approved: boolean }
  | { readonly type: 'step-start'; readonly stage: string; readonly step: StepSpec }
  | { readonly type: 'step-done'; readonly stage: string; readonly step: StepSpec; readonly ok: boolean; readonly ms: number; readonly message?: string }
  | { readonly type: 'run-done'; readonly ok: boolean };

/** Carries out one step; resolves to why it failed, or undefined when it passed. */
export type StepExecutor = (step: StepSpec, stage: StageSpec) => Promise<string | undefined>;

/** Options for {@link runPipeline}. */
export interface PipelineRunOptions extends StageSelection {
  readonly execute: StepExecutor;
  /** Asks a person to approve a stage; resolves true to go on. */
  readonly approve: (stage: StageSpec, environment: string) => Promise<boolean>;
  readonly onEvent: (event: PipelineRunEvent) => void;
  /** Becomes true when the user asks to stop: no further step starts. */
  readonly stopRequested?: () => boolean;
}

/** The outcome of one step. */
export interface StepReport {
  readonly stage: string;
  readonly step: string;
  readonly type: StepSpec['type'];
  readonly status: 'passed' | 'failed' | 'not run';
  readonly ms: number;
  readonly message?: string;
}

export interface PipelineRunResult {
  readonly ok: boolean;
  readonly steps: StepReport[];
  /** Stages left out, with why (another trigger, a stage they need did not run, not approved). */
  readonly skipped: { readonly stage: string; readonly reason: string }[];
}

/**
 * Runs a pipeline's stages in order, as CI runs them: a stage runs when the run's trigger is
 * one of its own and every stage it needs ran and passed; its steps run one after another and
 * the first failure stops the run. A stage with an approval runs only when `approve` says so.
 * Steps are carried out by `execute`, so that the same order and rules serve the CLI and tests.
 */
export async function runPipeline(pipeline: PipelineSpec, options: PipelineRunOptions): Promise<PipelineRunResult> {
  const trigger = options.stage ? options.trigger ?? null : options.trigger ?? defaultTrigger(pipeline);
  if (trigger && !pipeline.triggers.some((t) => t.type === trigger)) {
    throw new Error(`pipeline ${pipeline.name} has no ${trigger} trigger; its triggers are ${pipeline.triggers.map((t) => t.type).join(', ')}`);
  }
  if (options.stage && !pipeline.stages.some((s) => s.name === options.stage)) {
    throw new Error(`pipeline ${pipeline.name} has no stage ${options.stage}; its stages are ${pipeline.stages.map((s) => s.name).join(', ')}`);
  }
  const stages = options.stage ? pipeline.stages.filter((s) => s.name === options.stage) : pipeline.stages;
  options.onEvent({ type: 'run-start', pipeline: pipeline.name, trigger, stages: stages.map((s) => s.name) });

  const steps: StepReport[] = [];
  const skipped: PipelineRunResult['skipped'] = [];
  const passed = new Set<string>();
  let failed = false;
  const notRun = (stage: StageSpec, from = 0) => {
    for (const step of stage.steps.slice(from)) steps.push({ stage: stage.name, step: step.name, type: step.type, status: 'not run', ms: 0 });
  };
  const skip = (stage: StageSpec, reason: string) => {
    skipped.push({ stage: stage.name, reason });
    options.onEvent({ type: 'stage-skipped', stage: stage.name, reason });
  };

  for (const stage of stages) {
    // A stage the trigger leaves out says so even after a failure: it would not have run anyway.
    if (trigger && !stage.on.includes(trigger)) {
      skip(stage, `runs on ${stage.on.join(', ')}, not ${trigger}`);
      continue;
    }
    if (failed || options.stopRequested?.()) {
      notRun(stage);
      continue;
    }
    // With --stage, what it needs ran before (in earlier CI jobs); otherwise in this run.
    const missing = options.stage ? [] : stage.needs.filter((n) => !passed.has(n));
    if (missing.length) {
      skip(stage, `needs ${missing.join(', ')}, which did not run`);
      continue;
    }
    if (stage.approval) {
      const approved = await options.approve(stage, stage.approval);
      options.onEvent({ type: 'approval', stage: stage.name, environment: stage.approval, approved });
      if (!approved) {
        skip(stage, `not approved (${stage.approval})`);
        notRun(stage);
        failed = true;
        continue;
      }
    }
    options.onEvent({ type: 'stage-start', stage: stage.name });
    for (const [index, step] of stage.steps.entries()) {
      if (options.stopRequested?.()) {
        notRun(stage, index);
        failed = true;
        break;
      }
      options.onEvent({ type: 'step-start', stage: stage.name, step });
      const started = Date.now();
      let message: string | undefined;
      try {
        message = await options.execute(step, stage);
      } catch (error) {
        message = (error as Error).message;
      }
      const ms = Date.now() - started;
      const ok = message === undefined;
      options.onEvent({ type: 'step-done', stage: stage.name, step, ok, ms, ...(message !== undefined ? { message } : {}) });
      steps.push({ stage: stage.name, step: step.name, type: step.type, status: ok ? 'passed' : 'failed', ms, ...(message !== undefined ? { message } : {}) });
      if (!ok) {
        notRun(stage, index + 1);
        failed = true;
        break;
      }
    }
    if (!failed) passed.add(stage.name);
  }
  const ok = !failed && !options.stopRequested?.();
  options.onEvent({ type: 'run-done', ok });
  return { ok, steps, skipped };
}

/** The trigger a local run stands for when none is given: a push if the pipeline has one. */
export function defaultTrigger(pipeline: PipelineSpec): TriggerName {
  const order: TriggerName[] = ['push', 'pull_request', 'manual', 'schedule'];
  return order.find((t) => pipeline.triggers.some((x) => x.type === t)) ?? 'push';
}
