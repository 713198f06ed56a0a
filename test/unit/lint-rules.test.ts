import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { LINT_RULES } from '../../lib/graph/lint-rule-catalog';
import { lintDockerfile } from '../../lib/lint/dockerfile-rules';

/** A Dockerfile that passes every rule. */
const CLEAN = [
  'FROM node:20.11-slim@sha256:' + 'a'.repeat(64) + ' AS build',
  'WORKDIR /app',
  'COPY package.json package-lock.json ./',
  'RUN npm ci',
  'COPY . .',
  'FROM gcr.io/distroless/nodejs20-debian12@sha256:' + 'b'.repeat(64),
  'COPY --from=build /app /app',
  'USER 65532',
  'HEALTHCHECK CMD ["/nodejs/bin/node", "/app/health.js"]',
  '',
].join('\n');

function contextWithIgnore(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-lint-'));
  fs.writeFileSync(path.join(dir, '.dockerignore'), '.git\nnode_modules\n');
  return dir;
}

const rules = (dockerfile: string, contextDir: string | null = contextWithIgnore(), serviceHasHealthCheck = false) =>
  lintDockerfile({ dockerfile, contextDir, serviceHasHealthCheck }).map((f) => f.rule);

describe('Dockerfile lint rules', () => {
  it('a careful Dockerfile passes every rule', () => {
    assert.deepEqual(lintDockerfile({ dockerfile: CLEAN, contextDir: contextWithIgnore(), serviceHasHealthCheck: false }), []);
  });

  const cases: { rule: string; trips: string; passes: string; context?: 'none' }[] = [
    { rule: 'no-user', trips: CLEAN.replace('USER 65532\n', ''), passes: CLEAN },
    { rule: 'no-user', trips: CLEAN.replace('USER 65532', 'USER root'), passes: CLEAN.replace('USER 65532', 'USER app:app') },
    { rule: 'floating-base', trips: CLEAN.replace(/gcr\.io\/distroless\/nodejs20-debian12@sha256:b+/, 'gcr.io/distroless/nodejs20-debian12:latest'), passes: CLEAN },
    { rule: 'floating-base', trips: CLEAN.replace(/@sha256:a+ AS build/, ' AS build'), passes: CLEAN },
    { rule: 'secret-in-build', trips: CLEAN.replace('WORKDIR /app', 'ARG NPM_TOKEN\nWORKDIR /app'), passes: CLEAN.replace('WORKDIR /app', 'ARG NODE_ENV=production\nWORKDIR /app') },
    { rule: 'secret-in-build', trips: CLEAN.replace('USER 65532', 'ENV DB_PASSWORD=hunter2 \\\n    MODE=prod\nUSER 65532'), passes: CLEAN.replace('USER 65532', 'ENV MODE=prod\nUSER 65532') },
    { rule: 'copy-before-install', trips: CLEAN.replace('COPY package.json package-lock.json ./', 'COPY . .'), passes: CLEAN },
    { rule: 'full-base', trips: CLEAN.replace('node:20.11-slim', 'node:20.11'), passes: CLEAN },
    { rule: 'no-dockerignore', trips: CLEAN, passes: CLEAN, context: 'none' },
    { rule: 'no-healthcheck', trips: CLEAN.replace(/HEALTHCHECK.*\n/, ''), passes: CLEAN },
  ];
  for (const c of cases) {
    it(`${c.rule}: trips on its pitfall and not on the fix`, () => {
      if (c.context === 'none') {
        assert.deepEqual(rules(c.trips, fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-lint-'))), [c.rule]);
        assert.deepEqual(rules(c.passes), []);
        return;
      }
      assert.deepEqual(rules(c.trips), [c.rule]);
      assert.deepEqual(rules(c.passes), []);
    });
  }

  it('findings carry the line and a message saying what to do; severities can be changed or turned off', () => {
    const dockerfile = 'FROM python:3.12\nRUN pip install flask\n';
    const findings = lintDockerfile({ dockerfile, contextDir: null, serviceHasHealthCheck: true });
    assert.deepEqual(findings.map((f) => `${f.rule}:${f.severity}:${f.line}`), ['floating-base:warning:1', 'full-base:info:1', 'no-user:warning:null']);
    assert.match(findings[0].message, /pin its digest \(python:3\.12@sha256:\.\.\.\)/);
    const tuned = lintDockerfile({ dockerfile, contextDir: null, serviceHasHealthCheck: true }, { 'full-base': 'off', 'no-user': 'error' });
    assert.deepEqual(tuned.map((f) => `${f.rule}:${f.severity}`), ['floating-base:warning', 'no-user:error']);
  });

  it('lintDockerfile reads USER and HEALTHCHECK from the target stage and the stages of the file it builds on', () => {
    const dockerfile = 'FROM debian:12-slim@sha256:' + 'c'.repeat(64) + ' AS base\nUSER 10001\nHEALTHCHECK CMD ["true"]\nFROM base AS runtime\nCMD ["app"]\nFROM debian:12-slim@sha256:' + 'c'.repeat(64) + ' AS debug\n';
    const rulesFor = (target: string | null, servicesSetUser = false) => lintDockerfile({ dockerfile, contextDir: contextWithIgnore(), serviceHasHealthCheck: false, target, servicesSetUser }).map((f) => f.rule);
    assert.deepEqual(rulesFor('runtime'), [], 'runtime inherits base\'s USER and HEALTHCHECK');
    assert.deepEqual(rulesFor(null), ['no-user', 'no-healthcheck'], 'without a target the last stage is built');
    assert.deepEqual(rulesFor(null, true), ['no-healthcheck'], 'every service sets its own non-root user: no-user does not apply');
  });

  it('every rule has a default severity and a summary', () => {
    assert.deepEqual(Object.keys(LINT_RULES).sort(), ['copy-before-install', 'floating-base', 'full-base', 'no-dockerignore', 'no-healthcheck', 'no-user', 'secret-in-build']);
  });
});
