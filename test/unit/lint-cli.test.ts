import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runHoist, REPO_ROOT } from '../helpers/cli';

const WEBAPP = path.join(REPO_ROOT, 'examples', 'webapp');
const env = { SHOP_DB_PASSWORD: 'lint-test' };

describe('hoist lint', () => {
  it('lints every built image of the example once and every service once, naming rule, line and fix; warnings exit 0', () => {
    const r = runHoist(['lint', '-C', WEBAPP], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, [
      'shop/postgres (typed build steps): 1 finding(s)',
      '  warning floating-base (line 3): FROM debian:bookworm-slim can change under the same tag; pin its digest (debian:bookworm-slim@sha256:...)',
      'shop/web (web/Dockerfile): 1 finding(s)',
      '  warning floating-base (line 2): FROM debian:bookworm-slim can change under the same tag; pin its digest (debian:bookworm-slim@sha256:...)',
      'shop/app/web (service): 1 finding(s)',
      '  info    no-cpu-limit: shop/app/web has no CPU limit, so it can starve its neighbours; set resources.cpus (or the stack\'s defaults.resources.cpus)',
      'shop/edge/proxy (service): 3 finding(s)',
      '  info    root-user: shop/edge/proxy sets no user and the USER of haproxy:2.6 is not known at synth (many images run as root); set user (e.g. "65534:65534") to be sure',
      '  info    no-cpu-limit: shop/edge/proxy has no CPU limit, so it can starve its neighbours; set resources.cpus (or the stack\'s defaults.resources.cpus)',
      '  warning floating-tag: shop/edge/proxy runs haproxy:2.6, a tag that can move to other content between hosts and applies; pin its digest (haproxy:2.6@sha256:...) in Image.fromRegistry',
      'shop/postgres/db (service): 2 finding(s)',
      '  warning writable-rootfs: shop/postgres/db has a writable root filesystem; set readOnlyRootFilesystem: true (or the stack\'s defaults) and mount a Volume or Mount.tmpfs where the process writes',
      '  info    no-cpu-limit: shop/postgres/db has no CPU limit, so it can starve its neighbours; set resources.cpus (or the stack\'s defaults.resources.cpus)',
      '',
    ].join('\n'));
  });

  it('--rule changes a service rule\'s severity too: hoist lint --rule writable-rootfs=error exits 1 and --json lists services next to images', () => {
    const r = runHoist(['lint', '-C', WEBAPP, '--rule', 'writable-rootfs=error', '--rule', 'no-cpu-limit=off', '--json'], { env });
    assert.equal(r.status, 1);
    const services = JSON.parse(r.stdout).services as { service: string; image: string; findings: { rule: string; severity: string; line: number | null }[] }[];
    assert.deepEqual(services.map((s) => `${s.service} ${s.image}: ${s.findings.map((f) => `${f.rule}=${f.severity}`).join(',')}`), [
      'shop/app/web image:shop/web: ',
      // --rule wins over the proxy's own "off" (the ingress turns writable-rootfs off for it).
      'shop/edge/proxy image:haproxy:2.6: root-user=info,writable-rootfs=error,floating-tag=warning',
      'shop/postgres/db image:shop/postgres: writable-rootfs=error',
    ]);
    const text = runHoist(['lint', '-C', WEBAPP, '--rule', 'writable-rootfs=error'], { env });
    assert.equal(text.status, 1);
    assert.match(text.stdout, /^  error   writable-rootfs: shop\/postgres\/db has a writable root filesystem/m);
    assert.match(text.stderr, /2 error\(s\); fix them or change the rule's severity with --rule/);
  });

  it('--rule changes severities: an error fails the run, off drops the rule; unknown rules are refused', () => {
    const strict = runHoist(['lint', '-C', WEBAPP, '--rule', 'floating-base=error', '--rule', 'no-healthcheck=off', '--json'], { env });
    assert.equal(strict.status, 1);
    const images = JSON.parse(strict.stdout).images as { image: string; findings: { rule: string; severity: string }[] }[];
    assert.deepEqual(images.map((i) => `${i.image}:${i.findings.map((f) => `${f.rule}=${f.severity}`).join(',')}`), ['image:shop/postgres:floating-base=error', 'image:shop/web:floating-base=error']);
    const unknown = runHoist(['lint', '-C', WEBAPP, '--rule', 'no-such=off'], { env });
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /--rule no-such=off: no rule named no-such; rules: no-user, floating-base, .*, no-healthcheck, engine-socket, .*, anonymous-volume/);
  });
});
