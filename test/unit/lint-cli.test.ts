import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runHoist, REPO_ROOT } from '../helpers/cli';

const WEBAPP = path.join(REPO_ROOT, 'examples', 'webapp');
const env = { SHOP_DB_PASSWORD: 'lint-test' };

describe('hoist lint', () => {
  it('lints every built image of the example once, naming rule, line and fix; warnings exit 0', () => {
    const r = runHoist(['lint', '-C', WEBAPP], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, [
      'shop/postgres (typed build steps): 2 finding(s)',
      '  warning floating-base (line 3): FROM debian:bookworm-slim can change under the same tag; pin its digest (debian:bookworm-slim@sha256:...)',
      '  warning no-dockerignore: db has no .dockerignore: everything in it (.git, node_modules, local secrets) is sent to the build',
      'shop/web (web/Dockerfile): 1 finding(s)',
      '  warning floating-base (line 2): FROM debian:bookworm-slim can change under the same tag; pin its digest (debian:bookworm-slim@sha256:...)',
      '',
    ].join('\n'));
  });

  it('--rule changes severities: an error fails the run, off drops the rule; unknown rules are refused', () => {
    const strict = runHoist(['lint', '-C', WEBAPP, '--rule', 'floating-base=error', '--rule', 'no-dockerignore=off', '--json'], { env });
    assert.equal(strict.status, 1);
    const images = JSON.parse(strict.stdout).images as { image: string; findings: { rule: string; severity: string }[] }[];
    assert.deepEqual(images.map((i) => `${i.image}:${i.findings.map((f) => `${f.rule}=${f.severity}`).join(',')}`), ['image:shop/postgres:floating-base=error', 'image:shop/web:floating-base=error']);
    const unknown = runHoist(['lint', '-C', WEBAPP, '--rule', 'no-such=off'], { env });
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /--rule no-such=off: no rule named no-such; rules: no-user, floating-base/);
  });
});
