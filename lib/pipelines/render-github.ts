import { Document } from 'yaml';
import { type PipelineSpec, type StageSpec, TRIGGER_ORDER, type TriggerName } from '../graph/pipeline-document';
import { compareStrings } from '../values/compare-strings';
import { ciSecretName } from './ci-secret-name';
import { generatedMarkerLine } from './generated-marker';
import { shellQuote } from './shell-quote';
import { inRepository, planDirectory, stageCommand, stageFacts } from './stage-facts';

/** The GitHub Actions event each trigger is. */
const GITHUB_EVENT: Record<TriggerName, string> = {
  pull_request: 'pull_request',
  push: 'push',
  schedule: 'schedule',
  manual: 'workflow_dispatch',
};


/** A comment body longer than this is refused by GitHub (65,536 characters); keep room for the note. */
const COMMENT_LIMIT = 65_000;

/** Where a pipeline's workflow goes, relative to the repository root. */
export function githubWorkflowPath(pipeline: PipelineSpec): string {
  return `.github/workflows/${pipeline.name}.yml`;
}

/** The name of the artifact holding the plans that `stage` of `pipeline` saved. */
export function githubPlanArtifact(pipeline: PipelineSpec, stage: string): string {
  return `hoist-plan-${pipeline.name}-${stage}`;
}

/**
 * The GitHub Actions workflow of one pipeline (`.github/workflows/<name>.yml`): one job per
 * stage, each running `hoist pipeline run <pipeline> --stage <stage>` after checking out,
 * installing and loading the SSH key into an agent.
 *
 * The same pipeline always gives the same bytes (no dates, keys in a fixed order), so synth
 * rewrites the file only when the program changed. The first line is the generated-file
 * marker. Secrets appear only as `${{ secrets.<name> }}` and only in the steps that read them:
 * `npm ci` runs dependencies' install scripts and should not see them. Approval is a GitHub
 * environment (give it required reviewers); an apply job holds the concurrency group of its
 * stacks so that two applies of a stack never overlap; a plan job uploads its plans for the
 * apply job, adds them to the job summary and, on a pull request, keeps one comment per plan
 * step up to date.
 *
 * @example
 * fs.writeFileSync(githubWorkflowPath(pipeline), renderGithubWorkflow(pipeline));
 */
export function renderGithubWorkflow(pipeline: PipelineSpec): string {
  const workflow = {
    name: pipeline.name,
    on: githubEvents(pipeline),
    permissions: { contents: 'read' },
    jobs: Object.fromEntries(pipeline.stages.map((stage) => [stage.name, githubJob(pipeline, stage)])),
  };
  const document = new Document(workflow);
  document.commentBefore = generatedMarkerLine([pipeline]).slice(1);
  // lineWidth 0: a folded long command would still be valid YAML, but unreadable in review.
  const text = document.toString({ lineWidth: 0 });
  refuseStrayExpressions(pipeline, text);
  return text;
}

/**
 * GitHub evaluates `${{ ... }}` anywhere in a workflow, scripts included; the only ones Hoist
 * means are its secret references. A name or path carrying another would run as an expression.
 */
function refuseStrayExpressions(pipeline: PipelineSpec, text: string): void {
  const stray = text.replace(/\$\{\{ secrets\.[A-Za-z_][A-Za-z0-9_]* \}\}/g, '').includes('${{');
  if (stray) {
    throw new Error(`${pipeline.path}: a name or path in pipeline ${pipeline.name} contains '\${{', which GitHub would evaluate as an expression; rename it`);
  }
}

function githubEvents(pipeline: PipelineSpec): Record<string, unknown> {
  const on: Record<string, unknown> = {};
  for (const type of TRIGGER_ORDER) {
    const triggers = pipeline.triggers.filter((t) => t.type === type);
    if (triggers.length === 0) continue;
    if (type === 'schedule') {
      on.schedule = unique(triggers.flatMap((t) => (t.cron === null ? [] : [t.cron]))).map((cron) => ({ cron }));
    } else if (type === 'manual') {
      on.workflow_dispatch = {};
    } else if (triggers.some((t) => t.branches.length === 0)) {
      // Any branch. A push without a branch filter would also fire on tags, which are not
      // branches; '**' keeps it to branches, as GitLab's $CI_COMMIT_BRANCH rule does.
      on[type] = type === 'push' ? { branches: ['**'] } : {};
    } else {
      on[type] = { branches: unique(triggers.flatMap((t) => t.branches)) };
    }
  }
  return on;
}

function githubJob(pipeline: PipelineSpec, stage: StageSpec): Record<string, unknown> {
  const facts = stageFacts(pipeline, stage);
  const onPullRequest = runsOn(pipeline, stage, 'pull_request');
  const job: Record<string, unknown> = { name: stage.name };
  if (stage.needs.length > 0) job.needs = [...stage.needs];
  const condition = eventCondition(pipeline, stage);
  if (condition !== null) job.if = condition;
  job['runs-on'] = 'ubuntu-latest';
  if (stage.approval !== null) job.environment = stage.approval;
  // Concurrency groups are per repository, so applies of a stack from any workflow queue up.
  if (facts.applyGroup !== null) job.concurrency = { group: facts.applyGroup, 'cancel-in-progress': false };
  // Naming any permission drops the others, so contents: read is repeated.
  if (facts.planSteps.length > 0 && onPullRequest) job.permissions = { contents: 'read', 'pull-requests': 'write' };
  job.defaults = { run: { 'working-directory': pipeline.workingDirectory } };

  const steps: Record<string, unknown>[] = [
    // No token left in .git/config for install scripts to find: Hoist does not push.
    { name: 'Check out', uses: 'actions/checkout@v4', with: { 'persist-credentials': false } },
    {
      name: 'Set up Node.js',
      uses: 'actions/setup-node@v4',
      with: { 'node-version': pipeline.nodeVersion, cache: 'npm', 'cache-dependency-path': inRepository(pipeline, 'package-lock.json') },
    },
    { name: 'Install dependencies', run: 'npm ci' },
    sshAgentStep(pipeline),
    ...facts.planStages.map((from) => ({
      name: `Download the plans of stage ${from}`,
      uses: 'actions/download-artifact@v4',
      with: { name: githubPlanArtifact(pipeline, from), path: planDirectory(pipeline).slice(0, -1) },
    })),
    { name: `Run stage ${stage.name}`, env: secretEnvironment(pipeline), run: stageCommand(pipeline, stage) },
  ];
  if (facts.planSteps.length > 0) {
    steps.push(
      {
        name: 'Upload the plans',
        uses: 'actions/upload-artifact@v4',
        with: { name: githubPlanArtifact(pipeline, stage.name), path: planDirectory(pipeline), 'if-no-files-found': 'error', 'retention-days': 7 },
      },
      { name: 'Plan summary', run: lines(facts.planSteps.map((step) => `cat ${shellQuote(step.markdownFile)} >> "$GITHUB_STEP_SUMMARY"`)) },
    );
    if (onPullRequest) {
      steps.push({
        name: 'Comment the plans on the pull request',
        if: "github.event_name == 'pull_request'",
        uses: 'actions/github-script@v7',
        with: { script: commentScript(pipeline, stage, facts.planSteps.map((step) => ({ step: step.name, file: inRepository(pipeline, step.markdownFile) }))) },
      });
    }
  }
  job.steps = steps;
  return job;
}

/** Whether the stage runs on `type` and the pipeline has such a trigger. */
function runsOn(pipeline: PipelineSpec, stage: StageSpec, type: TriggerName): boolean {
  return stage.on.includes(type) && pipeline.triggers.some((t) => t.type === type);
}

/** The job's `if:` selecting the stage's events; null when it runs on every trigger the pipeline has. */
function eventCondition(pipeline: PipelineSpec, stage: StageSpec): string | null {
  const pipelineTypes = new Set(pipeline.triggers.map((t) => t.type));
  if ([...pipelineTypes].every((type) => stage.on.includes(type))) return null;
  const events = TRIGGER_ORDER.filter((type) => stage.on.includes(type)).map((type) => `github.event_name == '${GITHUB_EVENT[type]}'`);
  // A stage on no trigger never runs; say so rather than leave an empty condition.
  return events.length > 0 ? events.join(' || ') : 'false';
}

/**
 * Loads the key into an agent that outlives the step (SSH_AUTH_SOCK goes to $GITHUB_ENV for
 * the later steps). The key goes from the variable to ssh-add on stdin, never to a file.
 */
function sshAgentStep(pipeline: PipelineSpec): Record<string, unknown> {
  const { access } = pipeline;
  const env: Record<string, string> = { HOIST_SSH_PRIVATE_KEY: secretExpression(pipeline, access.sshKeySecret) };
  const script = [
    'ssh-agent -a "$RUNNER_TEMP/ssh-agent.sock" > /dev/null',
    'echo "SSH_AUTH_SOCK=$RUNNER_TEMP/ssh-agent.sock" >> "$GITHUB_ENV"',
    // tr: a key pasted into the secrets page from Windows has CRs that ssh-add rejects.
    `printf '%s\\n' "$HOIST_SSH_PRIVATE_KEY" | tr -d '\\r' | SSH_AUTH_SOCK="$RUNNER_TEMP/ssh-agent.sock" ssh-add -`,
  ];
  if (access.knownHostsSecret !== null) {
    env.HOIST_SSH_KNOWN_HOSTS = secretExpression(pipeline, access.knownHostsSecret);
    script.push('mkdir -p ~/.ssh', 'chmod 700 ~/.ssh', `printf '%s\\n' "$HOIST_SSH_KNOWN_HOSTS" >> ~/.ssh/known_hosts`);
  }
  return { name: 'SSH agent', env, run: lines(script) };
}

/** The variables the stage's Hoist reads, each from its CI secret, sorted by variable. */
function secretEnvironment(pipeline: PipelineSpec): Record<string, string> {
  const env = new Map<string, string>();
  for (const secret of pipeline.access.secrets) env.set(secret.env, secretExpression(pipeline, secret.ciName));
  env.set('HOIST_FINGERPRINT_KEY', secretExpression(pipeline, pipeline.access.fingerprintKeySecret));
  return Object.fromEntries([...env].sort(([a], [b]) => compareStrings(a, b)));
}

function secretExpression(pipeline: PipelineSpec, name: string): string {
  return `\${{ secrets.${ciSecretName(pipeline, name)} }}`;
}

/**
 * The github-script that keeps one comment per plan step on the pull request: it finds the
 * bot's comment by its hidden marker and edits it, so a new push updates the review text
 * instead of piling up comments.
 */
function commentScript(pipeline: PipelineSpec, stage: StageSpec, plans: { step: string; file: string }[]): string {
  const data = plans.map((plan) => ({ marker: `<!-- hoist-plan:${pipeline.name}/${stage.name}/${plan.step} -->`, file: plan.file }));
  return lines([
    "const fs = require('fs');",
    `const plans = ${JSON.stringify(data, undefined, 2)};`,
    'const { owner, repo } = context.repo;',
    'const issue_number = context.issue.number;',
    'const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });',
    'for (const plan of plans) {',
    "  let body = plan.marker + '\\n' + fs.readFileSync(plan.file, 'utf8');",
    `  if (body.length > ${COMMENT_LIMIT}) {`,
    `    body = body.slice(0, ${COMMENT_LIMIT}) + '\\n\\n(cut short: the whole plan is in the job summary and the plan artifact)';`,
    '  }',
    "  const existing = comments.find((c) => c.user && c.user.login === 'github-actions[bot]' && (c.body || '').startsWith(plan.marker));",
    '  if (existing) {',
    '    await github.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });',
    '  } else {',
    '    await github.rest.issues.createComment({ owner, repo, issue_number, body });',
    '  }',
    '}',
  ]);
}

function lines(script: string[]): string {
  return script.join('\n') + '\n';
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
