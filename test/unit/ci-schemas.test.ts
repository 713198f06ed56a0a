import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { githubWorkflowProblems, gitlabCiProblems } from '../helpers/ci-schemas';

// Each invalid case below is the valid document with one change, so the problem reported can
// only come from that change.

const GITHUB_WORKFLOW = `
name: CI
on:
  pull_request:
  push:
    branches: [main]
  schedule:
    - cron: "17 3 * * 1"
  workflow_dispatch:
permissions:
  contents: read
concurrency:
  group: ci-\${{ github.ref }}
  cancel-in-progress: true
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@v4
      - name: Install
        run: npm ci
      - run: npm test
      - name: Upload report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: test-report
          path: report/
          retention-days: 7
  deploy:
    needs: [test]
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    environment:
      name: production
      url: https://app.example.com
    concurrency:
      group: deploy-production
      cancel-in-progress: false
    permissions:
      contents: read
      deployments: write
    steps:
      - uses: actions/checkout@v4
      - run: ./deploy.sh
        env:
          TARGET: production
`;

const GITLAB_PIPELINE = `
stages: [build, test, deploy]
workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
variables:
  NODE_VERSION: "20"
.setup:
  before_script:
    - npm ci
build:
  stage: build
  image: node:20
  before_script:
    - !reference [.setup, before_script]
  script:
    - npm run build
  artifacts:
    paths: [dist/]
    expire_in: 1 week
test:
  stage: test
  image: node:20
  needs: [build]
  script: npm test
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  artifacts:
    reports:
      junit: report.xml
deploy:
  stage: deploy
  image: alpine:3.20
  needs: [build]
  script: [./deploy.sh]
  environment:
    name: production
    url: https://app.example.com
    deployment_tier: production
  resource_group: production
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      when: manual
rollback:
  stage: deploy
  image: alpine:3.20
  script: [./rollback.sh]
  environment:
    name: production
    deployment_tier: production
  resource_group: production
  when: manual
`;

type Doc = Record<string, any>;

/** The given document with one change, as YAML text again. */
function variant(yamlText: string, change: (doc: Doc) => void, version: '1.1' | '1.2'): string {
  const doc = parse(yamlText, { version, customTags: [{ tag: '!reference', collection: 'seq', default: false }] }) as Doc;
  change(doc);
  return stringify(doc, { version });
}

const github = (change: (doc: Doc) => void) => githubWorkflowProblems(variant(GITHUB_WORKFLOW, change, '1.2'));
const gitlab = (change: (doc: Doc) => void) => gitlabCiProblems(variant(GITLAB_PIPELINE, change, '1.1'));

function assertReports(problems: string[], expected: string): void {
  assert.ok(problems.includes(expected), `expected "${expected}" among:\n${problems.join('\n') || '(no problems)'}`);
}

describe('githubWorkflowProblems', () => {
  it('accepts a realistic workflow', () => {
    assert.deepEqual(githubWorkflowProblems(GITHUB_WORKFLOW), []);
    // The text round-trip the invalid cases use keeps the workflow valid.
    assert.deepEqual(github(() => {}), []);
  });

  it('rejects a job without runs-on', () => {
    assertReports(github((d) => delete d.jobs.test['runs-on']), "/jobs/test: must have required property 'runs-on'");
  });

  it('rejects a misspelt trigger', () => {
    assertReports(github((d) => { d.on = { pull_requests: {} }; }), '/on: must NOT have additional properties (pull_requests)');
  });

  it('rejects a step with both uses and run', () => {
    assertReports(github((d) => { d.jobs.test.steps[0].run = 'echo hi'; }), '/jobs/test/steps/0: must match exactly one schema in oneOf');
  });

  it('rejects a cron string that is not five fields', () => {
    const problems = github((d) => { d.on.schedule[0].cron = '@daily'; });
    assert.ok(problems.some((p) => p.startsWith('/on/schedule/0/cron: must match pattern')), problems.join('\n'));
  });

  it('rejects an unknown permission level and an environment without a name', () => {
    assertReports(
      github((d) => { d.permissions.contents = 'admin'; }),
      '/permissions/contents: must be equal to one of the allowed values ("read", "write", "none")',
    );
    assertReports(github((d) => delete d.jobs.deploy.environment.name), "/jobs/deploy/environment: must have required property 'name'");
  });

  it('rejects an unknown concurrency key', () => {
    assertReports(github((d) => { d.concurrency.queue = 'max'; }), '/concurrency: must NOT have additional properties (queue)');
  });

  it('reports YAML that does not parse', () => {
    const problems = githubWorkflowProblems('on: push\non: pull_request\njobs: {}\n');
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^\(yaml\): Map keys must be unique/);
  });
});

describe('gitlabCiProblems', () => {
  it('accepts a realistic pipeline', () => {
    assert.deepEqual(gitlabCiProblems(GITLAB_PIPELINE), []);
    assert.deepEqual(gitlab(() => {}), []);
  });

  it('rejects a script that is a number', () => {
    assertReports(gitlab((d) => { d.build.script = 5; }), '/build/script: must match exactly one schema in oneOf');
  });

  it('rejects an unknown job keyword', () => {
    assertReports(gitlab((d) => { d.build.scriptz = ['npm run build']; }), '/build: must NOT have additional properties (scriptz)');
  });

  it('rejects an unknown when', () => {
    assertReports(
      gitlab((d) => { d.rollback.when = 'sometimes'; }),
      '/rollback/when: must be equal to one of the allowed values ("on_success", "on_failure", "always", "never", "manual", "delayed")',
    );
    assertReports(
      gitlab((d) => { d.workflow.rules[0].when = 'manual'; }),
      '/workflow/rules/0/when: must be equal to one of the allowed values ("always", "never")',
    );
  });

  it('rejects a misspelt rule key and an unknown report type', () => {
    assertReports(gitlab((d) => { d.test.rules[0] = { iff: d.test.rules[0].if }; }), '/test/rules/0: must NOT have additional properties (iff)');
    assertReports(gitlab((d) => { d.test.artifacts.reports = { junitt: 'report.xml' }; }), '/test/artifacts/reports: must NOT have additional properties (junitt)');
  });

  it('rejects a delayed job without start_in', () => {
    assertReports(gitlab((d) => { d.rollback.when = 'delayed'; }), "/rollback: must have required property 'start_in'");
  });

  it('expands merge keys before validating', () => {
    const problems = gitlabCiProblems('.bad: &bad\n  scriptz: [x]\nbuild:\n  <<: *bad\n  script: [x]\n');
    assert.deepEqual(problems, ['/build: must NOT have additional properties (scriptz)']);
  });
});
