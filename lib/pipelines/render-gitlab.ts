import { Document } from 'yaml';
import { type PipelineSpec, type StageSpec, TRIGGER_ORDER, type TriggerName, type TriggerSpec } from '../graph/pipeline-document';
import { compareStrings } from '../values/compare-strings';
import { ciSecretName } from './ci-secret-name';
import { generatedMarkerLine } from './generated-marker';
import { shellQuote } from './shell-quote';
import { planDirectory, stageCommand, stageFacts } from './stage-facts';

/** Where GitLab reads its configuration, relative to the repository root. */
export const GITLAB_CI_PATH = '.gitlab-ci.yml';

/** `$CI_PIPELINE_SOURCE` of each trigger. */
const GITLAB_SOURCE: Record<TriggerName, string> = {
  pull_request: 'merge_request_event',
  push: 'push',
  schedule: 'schedule',
  manual: 'web',
};


/** The GitLab job of a stage, also its stage's name in `stages:`. */
export function gitlabJobName(pipeline: PipelineSpec, stage: string): string {
  return `${pipeline.name}-${stage}`;
}

/**
 * The one `.gitlab-ci.yml` of every pipeline given (GitLab reads a single file): a hidden job
 * `.hoist-<pipeline>` that installs and loads the SSH key into an agent, and one job
 * `<pipeline>-<stage>` per stage extending it and running `hoist pipeline run`.
 *
 * Deterministic like {@link renderGithubWorkflow}; the first line is the generated-file marker.
 * Secrets are the project's CI/CD variables, which GitLab puts in every job's environment; the
 * file names them only. An approval stage is a manual, blocking job in a GitLab environment
 * (protect it to say who may run it); an apply job holds the resource group of its stacks. A
 * stage without needs gets `needs: []` so that, as on GitHub, it starts at once instead of
 * waiting for every earlier stage, another pipeline's included. GitLab takes schedules from its
 * settings, not from the file: a comment under the marker lists the ones to create.
 */
export function renderGitlabCi(pipelines: PipelineSpec[]): string {
  if (pipelines.length === 0) throw new Error('renderGitlabCi: no pipeline lists gitlab in ci; there is nothing to write to .gitlab-ci.yml');
  const config: Record<string, unknown> = {
    workflow: { rules: workflowRules(pipelines) },
    stages: pipelines.flatMap((p) => p.stages.map((s) => gitlabJobName(p, s.name))),
  };
  for (const pipeline of pipelines) {
    config[hiddenJobName(pipeline)] = hiddenJob(pipeline);
    for (const stage of pipeline.stages) config[gitlabJobName(pipeline, stage.name)] = stageJob(pipeline, stage);
  }
  // GitLab's parser reads YAML 1.1, where a bare yes, on or 20:30 is not a string: writing
  // 1.1 quotes them (no %YAML line is written).
  const document = new Document(config, { version: '1.1' });
  document.commentBefore = [generatedMarkerLine(pipelines).slice(1), ...scheduleComment(pipelines)].join('\n');
  return document.toString({ lineWidth: 0 });
}

function scheduleComment(pipelines: PipelineSpec[]): string[] {
  const schedules = pipelines.flatMap((p) => p.triggers.filter((t) => t.type === 'schedule' && t.cron !== null).map((t) => ` pipeline ${p.name}: ${t.cron}`));
  if (schedules.length === 0) return [];
  return [
    '',
    ' GitLab takes no schedule from this file. Create each one under Build > Pipeline schedules,',
    ' with the cron below, cron timezone UTC, on the default branch:',
    ...schedules.map((line) => `  -${line}`),
  ];
}

/**
 * Admits only the sources some pipeline is triggered by. A push to a branch with an open merge
 * request is left to the merge request pipeline, so the same commit does not run twice.
 */
function workflowRules(pipelines: PipelineSpec[]): Record<string, string>[] {
  const used = new Set(pipelines.flatMap((p) => p.triggers.map((t) => t.type)));
  const rules: Record<string, string>[] = [];
  for (const type of TRIGGER_ORDER) {
    if (!used.has(type)) continue;
    if (type === 'push' && used.has('pull_request')) {
      rules.push({ if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS', when: 'never' });
    }
    rules.push({ if: `$CI_PIPELINE_SOURCE == "${GITLAB_SOURCE[type]}"` });
  }
  return rules;
}

function hiddenJobName(pipeline: PipelineSpec): string {
  return `.hoist-${pipeline.name}`;
}

function hiddenJob(pipeline: PipelineSpec): Record<string, unknown> {
  const { access } = pipeline;
  const key = ciSecretName(pipeline, access.sshKeySecret);
  const job: Record<string, unknown> = { image: `node:${pipeline.nodeVersion}` };
  const variables = renamedVariables(pipeline);
  if (Object.keys(variables).length > 0) job.variables = variables;
  const script: string[] = [];
  // before_script and script run in one shell, so the cd holds for the stage's command too.
  if (pipeline.workingDirectory !== '.') script.push(`cd ${shellQuote(pipeline.workingDirectory)}`);
  // Dependencies' install scripts run here; they need no secret, so they see none.
  script.push(['env', ...secretVariables(pipeline, variables).flatMap((name) => ['-u', name]), 'npm', 'ci'].join(' '));
  script.push('eval "$(ssh-agent -s)"', `printf '%s\\n' "$${key}" | tr -d '\\r' | ssh-add -`);
  if (access.knownHostsSecret !== null) {
    script.push('mkdir -p ~/.ssh', 'chmod 700 ~/.ssh', `printf '%s\\n' "$${ciSecretName(pipeline, access.knownHostsSecret)}" >> ~/.ssh/known_hosts`);
  }
  job.before_script = script;
  return job;
}

/**
 * The variables Hoist reads whose CI/CD variable has another name, each set from it. GitLab
 * gives every CI/CD variable to the job under its own name, so only a differing name needs one.
 */
function renamedVariables(pipeline: PipelineSpec): Record<string, string> {
  const { access } = pipeline;
  const renamed = new Map<string, string>();
  for (const secret of access.secrets) {
    if (secret.ciName !== secret.env) renamed.set(secret.env, `$${ciSecretName(pipeline, secret.ciName)}`);
  }
  if (access.fingerprintKeySecret !== 'HOIST_FINGERPRINT_KEY') renamed.set('HOIST_FINGERPRINT_KEY', `$${ciSecretName(pipeline, access.fingerprintKeySecret)}`);
  return Object.fromEntries([...renamed].sort(([a], [b]) => compareStrings(a, b)));
}

/** Every variable holding a secret, under every name it has in the job, sorted. */
function secretVariables(pipeline: PipelineSpec, renamed: Record<string, string>): string[] {
  const { access } = pipeline;
  const names = [
    access.sshKeySecret,
    ...(access.knownHostsSecret === null ? [] : [access.knownHostsSecret]),
    access.fingerprintKeySecret,
    ...access.secrets.map((s) => s.ciName),
    ...Object.keys(renamed),
  ].map((name) => ciSecretName(pipeline, name));
  return [...new Set(names)].sort(compareStrings);
}

function stageJob(pipeline: PipelineSpec, stage: StageSpec): Record<string, unknown> {
  const facts = stageFacts(pipeline, stage);
  // An apply reads the plans of its plan stage even when that stage is only an indirect need:
  // GitLab passes artifacts along `needs` edges alone.
  const needs = [...stage.needs, ...facts.planStages.filter((from) => !stage.needs.includes(from))];
  const manual = stage.approval !== null;
  const job: Record<string, unknown> = {
    extends: hiddenJobName(pipeline),
    stage: gitlabJobName(pipeline, stage.name),
    needs: needs.map((name) => ({ job: gitlabJobName(pipeline, name), artifacts: true })),
    rules: stageRules(pipeline, stage).map((condition) => (manual ? { if: condition, when: 'manual' } : { if: condition })),
  };
  if (manual) {
    // A manual job may be skipped unless told otherwise; false makes later stages wait for it.
    job.allow_failure = false;
    job.environment = { name: stage.approval };
  }
  if (facts.applyGroup !== null) job.resource_group = facts.applyGroup;
  job.script = [stageCommand(pipeline, stage)];
  if (facts.planSteps.length > 0) {
    job.artifacts = {
      // With expose_as GitLab takes no glob, and links a directory only when it ends in '/'
      // and does not start with './': planDirectory's form.
      paths: [planDirectory(pipeline)],
      expire_in: '1 week',
      expose_as: exposeAs(`hoist plan ${pipeline.name} ${stage.name}`),
    };
  }
  return job;
}

/** One `if:` per trigger the stage runs on, in trigger order, without repeats. */
function stageRules(pipeline: PipelineSpec, stage: StageSpec): string[] {
  const conditions: string[] = [];
  for (const type of TRIGGER_ORDER) {
    if (!stage.on.includes(type)) continue;
    for (const trigger of pipeline.triggers.filter((t) => t.type === type)) {
      const condition = triggerCondition(trigger);
      if (!conditions.includes(condition)) conditions.push(condition);
    }
  }
  return conditions;
}

function triggerCondition(trigger: TriggerSpec): string {
  const source = `$CI_PIPELINE_SOURCE == "${GITLAB_SOURCE[trigger.type]}"`;
  switch (trigger.type) {
    case 'pull_request':
      return trigger.branches.length === 0 ? source : `${source} && $CI_MERGE_REQUEST_TARGET_BRANCH_NAME =~ ${branchPattern(trigger.branches)}`;
    case 'push':
      // $CI_COMMIT_BRANCH is unset for tags: a push trigger is about branches.
      return trigger.branches.length === 0 ? `${source} && $CI_COMMIT_BRANCH` : `${source} && $CI_COMMIT_BRANCH =~ ${branchPattern(trigger.branches)}`;
    case 'schedule':
    case 'manual':
      return source;
  }
}

/** A regular expression literal matching exactly these branch names. */
function branchPattern(branches: string[]): string {
  const escaped = [...new Set(branches)].map((b) => b.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'));
  return `/^(${escaped.join('|')})$/`;
}

/** GitLab allows letters, digits, '_', '-' and spaces, starting with a letter, digit or '_', at most 100. */
function exposeAs(label: string): string {
  return label.replace(/[^\w -]/g, '-').slice(0, 100);
}
