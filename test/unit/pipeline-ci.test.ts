import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { PipelineSpec, PipelinesDocument, StageSpec } from '../../lib/graph/pipeline-document';
import { ciFiles, repositoryRoot } from '../../lib/pipelines/ci-files';
import { GENERATED_MARKER } from '../../lib/pipelines/generated-marker';
import { renderGithubWorkflow } from '../../lib/pipelines/render-github';
import { renderGitlabCi } from '../../lib/pipelines/render-gitlab';
import { writeCiFiles } from '../../lib/pipelines/write-ci-files';
import { githubWorkflowProblems, gitlabCiProblems } from '../helpers/ci-schemas';
import { matchSnapshot } from '../helpers/snapshot';

// GIVEN a pipeline like the one the docs describe: checks on every pull request and push to
// main, a plan for review, an approved apply of that plan on push, and a nightly drift check.
const delivery: PipelineSpec = {
  name: 'delivery',
  path: 'App/Delivery',
  triggers: [
    { type: 'pull_request', branches: ['main'], cron: null },
    { type: 'push', branches: ['main'], cron: null },
    { type: 'schedule', branches: [], cron: '0 3 * * *' },
    { type: 'manual', branches: [], cron: null },
  ],
  ci: ['github', 'gitlab'],
  nodeVersion: '20',
  workingDirectory: '.',
  artifactDirectory: 'hoist.out/pipeline/delivery',
  access: {
    sshKeySecret: 'HOIST_SSH_PRIVATE_KEY',
    knownHostsSecret: 'HOIST_SSH_KNOWN_HOSTS',
    fingerprintKeySecret: 'HOIST_FINGERPRINT_KEY',
    secrets: [
      { env: 'DATABASE_PASSWORD', ciName: 'DATABASE_PASSWORD', secrets: ['App/Shop/DatabasePassword'] },
      { env: 'STRIPE_API_KEY', ciName: 'STRIPE_API_KEY', secrets: ['App/Shop/StripeKey'] },
    ],
  },
  stages: [
    {
      name: 'ci',
      path: 'App/Delivery/ci',
      needs: [],
      on: ['pull_request', 'push'],
      approval: null,
      steps: [
        { type: 'build', name: 'build', path: 'App/Delivery/ci/build', stack: 'shop' },
        {
          type: 'run',
          name: 'unit-tests',
          path: 'App/Delivery/ci/unit-tests',
          stack: 'shop',
          host: 'builder',
          image: { reference: 'shop-web', resource: 'image:shop-web' },
          command: ['npm', 'test'],
          environment: { CI: 'true' },
          secrets: [],
          timeoutSeconds: 600,
        },
        { type: 'lint', name: 'lint', path: 'App/Delivery/ci/lint', stack: 'shop' },
      ],
    },
    {
      name: 'review',
      path: 'App/Delivery/review',
      needs: ['ci'],
      on: ['pull_request', 'push'],
      approval: null,
      steps: [
        {
          type: 'plan',
          name: 'plan',
          path: 'App/Delivery/review/plan',
          stack: 'shop',
          planFile: 'hoist.out/pipeline/delivery/review-plan.plan.json',
          markdownFile: 'hoist.out/pipeline/delivery/review-plan.plan.md',
        },
      ],
    },
    {
      name: 'deploy',
      path: 'App/Delivery/deploy',
      needs: ['review'],
      on: ['push'],
      approval: 'production',
      steps: [
        {
          type: 'apply',
          name: 'apply',
          path: 'App/Delivery/deploy/apply',
          stack: 'shop',
          plan: 'review/plan',
          planFile: 'hoist.out/pipeline/delivery/review-plan.plan.json',
          approval: 'production',
        },
      ],
    },
    {
      name: 'drift',
      path: 'App/Delivery/drift',
      needs: [],
      on: ['schedule'],
      approval: null,
      steps: [{ type: 'drift', name: 'drift', path: 'App/Delivery/drift/drift', stack: 'shop' }],
    },
  ],
};

const document: PipelinesDocument = { formatVersion: '1.0', pipelines: [delivery] };

/** A pipeline with only push to any branch, one stage that plans and applies two stacks, in infra/. */
const sameStage: PipelineSpec = {
  ...delivery,
  name: 'infra',
  path: 'App/Infra',
  triggers: [{ type: 'push', branches: [], cron: null }],
  workingDirectory: 'infra',
  artifactDirectory: 'out/pipeline/infra',
  access: { sshKeySecret: 'DEPLOY_KEY', knownHostsSecret: null, fingerprintKeySecret: 'FP_KEY', secrets: [{ env: 'TOKEN', ciName: 'CI_TOKEN', secrets: ['App/Infra/Token'] }] },
  stages: [
    {
      name: 'ship',
      path: 'App/Infra/ship',
      needs: [],
      on: ['push'],
      approval: null,
      steps: [
        { type: 'plan', name: 'plan-web', path: 'App/Infra/ship/plan-web', stack: 'web', planFile: 'out/pipeline/infra/ship-plan-web.plan.json', markdownFile: 'out/pipeline/infra/ship-plan-web.plan.md' },
        { type: 'plan', name: 'plan-db', path: 'App/Infra/ship/plan-db', stack: 'db', planFile: 'out/pipeline/infra/ship-plan-db.plan.json', markdownFile: 'out/pipeline/infra/ship-plan-db.plan.md' },
        { type: 'apply', name: 'apply-web', path: 'App/Infra/ship/apply-web', stack: 'web', plan: 'ship/plan-web', planFile: 'out/pipeline/infra/ship-plan-web.plan.json', approval: null },
        { type: 'apply', name: 'apply-db', path: 'App/Infra/ship/apply-db', stack: 'db', plan: 'ship/plan-db', planFile: 'out/pipeline/infra/ship-plan-db.plan.json', approval: null },
      ],
    },
  ],
};

function withPipeline(changes: Partial<PipelineSpec>): PipelineSpec {
  return { ...delivery, ...changes };
}

function stage(pipeline: PipelineSpec, name: string): StageSpec {
  const found = pipeline.stages.find((s) => s.name === name);
  assert.ok(found, `no stage ${name}`);
  return found;
}

type Json = Record<string, any>;

const github = (pipeline: PipelineSpec = delivery): Json => parse(renderGithubWorkflow(pipeline)) as Json;
const gitlab = (pipelines: PipelineSpec[] = [delivery]): Json => parse(renderGitlabCi(pipelines), { version: '1.1' }) as Json;

/** Every step of a GitHub job, by name. */
function stepNamed(job: Json, name: string): Json {
  const found = (job.steps as Json[]).find((s) => s.name === name);
  assert.ok(found, `no step ${name} in ${(job.steps as Json[]).map((s) => s.name).join(', ')}`);
  return found;
}

/** A GitLab rule's regular expression literal `/.../` as a JavaScript RegExp (RE2 and JS agree on these). */
function ruleRegex(condition: string): RegExp {
  const literal = /=~ \/(.*)\/$/.exec(condition);
  assert.ok(literal, `no regex in ${condition}`);
  return new RegExp(literal[1]);
}

describe('renderGithubWorkflow and renderGitlabCi', () => {
  it('renderGithubWorkflow of the delivery pipeline matches the reviewed snapshot', () => {
    matchSnapshot('pipeline-delivery.github.yml', renderGithubWorkflow(delivery));
  });

  it('renderGitlabCi of the delivery pipeline matches the reviewed snapshot', () => {
    matchSnapshot('pipeline-delivery.gitlab-ci.yml', renderGitlabCi([delivery]));
  });

  it('renderGithubWorkflow output passes the GitHub workflow schema, for every shape of pipeline here', () => {
    assert.deepEqual(githubWorkflowProblems(renderGithubWorkflow(delivery)), []);
    assert.deepEqual(githubWorkflowProblems(renderGithubWorkflow(sameStage)), []);
    // The check itself can fail: a job without runs-on is not a workflow.
    const broken = renderGithubWorkflow(delivery).replace('    runs-on: ubuntu-latest\n', '');
    assert.notDeepEqual(githubWorkflowProblems(broken), []);
  });

  it('renderGitlabCi output passes the GitLab CI schema, for one pipeline and for several', () => {
    assert.deepEqual(gitlabCiProblems(renderGitlabCi([delivery])), []);
    assert.deepEqual(gitlabCiProblems(renderGitlabCi([delivery, sameStage])), []);
    const broken = renderGitlabCi([delivery]).replace('      when: manual\n', '      when: by-hand\n');
    assert.notDeepEqual(gitlabCiProblems(broken), []);
  });

  it('renders the same bytes every time, and from an equal copy of the document', () => {
    const copy = JSON.parse(JSON.stringify(document)) as PipelinesDocument;
    assert.equal(renderGithubWorkflow(delivery), renderGithubWorkflow(copy.pipelines[0]));
    assert.equal(renderGitlabCi([delivery]), renderGitlabCi(copy.pipelines));
    assert.deepEqual(ciFiles(document), ciFiles(copy));
  });

  it('starts each file with the one marker line, naming the pipelines it comes from', () => {
    for (const text of [renderGithubWorkflow(delivery), renderGitlabCi([delivery, sameStage])]) {
      const markers = text.split('\n').filter((line) => line.startsWith(GENERATED_MARKER));
      assert.equal(markers.length, 1);
      assert.ok(text.startsWith(markers[0] + '\n'));
    }
    assert.equal(
      renderGithubWorkflow(delivery).split('\n')[0],
      '# Generated by hoist synth from App/Delivery (pipeline delivery). Edit the program, not this file: hoist synth writes it again.',
    );
    assert.match(renderGitlabCi([delivery, sameStage]).split('\n')[0], /from App\/Delivery \(pipeline delivery\), App\/Infra \(pipeline infra\)\. /);
  });

  it('renderGithubWorkflow references secrets only by the names in access, and only in the steps that need them', () => {
    const text = renderGithubWorkflow(delivery);
    const allowed = ['HOIST_SSH_PRIVATE_KEY', 'HOIST_SSH_KNOWN_HOSTS', 'HOIST_FINGERPRINT_KEY', 'DATABASE_PASSWORD', 'STRIPE_API_KEY'];
    const expressions = [...text.matchAll(/\$\{\{(.*?)\}\}/g)].map((m) => m[1].trim());
    assert.ok(expressions.length > 0);
    for (const expression of expressions) {
      const name = /^secrets\.([A-Z_]+)$/.exec(expression)?.[1];
      assert.ok(name !== undefined && allowed.includes(name), `unexpected expression \${{ ${expression} }}`);
    }
    assert.deepEqual([...new Set(expressions)].sort(), allowed.map((n) => `secrets.${n}`).sort());
    // Every secret reference is an expression: none is spelled out any other way.
    assert.equal(text.split('secrets.').length - 1, expressions.length);
    const deploy = github().jobs.deploy as Json;
    const withSecrets = (deploy.steps as Json[]).filter((s) => JSON.stringify(s).includes('secrets.')).map((s) => s.name);
    assert.deepEqual(withSecrets, ['SSH agent', 'Run stage deploy']);
    assert.equal(deploy.env, undefined);
    assert.deepEqual(stepNamed(deploy, 'Run stage deploy').env, {
      DATABASE_PASSWORD: '${{ secrets.DATABASE_PASSWORD }}',
      HOIST_FINGERPRINT_KEY: '${{ secrets.HOIST_FINGERPRINT_KEY }}',
      STRIPE_API_KEY: '${{ secrets.STRIPE_API_KEY }}',
    });
  });

  it('renderGitlabCi names secrets only as variables, maps renamed ones, and hides them from npm ci', () => {
    const config = gitlab([sameStage]);
    const hidden = config['.hoist-infra'] as Json;
    assert.deepEqual(hidden.variables, { HOIST_FINGERPRINT_KEY: '$FP_KEY', TOKEN: '$CI_TOKEN' });
    assert.deepEqual(hidden.before_script, [
      'cd infra',
      'env -u CI_TOKEN -u DEPLOY_KEY -u FP_KEY -u HOIST_FINGERPRINT_KEY -u TOKEN npm ci',
      'eval "$(ssh-agent -s)"',
      `printf '%s\\n' "$DEPLOY_KEY" | tr -d '\\r' | ssh-add -`,
    ]);
    assert.equal(gitlab()['.hoist-delivery'].variables, undefined);
  });

  it('renderGithubWorkflow parses back to the triggers, conditions, environment, concurrency and permissions of the stages', () => {
    const workflow = github();
    assert.deepEqual(workflow.on, {
      pull_request: { branches: ['main'] },
      push: { branches: ['main'] },
      schedule: [{ cron: '0 3 * * *' }],
      workflow_dispatch: {},
    });
    assert.deepEqual(workflow.permissions, { contents: 'read' });
    assert.deepEqual(Object.keys(workflow.jobs), ['ci', 'review', 'deploy', 'drift']);
    const { ci, review, deploy, drift } = workflow.jobs as Record<string, Json>;
    assert.equal(ci.if, "github.event_name == 'pull_request' || github.event_name == 'push'");
    assert.equal(review.if, ci.if);
    assert.equal(deploy.if, "github.event_name == 'push'");
    assert.equal(drift.if, "github.event_name == 'schedule'");
    assert.deepEqual(review.needs, ['ci']);
    assert.deepEqual(deploy.needs, ['review']);
    assert.equal(deploy.environment, 'production');
    assert.deepEqual(deploy.concurrency, { group: 'hoist-apply-shop', 'cancel-in-progress': false });
    for (const job of [ci, review, drift]) {
      assert.equal(job.environment, undefined);
      assert.equal(job.concurrency, undefined);
    }
    assert.deepEqual(review.permissions, { contents: 'read', 'pull-requests': 'write' });
    assert.equal(deploy.permissions, undefined);
    assert.deepEqual(Object.keys(deploy), ['name', 'needs', 'if', 'runs-on', 'environment', 'concurrency', 'defaults', 'steps']);
    assert.deepEqual(deploy.defaults, { run: { 'working-directory': '.' } });
  });

  it('renderGithubWorkflow hands the review plan to the deploy job through an artifact, and comments it on pull requests', () => {
    const { review, deploy, drift } = github().jobs as Record<string, Json>;
    assert.deepEqual(stepNamed(review, 'Upload the plans').with, {
      name: 'hoist-plan-delivery-review',
      path: 'hoist.out/pipeline/delivery/',
      'if-no-files-found': 'error',
      'retention-days': 7,
    });
    assert.deepEqual(stepNamed(deploy, 'Download the plans of stage review').with, { name: 'hoist-plan-delivery-review', path: 'hoist.out/pipeline/delivery' });
    const names = (deploy.steps as Json[]).map((s) => s.name);
    assert.ok(names.indexOf('Download the plans of stage review') < names.indexOf('Run stage deploy'));
    assert.equal(stepNamed(deploy, 'Run stage deploy').run, 'npx hoist pipeline run delivery --stage deploy --yes');
    assert.equal(stepNamed(review, 'Plan summary').run, 'cat hoist.out/pipeline/delivery/review-plan.plan.md >> "$GITHUB_STEP_SUMMARY"\n');
    const comment = stepNamed(review, 'Comment the plans on the pull request');
    assert.equal(comment.if, "github.event_name == 'pull_request'");
    assert.equal(comment.uses, 'actions/github-script@v7');
    assert.match(comment.with.script, /"marker": "<!-- hoist-plan:delivery\/review\/plan -->"/);
    assert.match(comment.with.script, /github\.paginate\(github\.rest\.issues\.listComments/);
    assert.match(comment.with.script, /updateComment[\s\S]*createComment/);
    for (const job of [deploy, drift]) {
      assert.ok(!(job.steps as Json[]).some((s) => s.name === 'Upload the plans' || s.name === 'Comment the plans on the pull request'));
    }
    assert.ok(!(drift.steps as Json[]).some((s) => String(s.uses).startsWith('actions/download-artifact')));
  });

  it('renderGithubWorkflow loads the SSH key into an agent from the variable, never from a file', () => {
    const agent = stepNamed(github().jobs.ci as Json, 'SSH agent');
    assert.deepEqual(agent.env, { HOIST_SSH_PRIVATE_KEY: '${{ secrets.HOIST_SSH_PRIVATE_KEY }}', HOIST_SSH_KNOWN_HOSTS: '${{ secrets.HOIST_SSH_KNOWN_HOSTS }}' });
    const script = agent.run as string;
    assert.ok(script.startsWith('ssh-agent -a "$RUNNER_TEMP/ssh-agent.sock"'));
    assert.match(script, /"SSH_AUTH_SOCK=\$RUNNER_TEMP\/ssh-agent\.sock" >> "\$GITHUB_ENV"/);
    assert.match(script, /"\$HOIST_SSH_PRIVATE_KEY" \|.*ssh-add -$/m);
    assert.match(script, /"\$HOIST_SSH_KNOWN_HOSTS" >> ~\/\.ssh\/known_hosts/);
    assert.doesNotMatch(script, /HOIST_SSH_PRIVATE_KEY"? *>/);
    const noKnownHosts = stepNamed(github(sameStage).jobs.ship as Json, 'SSH agent');
    assert.deepEqual(Object.keys(noKnownHosts.env), ['HOIST_SSH_PRIVATE_KEY']);
    assert.doesNotMatch(noKnownHosts.run as string, /known_hosts/);
  });

  it('renderGithubWorkflow of a push-only pipeline in infra/: no job condition, a lock over both stacks, no download, no pull request comment', () => {
    const workflow = github(sameStage);
    // A push on any branch, tags excluded.
    assert.deepEqual(workflow.on, { push: { branches: ['**'] } });
    const ship = workflow.jobs.ship as Json;
    assert.equal(ship.if, undefined);
    assert.deepEqual(ship.concurrency, { group: 'hoist-apply-db-web', 'cancel-in-progress': false });
    assert.equal(ship.permissions, undefined);
    assert.deepEqual(ship.defaults, { run: { 'working-directory': 'infra' } });
    const uses = (ship.steps as Json[]).map((s) => s.uses).filter(Boolean);
    assert.deepEqual(uses, ['actions/checkout@v4', 'actions/setup-node@v4', 'actions/upload-artifact@v4']);
    assert.equal(stepNamed(ship, 'Set up Node.js').with['cache-dependency-path'], 'infra/package-lock.json');
    assert.equal(stepNamed(ship, 'Upload the plans').with.path, 'infra/out/pipeline/infra/');
    assert.equal(stepNamed(ship, 'Plan summary').run, [
      'cat out/pipeline/infra/ship-plan-web.plan.md >> "$GITHUB_STEP_SUMMARY"',
      'cat out/pipeline/infra/ship-plan-db.plan.md >> "$GITHUB_STEP_SUMMARY"',
      '',
    ].join('\n'));
    assert.deepEqual(stepNamed(ship, 'Run stage ship').env, { HOIST_FINGERPRINT_KEY: '${{ secrets.FP_KEY }}', TOKEN: '${{ secrets.CI_TOKEN }}' });
  });

  it('renderGithubWorkflow keeps cron strings and expressions strings whatever characters they hold', () => {
    const pipeline = withPipeline({ triggers: [{ type: 'schedule', branches: [], cron: '*/15 * * * *' }, { type: 'schedule', branches: [], cron: '0 3 * * 1-5' }] });
    const workflow = github(pipeline);
    assert.deepEqual(workflow.on, { schedule: [{ cron: '*/15 * * * *' }, { cron: '0 3 * * 1-5' }] });
    assert.deepEqual(githubWorkflowProblems(renderGithubWorkflow(pipeline)), []);
  });

  it('renderGithubWorkflow refuses a name that would smuggle in a GitHub expression, and a secret name CI cannot have', () => {
    const sneaky = withPipeline({
      stages: [{ ...stage(delivery, 'review'), steps: [{ ...(stage(delivery, 'review').steps[0] as any), markdownFile: 'plan-${{ github.token }}.md' }] }],
    });
    assert.throws(() => renderGithubWorkflow(sneaky), /App\/Delivery: a name or path in pipeline delivery contains '\$\{\{'/);
    const badName = withPipeline({ access: { ...delivery.access, fingerprintKeySecret: 'fp-key }} ${{ github.token' } });
    assert.throws(() => renderGithubWorkflow(badName), /App\/Delivery: CI secret name .* is not a valid GitHub secret or GitLab variable name/);
    assert.throws(() => renderGitlabCi([badName]), /is not a valid GitHub secret or GitLab variable name/);
  });

  it('renderGitlabCi parses back to the workflow rules, stages, needs, rules, approval, resource group and artifacts', () => {
    const config = gitlab();
    assert.deepEqual(config.workflow.rules, [
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
      { if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS', when: 'never' },
      { if: '$CI_PIPELINE_SOURCE == "push"' },
      { if: '$CI_PIPELINE_SOURCE == "schedule"' },
      { if: '$CI_PIPELINE_SOURCE == "web"' },
    ]);
    assert.deepEqual(config.stages, ['delivery-ci', 'delivery-review', 'delivery-deploy', 'delivery-drift']);
    const ci = config['delivery-ci'] as Json;
    const review = config['delivery-review'] as Json;
    const deploy = config['delivery-deploy'] as Json;
    const drift = config['delivery-drift'] as Json;
    assert.equal(ci.extends, '.hoist-delivery');
    assert.equal(config['.hoist-delivery'].image, 'node:20');
    assert.deepEqual(ci.needs, []);
    assert.deepEqual(deploy.needs, [{ job: 'delivery-review', artifacts: true }]);
    assert.deepEqual(ci.rules, [
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event" && $CI_MERGE_REQUEST_TARGET_BRANCH_NAME =~ /^(main)$/' },
      { if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH =~ /^(main)$/' },
    ]);
    assert.deepEqual(deploy.rules, [{ if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH =~ /^(main)$/', when: 'manual' }]);
    assert.equal(deploy.allow_failure, false);
    assert.deepEqual(deploy.environment, { name: 'production' });
    assert.equal(deploy.resource_group, 'hoist-apply-shop');
    assert.deepEqual(drift.rules, [{ if: '$CI_PIPELINE_SOURCE == "schedule"' }]);
    for (const job of [ci, review, drift]) {
      assert.equal(job.environment, undefined);
      assert.equal(job.resource_group, undefined);
      assert.equal(job.allow_failure, undefined);
    }
    assert.deepEqual(deploy.script, ['npx hoist pipeline run delivery --stage deploy --yes']);
    assert.deepEqual(review.artifacts, { paths: ['hoist.out/pipeline/delivery/'], expire_in: '1 week', expose_as: 'hoist plan delivery review' });
    assert.equal(deploy.artifacts, undefined);
    // What GitLab itself checks (its schema does not): expose_as letters, digits, '_', '-' and
    // spaces; a directory path ending in '/', without './' or a glob.
    assert.match(review.artifacts.expose_as, /^\w[-\w ]*$/);
    for (const p of review.artifacts.paths as string[]) assert.match(p, /^(?!\.\/)[^*]*\/$/);
  });

  it('renderGitlabCi lists each schedule in a comment, since GitLab takes schedules from its settings', () => {
    const text = renderGitlabCi([delivery]);
    const header = text.slice(0, text.indexOf('\nworkflow:'));
    assert.match(header, /^# .*Build > Pipeline schedules/m);
    assert.match(header, /^#.*pipeline delivery: 0 3 \* \* \*$/m);
    assert.doesNotMatch(renderGitlabCi([sameStage]), /Pipeline schedules/);
  });

  it('renderGitlabCi matches exactly the branches named, metacharacters included', () => {
    const pipeline = withPipeline({
      triggers: [
        { type: 'pull_request', branches: ['release/1.0', 'main'], cron: null },
        { type: 'push', branches: ['hot+fix'], cron: null },
      ],
    });
    const config = gitlab([pipeline]);
    const [mergeRequest, push] = (config['delivery-ci'].rules as Json[]).map((r) => r.if as string);
    assert.equal(mergeRequest, '$CI_PIPELINE_SOURCE == "merge_request_event" && $CI_MERGE_REQUEST_TARGET_BRANCH_NAME =~ /^(release\\/1\\.0|main)$/');
    const target = ruleRegex(mergeRequest);
    assert.ok(target.test('release/1.0') && target.test('main'));
    assert.ok(!target.test('release/1x0') && !target.test('main2') && !target.test('xmain'));
    const pushed = ruleRegex(push);
    assert.ok(pushed.test('hot+fix') && !pushed.test('hotfix') && !pushed.test('hottfix'));
    assert.deepEqual(gitlabCiProblems(renderGitlabCi([pipeline])), []);
  });

  it('renderGitlabCi of a push-only pipeline admits only pushes, on any branch but not tags, and needs no merge request rule', () => {
    const config = gitlab([sameStage]);
    assert.deepEqual(config.workflow.rules, [{ if: '$CI_PIPELINE_SOURCE == "push"' }]);
    assert.deepEqual(config['infra-ship'].rules, [{ if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH' }]);
    assert.equal(config['infra-ship'].resource_group, 'hoist-apply-db-web');
    assert.deepEqual(config['infra-ship'].artifacts.paths, ['infra/out/pipeline/infra/']);
  });

  it('renderGitlabCi adds the plan stage to needs when an apply stage reaches it only indirectly', () => {
    const gate: StageSpec = { name: 'gate', path: 'App/Delivery/gate', needs: ['review'], on: ['push'], approval: null, steps: [] };
    const pipeline = withPipeline({
      stages: [stage(delivery, 'ci'), stage(delivery, 'review'), gate, { ...stage(delivery, 'deploy'), needs: ['gate'] }],
    });
    assert.deepEqual(gitlab([pipeline])['delivery-deploy'].needs, [
      { job: 'delivery-gate', artifacts: true },
      { job: 'delivery-review', artifacts: true },
    ]);
    // GitHub downloads by artifact name from the run, whatever the needs.
    assert.deepEqual(github(pipeline).jobs.deploy.needs, ['gate']);
  });

  it('renderGitlabCi quotes values YAML 1.1 would read as booleans or numbers', () => {
    const pipeline = withPipeline({ stages: [{ ...stage(delivery, 'deploy'), needs: [], approval: 'yes' }], nodeVersion: '20' });
    const text = renderGitlabCi([pipeline]);
    assert.deepEqual(gitlab([pipeline])['delivery-deploy'].environment, { name: 'yes' });
    assert.deepEqual(gitlabCiProblems(text), []);
  });

  it('renderGitlabCi refuses an empty list: there is no valid empty .gitlab-ci.yml', () => {
    assert.throws(() => renderGitlabCi([]), /no pipeline lists gitlab/);
  });
});

describe('ciFiles and repositoryRoot', () => {
  it('ciFiles gives a workflow per GitHub pipeline and one .gitlab-ci.yml for every GitLab pipeline, sorted by path', () => {
    const githubOnly = { ...sameStage, ci: ['github' as const] };
    const gitlabOnly = { ...delivery, name: 'nightly', path: 'App/Nightly', ci: ['gitlab' as const] };
    const files = ciFiles({ formatVersion: '1.0', pipelines: [delivery, githubOnly, gitlabOnly] });
    assert.deepEqual(files.map((f) => f.path), ['.github/workflows/delivery.yml', '.github/workflows/infra.yml', '.gitlab-ci.yml']);
    assert.equal(files[0].content, renderGithubWorkflow(delivery));
    assert.equal(files[2].content, renderGitlabCi([delivery, gitlabOnly]));
    assert.deepEqual(ciFiles({ formatVersion: '1.0', pipelines: [] }), []);
  });

  it('repositoryRoot takes the working directory off the end of the project directory, and refuses one that is not there', () => {
    assert.equal(repositoryRoot('/src/shop', '.'), path.resolve('/src/shop'));
    assert.equal(repositoryRoot('/src/shop/deploy/infra', 'deploy/infra'), path.resolve('/src/shop'));
    assert.throws(() => repositoryRoot('/src/shop/ops', 'deploy'), /workingDirectory "deploy" is not the end of the project's path/);
    assert.throws(() => repositoryRoot('/src/shop', '../shop'), /is not the end of the project's path/);
  });
});

describe('writeCiFiles', () => {
  function scratch(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-ci-files-'));
  }
  const nightly: PipelineSpec = { ...delivery, name: 'nightly', path: 'App/Nightly', ci: ['github'] };
  const both: PipelinesDocument = { formatVersion: '1.0', pipelines: [delivery, nightly] };

  it('writeCiFiles writes every file, then leaves unchanged ones untouched', () => {
    const root = scratch();
    assert.deepEqual(writeCiFiles(root, both), {
      written: ['.github/workflows/delivery.yml', '.github/workflows/nightly.yml', '.gitlab-ci.yml'],
      unchanged: [],
      removed: [],
    });
    assert.equal(fs.readFileSync(path.join(root, '.github/workflows/delivery.yml'), 'utf8'), renderGithubWorkflow(delivery));
    assert.equal(fs.readFileSync(path.join(root, '.gitlab-ci.yml'), 'utf8'), renderGitlabCi([delivery]));
    assert.equal(fs.statSync(path.join(root, '.gitlab-ci.yml')).mode & 0o777, 0o644);
    const past = new Date('2020-01-01T00:00:00Z');
    for (const f of ['.github/workflows/delivery.yml', '.github/workflows/nightly.yml', '.gitlab-ci.yml']) fs.utimesSync(path.join(root, f), past, past);
    assert.deepEqual(writeCiFiles(root, both), {
      written: [],
      unchanged: ['.github/workflows/delivery.yml', '.github/workflows/nightly.yml', '.gitlab-ci.yml'],
      removed: [],
    });
    assert.equal(fs.statSync(path.join(root, '.github/workflows/delivery.yml')).mtimeMs, past.getTime());
  });

  it('writeCiFiles rewrites a changed file and removes the marked files the document no longer produces, and no other', () => {
    const root = scratch();
    writeCiFiles(root, both);
    const own = path.join(root, '.github/workflows/lint.yml');
    fs.writeFileSync(own, 'name: lint\non: push\njobs: {}\n');
    // Mentioning the marker later in a file does not make it Hoist's.
    const quoting = path.join(root, '.github/workflows/docs.yaml');
    fs.writeFileSync(quoting, `name: docs\n${GENERATED_MARKER}\n`);
    const renamed = { ...delivery, nodeVersion: '22', ci: ['github' as const] };
    const result = writeCiFiles(root, { formatVersion: '1.0', pipelines: [renamed] });
    assert.deepEqual(result, { written: ['.github/workflows/delivery.yml'], unchanged: [], removed: ['.github/workflows/nightly.yml', '.gitlab-ci.yml'] });
    assert.deepEqual(fs.readdirSync(path.join(root, '.github/workflows')).sort(), ['delivery.yml', 'docs.yaml', 'lint.yml']);
    assert.ok(!fs.existsSync(path.join(root, '.gitlab-ci.yml')));
    assert.equal(fs.readFileSync(own, 'utf8'), 'name: lint\non: push\njobs: {}\n');
    assert.match(fs.readFileSync(path.join(root, '.github/workflows/delivery.yml'), 'utf8'), /node-version: "22"/);
  });

  it('writeCiFiles refuses to overwrite a workflow or .gitlab-ci.yml it did not write, and writes nothing', () => {
    const root = scratch();
    fs.mkdirSync(path.join(root, '.github/workflows'), { recursive: true });
    const workflow = path.join(root, '.github/workflows/delivery.yml');
    const gitlabFile = path.join(root, '.gitlab-ci.yml');
    const mine = 'name: delivery\non: push\njobs: {}\n';
    fs.writeFileSync(workflow, mine);
    fs.writeFileSync(gitlabFile, 'test:\n  script: [make test]\n');
    assert.throws(() => writeCiFiles(root, both), (error: Error) => {
      assert.match(error.message, new RegExp(`${workflow.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not written by hoist synth .*rename or delete it, or rename the pipeline, then run hoist synth again`));
      assert.match(error.message, /\.gitlab-ci\.yml: not written by hoist synth .*take 'gitlab' out of the pipelines' ci, then run hoist synth again/);
      return true;
    });
    assert.equal(fs.readFileSync(workflow, 'utf8'), mine);
    assert.equal(fs.readFileSync(gitlabFile, 'utf8'), 'test:\n  script: [make test]\n');
    assert.ok(!fs.existsSync(path.join(root, '.github/workflows/nightly.yml')));
  });
});
