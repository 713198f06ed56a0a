import * as path from 'node:path';
import type { IConstruct } from 'constructs';
import { Host } from '../core/host';
import { Image } from '../core/image';
import { Pipeline } from '../core/pipeline/pipeline';
import { PipelineStage } from '../core/pipeline/pipeline-stage';
import { PipelineStep } from '../core/pipeline/pipeline-step';
import type { RunStep } from '../core/pipeline/run-step';
import type { ShellStep } from '../core/pipeline/shell-step';
import type { ApplyStep, BuildStep, DriftCheckStep, LintStep, PlanStep } from '../core/pipeline/stack-steps';
import { Secret } from '../core/secret';
import { Service } from '../core/service';
import { Stack } from '../core/stack';
import type { ContainerResource, GraphDocument, ImageResource, SecretOrigin, StackGraph } from '../graph/graph-document';
import {
  type CiSecret, type CiSystemName, PIPELINE_FORMAT_VERSION, type PipelineSpec, type PipelinesDocument, type StageSpec,
  type StepSpec, TRIGGER_ORDER, type TriggerName, type TriggerSpec,
} from '../graph/pipeline-document';
import { parseDuration } from '../values/duration';
import { parseImageReference } from '../values/image-reference';
import { compareStrings, type Problems } from './problems';
import { projectPath } from './project-path';
import type { SynthRoot } from './synth-root';

/** Pipeline, stage and step names: they become file names, CI job ids and CLI arguments. */
const NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** CI secret names: what GitHub and GitLab both accept. */
const CI_SECRET = /^[A-Z_][A-Z0-9_]*$/;
/** Environment variable names given to a container. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Approval environments: GitHub environment names without the characters YAML or URLs trip on. */
const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** Branch names as git allows them, less what a CI expression would have to escape. */
const BRANCH = /^(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]{1,200}$/;
const CRON_FIELD = /^(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?(,(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?)*$/;
const CRON_RANGES: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
const DEFAULT_RUN_TIMEOUT_SECONDS = 600;

/**
 * The app's pipelines as the pipelines document, checked against the graph synth just made:
 * every step's stack, image, host and secret must be of this app, and every apply must come
 * after the plan it applies. Problems are reported with construct paths, like the rest of synth.
 */
export function synthPipelines(root: SynthRoot, graph: GraphDocument, problems: Problems): PipelinesDocument {
  const all = root.node.findAll();
  const pipelines = all.filter(Pipeline.isPipeline);
  for (const stage of all.filter(PipelineStage.isPipelineStage)) {
    if (!Pipeline.isPipeline(stage.node.scope)) problems.add(stage.node.path, 'is not directly inside a Pipeline; create stages with pipeline.addStage()');
  }
  for (const step of all.filter(PipelineStep.isPipelineStep)) {
    if (!PipelineStage.isPipelineStage(step.node.scope)) problems.add(step.node.path, 'is not directly inside a PipelineStage; create steps with a stage (pipeline.addStage()) as their scope');
  }
  const names = new Map<string, string>();
  const specs: PipelineSpec[] = [];
  // Relative to the project, so that the document and the CI files are the same on every
  // machine; an output directory outside the project (a test's temporary one) cannot be a CI
  // artifact path, so runs then keep their files in the default one.
  const relative = path.relative(root.projectDir, path.resolve(root.projectDir, root.outdir)).split(path.sep).join('/') || '.';
  const outdir = relative === '..' || relative.startsWith('../') || path.isAbsolute(relative) ? 'hoist.out' : relative;
  for (const pipeline of pipelines.sort((a, b) => compareStrings(a.node.path, b.node.path))) {
    const earlier = names.get(pipeline.pipelineName);
    if (earlier) problems.add(pipeline.node.path, `pipelineName: "${pipeline.pipelineName}" is also the name of ${earlier}; pipeline names must be unique`);
    names.set(pipeline.pipelineName, pipeline.node.path);
    specs.push(pipelineSpec(pipeline, outdir, root, all, graph, problems));
  }
  return { formatVersion: PIPELINE_FORMAT_VERSION, pipelines: specs.sort((a, b) => compareStrings(a.name, b.name)) };
}

function pipelineSpec(pipeline: Pipeline, outdir: string, root: SynthRoot, all: IConstruct[], graph: GraphDocument, problems: Problems): PipelineSpec {
  const at = pipeline.node.path;
  const props = pipeline._props;
  if (!NAME.test(pipeline.pipelineName)) problems.add(at, `pipelineName: "${pipeline.pipelineName}" must be lowercase letters, digits and "-", starting with a letter (it names the workflow file)`);

  const triggers = triggerSpecs(props.triggers ?? [], at, problems);
  const ci = [...new Set((props.ci ?? ['github']) as string[])].sort(compareStrings) as CiSystemName[];
  if (ci.length === 0) problems.add(at, 'ci: names no CI system; leave it out for GitHub Actions');
  for (const system of ci) if (system !== 'github' && system !== 'gitlab') problems.add(at, `ci: "${system}" is not a CI system (use CiSystem.GITHUB_ACTIONS or CiSystem.GITLAB_CI)`);
  const nodeVersion = props.nodeVersion ?? '20';
  if (!/^\d{2,3}$/.test(nodeVersion)) problems.add(at, `nodeVersion: "${nodeVersion}" is not a Node.js major version such as "20"`);
  const workingDirectory = props.workingDirectory ?? '.';
  if (!isRelativeDirectory(workingDirectory)) problems.add(at, `workingDirectory: "${workingDirectory}" must be a relative path inside the repository, such as "." or "deploy"`);
  const secretName = (field: string, value: string) => {
    if (!CI_SECRET.test(value) || value.startsWith('GITHUB_')) problems.add(at, `${field}: "${value}" is not a CI secret name (upper-case letters, digits and "_", not starting with GITHUB_)`);
    return value;
  };

  const stages = pipeline.stages;
  if (stages.length === 0) problems.add(at, 'has no stages; add one with pipeline.addStage()');
  const triggerTypes = new Set(triggers.map((t) => t.type));
  const artifactDirectory = path.posix.join(outdir, 'pipeline', pipeline.pipelineName);
  const stageSpecs = stages.map((stage, index) => stageSpec(stage, index === 0 ? [] : [stages[index - 1]], pipeline, triggerTypes, { root, projectDir: root.projectDir, graph, artifactDirectory }, problems));
  const ordered = orderStages(stageSpecs, at, problems);
  checkApplies(ordered, problems);

  const stacks = new Set(ordered.flatMap((s) => s.steps.flatMap((step) => ('stack' in step ? [step.stack] : []))));
  const touched = graph.stacks.filter((s) => stacks.has(s.name));
  const everyHostPinned = touched.every((s) => [...s.hosts, ...(s.builders ?? [])].every((h) => h.hostKey.fingerprint !== null));

  return {
    name: pipeline.pipelineName,
    path: at,
    triggers,
    ci,
    nodeVersion,
    workingDirectory: path.posix.normalize(workingDirectory),
    artifactDirectory,
    access: {
      sshKeySecret: secretName('sshKeySecret', props.sshKeySecret ?? 'HOIST_SSH_PRIVATE_KEY'),
      knownHostsSecret: everyHostPinned ? null : secretName('knownHostsSecret', props.knownHostsSecret ?? 'HOIST_SSH_KNOWN_HOSTS'),
      fingerprintKeySecret: secretName('fingerprintKeySecret', props.fingerprintKeySecret ?? 'HOIST_FINGERPRINT_KEY'),
      secrets: ciSecrets(all),
    },
    stages: ordered,
  };
}

function triggerSpecs(triggers: readonly { triggerType: string; branches: string[]; cron?: string }[], at: string, problems: Problems): TriggerSpec[] {
  if (triggers.length === 0) problems.add(at, 'triggers: names none; add Trigger.pullRequest(), Trigger.push(), Trigger.schedule(cron) or Trigger.manual()');
  const specs: TriggerSpec[] = [];
  const seen = new Set<string>();
  for (const [i, trigger] of triggers.entries()) {
    const type = trigger.triggerType as TriggerName;
    const where = `triggers[${i}]`;
    for (const branch of trigger.branches) {
      if (!BRANCH.test(branch)) problems.add(at, `${where}: "${branch}" is not a branch name Hoist writes into CI files (letters, digits, ".", "_", "-", "/")`);
    }
    if (type === 'schedule') {
      const problem = cronProblem(trigger.cron ?? '');
      if (problem) problems.add(at, `${where}: ${problem}`);
    } else if (type !== 'manual' && type !== 'pull_request' && type !== 'push') {
      problems.add(at, `${where}: "${type}" is not a trigger`);
      continue;
    }
    const key = type === 'schedule' ? `schedule ${trigger.cron}` : type;
    if (seen.has(key)) problems.add(at, `${where}: a second ${type} trigger; give one trigger several branches instead`);
    seen.add(key);
    specs.push({ type, branches: [...trigger.branches].sort(compareStrings), cron: type === 'schedule' ? (trigger.cron ?? '').trim().split(/\s+/).join(' ') : null });
  }
  return specs.sort((a, b) => TRIGGER_ORDER.indexOf(a.type) - TRIGGER_ORDER.indexOf(b.type) || compareStrings(a.cron ?? '', b.cron ?? ''));
}

/** Why a schedule is not a five-field cron expression CI systems accept, or undefined. */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return `"${cron}" is not a cron expression of five fields (minute hour day-of-month month day-of-week), such as "0 3 * * *"`;
  for (const [i, field] of fields.entries()) {
    const [low, high] = CRON_RANGES[i];
    const numbers = field.split(/[,/-]/).filter((n) => n !== '*').map(Number);
    if (!CRON_FIELD.test(field) || numbers.some((n) => n < (field.includes('/') ? 0 : low) || n > high)) {
      return `"${cron}": field ${i + 1} ("${field}") must be *, a number from ${low} to ${high}, a range, a list or a step`;
    }
  }
  return undefined;
}

/** What steps are checked against. */
interface StepContext {
  readonly root: IConstruct;
  readonly projectDir: string;
  readonly graph: GraphDocument;
  readonly artifactDirectory: string;
}

function stageSpec(stage: PipelineStage, previous: PipelineStage[], pipeline: Pipeline, triggerTypes: ReadonlySet<TriggerName>, context: StepContext, problems: Problems): StageSpec {
  const at = stage.node.path;
  const name = stage.node.id;
  if (!NAME.test(name)) problems.add(at, `"${name}" must be lowercase letters, digits and "-", starting with a letter (it names a CI job)`);
  const on = [...new Set((stage._props.on ?? [...triggerTypes]) as TriggerName[])];
  for (const trigger of on) {
    if (!triggerTypes.has(trigger)) problems.add(at, `on: "${trigger}" is not a trigger of ${pipeline.node.path}; add it to the pipeline's triggers or remove it here`);
  }
  if (on.length === 0) problems.add(at, 'on: names no trigger, so the stage never runs');
  const needs = (stage._props.needs ?? previous).map((other) => {
    if (other.node.scope !== pipeline) problems.add(at, `needs: ${other.node.path} is not a stage of ${pipeline.node.path}`);
    return other.node.id;
  });
  const steps = stage.node.children.filter(PipelineStep.isPipelineStep);
  if (steps.length === 0) problems.add(at, 'has no steps; create steps with this stage as their scope');
  const specs = steps.map((step) => stepSpec(step, stage, pipeline, context, problems)).filter((s): s is StepSpec => s !== undefined);
  const approvals = [...new Set(specs.flatMap((s) => (s.type === 'apply' && s.approval ? [s.approval] : [])))];
  if (approvals.length > 1) problems.add(at, `its apply steps ask for different approvals (${approvals.join(', ')}); a stage has one approval: split it into stages`);
  return { name, path: at, needs: [...new Set(needs)].sort(compareStrings), on: on.sort((a, b) => TRIGGER_ORDER.indexOf(a) - TRIGGER_ORDER.indexOf(b)), steps: specs, approval: approvals[0] ?? null };
}

function stepSpec(step: PipelineStep, stage: PipelineStage, pipeline: Pipeline, { root, projectDir, graph, artifactDirectory: directory }: StepContext, problems: Problems): StepSpec | undefined {
  const at = step.node.path;
  const name = step.node.id;
  if (!NAME.test(name)) problems.add(at, `"${name}" must be lowercase letters, digits and "-", starting with a letter`);
  const stackOf = (stack: Stack | undefined): StackGraph | undefined => {
    if (!stack || !Stack.isStack(stack)) {
      problems.add(at, 'stack: is not a Stack');
      return undefined;
    }
    if (stack.node.root !== root) {
      problems.add(at, `stack: ${stack.node.path} is a stack of another app; a pipeline deploys the stacks of its own app`);
      return undefined;
    }
    return graph.stacks.find((s) => s.name === stack.stackName);
  };
  const base = { name, path: at };
  const artifacts = `${stage.node.id}-${name}`;
  const artifactDirectory = (file: string) => path.posix.join(directory, file);

  if (step.stepType === 'run') return runStepSpec(step as RunStep, stackOf((step as RunStep)._props.stack), at, base, projectDir, problems);
  if (step.stepType === 'shell') {
    const props = (step as ShellStep)._props;
    if (!Array.isArray(props.command) || props.command.length === 0 || props.command.some((a) => typeof a !== 'string')) problems.add(at, 'command: must be a non-empty list of strings (argv)');
    const environment = checkedEnvironment(props.environment ?? {}, at, problems);
    return { ...base, type: 'shell', command: [...(props.command ?? [])], environment };
  }
  if (step.stepType === 'apply') {
    const props = (step as ApplyStep)._props;
    const planStep = props.plan;
    if (!planStep || !PipelineStep.isPipelineStep(planStep) || planStep.stepType !== 'plan') {
      problems.add(at, 'plan: is not a PlanStep');
      return undefined;
    }
    const planStage = planStep.node.scope;
    if (!planStage || planStage.node.scope !== pipeline) {
      problems.add(at, `plan: ${planStep.node.path} is not a step of ${pipeline.node.path}; an apply applies a plan of its own run`);
      return undefined;
    }
    const approval = props.approval ?? null;
    if (approval !== null && !ENVIRONMENT.test(approval)) problems.add(at, `approval: "${approval}" is not an environment name (letters, digits, ".", "_", "-")`);
    const stack = stackOf((planStep as PlanStep)._props.stack);
    return {
      ...base, type: 'apply', stack: stack?.name ?? '', plan: `${planStage.node.id}/${planStep.node.id}`,
      planFile: artifactDirectory(`${planStage.node.id}-${planStep.node.id}.plan.json`), approval,
    };
  }
  const stack = stackOf((step as BuildStep | LintStep | PlanStep | DriftCheckStep)._props?.stack);
  if (!stack) return undefined;
  switch (step.stepType) {
    case 'build': {
      if (!stack.resources.some((r) => r.kind === 'image' && (r as ImageResource).spec.source === 'build')) problems.add(at, `stack: ${stack.path} builds no image; remove the step or use an image built from a Dockerfile or build steps`);
      return { ...base, type: 'build', stack: stack.name };
    }
    case 'lint':
      return { ...base, type: 'lint', stack: stack.name };
    case 'plan':
      return { ...base, type: 'plan', stack: stack.name, planFile: artifactDirectory(`${artifacts}.plan.json`), markdownFile: artifactDirectory(`${artifacts}.plan.md`) };
    case 'drift':
      return { ...base, type: 'drift', stack: stack.name };
    default:
      problems.add(at, `"${step.stepType}" is not a kind of step this version of Hoist runs`);
      return undefined;
  }
}

function runStepSpec(step: RunStep, stack: StackGraph | undefined, at: string, base: { name: string; path: string }, projectDir: string, problems: Problems): StepSpec | undefined {
  const props = step._props;
  if (!stack) return undefined;
  if (!Image.isImage(props.image)) {
    problems.add(at, 'image: is not an Image');
    return undefined;
  }
  let reference: string | undefined;
  let resource: string | null = null;
  let builder: string | undefined;
  if (props.image._source.kind === 'registry') {
    const parsed = parseImageReference(props.image._source.reference);
    if (!parsed.ok) problems.add(at, `image: ${parsed.reason}`);
    else reference = parsed.reference.normalized;
  } else {
    // A built image is the one a service of the stack runs: its reference and builder are in the graph.
    const services = props.stack.node.findAll().filter((c): c is Service => Service.isService(c) && c._props.image === props.image).map((s) => s.node.path);
    const container = stack.resources.find((r): r is ContainerResource => r.kind === 'container' && services.includes(r.source));
    if (!container) {
      problems.add(at, `image: no service of ${stack.path} uses this built image, so no build makes it; run a registry image, or an image a service of the stack uses`);
      return undefined;
    }
    reference = container.spec.image.reference;
    resource = container.spec.image.resource;
    builder = stack.resources.find((r): r is ImageResource => r.kind === 'image' && r.id.startsWith(`${resource}@`))?.policy?.builder;
  }
  let host = builder;
  if (props.host !== undefined) {
    if (!Host.isHost(props.host)) {
      problems.add(at, 'host: is not a Host');
      return undefined;
    }
    if (props.host.node.root !== step.node.root || ![...stack.hosts, ...(stack.builders ?? [])].some((h) => h.source === props.host!.node.path)) {
      problems.add(at, `host: ${props.host.node.path} is not a host or builder of ${stack.path}`);
      return undefined;
    }
    host = props.host.hostName;
  }
  if (host === undefined) {
    problems.add(at, 'host: a registry image needs a host to run on; name one of the stack\'s hosts');
    return undefined;
  }
  const environment = checkedEnvironment(props.environment ?? {}, at, problems);
  const secrets = Object.entries(props.secrets ?? {}).sort(([a], [b]) => compareStrings(a, b)).map(([env, secret]) => {
    if (!ENV_NAME.test(env)) problems.add(at, `secrets: "${env}" is not an environment variable name`);
    if (!Secret.isSecret(secret) || Stack.tryOf(secret) !== props.stack) problems.add(at, `secrets.${env}: is not a Secret of ${stack.path}`);
    return { env, secret: `secret:${Secret.isSecret(secret) ? secret.node.path : ''}`, origin: secretOrigin(secret, projectDir) };
  });
  if (props.command !== undefined && (!Array.isArray(props.command) || props.command.length === 0 || props.command.some((a) => typeof a !== 'string'))) problems.add(at, 'command: must be a non-empty list of strings (argv)');
  let timeoutSeconds = DEFAULT_RUN_TIMEOUT_SECONDS;
  if (props.timeout !== undefined) {
    const parsed = parseDuration(props.timeout);
    if (!parsed.ok) problems.add(at, `timeout: ${parsed.reason}`);
    else if (parsed.ms < 1000) problems.add(at, `timeout: "${props.timeout}" is shorter than a second`);
    else timeoutSeconds = Math.ceil(parsed.ms / 1000);
  }
  return {
    ...base, type: 'run', stack: stack.name, host, image: { reference: reference ?? '', resource },
    command: props.command ? [...props.command] : null, environment, secrets, timeoutSeconds,
  };
}

/** Where a Secret's value is read from, as synth records it for the graph. */
function secretOrigin(secret: Secret, projectDir: string): SecretOrigin {
  const p = Secret.isSecret(secret) ? secret._props : {};
  if (p.fromEnv !== undefined) return { kind: 'env', variable: p.fromEnv };
  if (p.fromFile !== undefined) return { kind: 'file', path: projectPath(projectDir, p.fromFile) };
  return { kind: 'command', argv: [...(p.fromCommand ?? [])] };
}

function checkedEnvironment(environment: Record<string, string>, at: string, problems: Problems): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment).sort(([a], [b]) => compareStrings(a, b))) {
    if (!ENV_NAME.test(key)) problems.add(at, `environment: "${key}" is not an environment variable name`);
    if (typeof value !== 'string') problems.add(at, `environment.${key}: must be a string`);
    out[key] = String(value);
  }
  return out;
}

/** The app's secrets read from environment variables: every CI job runs synth, which reads them all. */
function ciSecrets(all: IConstruct[]): CiSecret[] {
  const byEnv = new Map<string, string[]>();
  for (const secret of all.filter(Secret.isSecret)) {
    const variable = secret._props.fromEnv;
    if (variable) byEnv.set(variable, [...(byEnv.get(variable) ?? []), secret.node.path].sort(compareStrings));
  }
  return [...byEnv].sort(([a], [b]) => compareStrings(a, b)).map(([env, secrets]) => ({ env, ciName: env, secrets }));
}

/** Stages in run order (each after the stages it needs); a cycle is a problem naming it. */
function orderStages(stages: StageSpec[], at: string, problems: Problems): StageSpec[] {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const ordered: StageSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (stage: StageSpec, trail: string[]) => {
    if (state.get(stage.name) === 'done') return;
    if (state.get(stage.name) === 'visiting') {
      problems.add(at, `its stages need each other in a cycle: ${[...trail.slice(trail.indexOf(stage.name)), stage.name].join(' -> ')}`);
      return;
    }
    state.set(stage.name, 'visiting');
    for (const need of stage.needs) {
      const other = byName.get(need);
      if (other) visit(other, [...trail, stage.name]);
    }
    state.set(stage.name, 'done');
    ordered.push(stage);
  };
  for (const stage of stages) visit(stage, []);
  return ordered;
}

/** An apply must run after its plan, in every run where it runs. */
function checkApplies(stages: StageSpec[], problems: Problems): void {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const before = (stage: StageSpec, seen = new Set<string>()): Set<string> => {
    for (const need of stage.needs) {
      if (seen.has(need)) continue;
      seen.add(need);
      const other = byName.get(need);
      if (other) before(other, seen);
    }
    return seen;
  };
  for (const stage of stages) {
    for (const [index, step] of stage.steps.entries()) {
      if (step.type !== 'apply') continue;
      const [planStage, planStep] = step.plan.split('/');
      const plan = byName.get(planStage);
      const planIndex = plan?.steps.findIndex((s) => s.name === planStep) ?? -1;
      const runsBefore = planStage === stage.name ? planIndex >= 0 && planIndex < index : before(stage).has(planStage);
      if (!runsBefore) {
        problems.add(step.path, `applies the plan of ${plan?.steps[planIndex]?.path ?? step.plan}, which does not run before it; ${planStage === stage.name ? 'create the plan step first' : `make stage ${stage.name} need stage ${planStage}`}`);
        continue;
      }
      const missing = stage.on.filter((t) => !plan!.on.includes(t));
      if (missing.length) problems.add(step.path, `runs on ${missing.join(', ')}, where the stage ${planStage} that makes its plan does not run; give both the same triggers`);
    }
  }
}

function isRelativeDirectory(value: string): boolean {
  if (value === '.' || value === '') return value === '.';
  const normalized = path.posix.normalize(value);
  return !path.posix.isAbsolute(value) && !value.includes('\\') && normalized !== '..' && !normalized.startsWith('../');
}
