import { DOCKER_PROFILE } from '../../lib/drivers/docker/docker-profile';
import { PODMAN_PROFILE } from '../../lib/drivers/podman/podman-profile';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { podmanHealthTest, shellQuote } from '../../lib/drivers/podman/podman-health-test';
import { FIELD_EQUIVALENCE } from '../../lib/engine/engine-equivalence';

describe('podmanHealthTest', () => {
  it('sends a CMD test whose arguments hold spaces as CMD-SHELL of the same argv, and leaves other tests alone', () => {
    assert.deepEqual(podmanHealthTest(['CMD', 'sh', '-c', 'cat /x; exit 1']), ['CMD-SHELL', `'sh' '-c' 'cat /x; exit 1'`]);
    assert.deepEqual(podmanHealthTest(['CMD', 'wget', '-q', 'http://127.0.0.1:8080/']), ['CMD', 'wget', '-q', 'http://127.0.0.1:8080/']);
    assert.deepEqual(podmanHealthTest(['CMD-SHELL', 'a b']), ['CMD-SHELL', 'a b']);
    assert.deepEqual(podmanHealthTest(['NONE']), ['NONE']);
  });

  it('shellQuote gives back every argument byte for byte through a real /bin/sh', () => {
    const args = ["it's", 'a b', '$(id)', '`id`', '"q"', '\\', '', 'new\nline', "'", "''x''"];
    const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${args.map(shellQuote).join(' ')}`]);
    assert.deepEqual(out.toString('utf8').split('\0').slice(0, -1), args);
  });

  it('a Podman container reading back the CMD-SHELL form is the health check that was asked for; on Docker it is drift', () => {
    const asked = { test: ['CMD', 'sh', '-c', 'cat /x; exit 1'], intervalMs: 1000, timeoutMs: 1000, retries: 1, startPeriodMs: 0 };
    const reported = { ...asked, test: podmanHealthTest(asked.test) };
    const spec = {} as never;
    assert.equal(FIELD_EQUIVALENCE.healthcheck!(asked, reported, { profile: PODMAN_PROFILE, spec }), true);
    assert.equal(FIELD_EQUIVALENCE.healthcheck!(asked, reported, { profile: DOCKER_PROFILE, spec }), false);
    assert.equal(FIELD_EQUIVALENCE.healthcheck!(asked, { ...reported, retries: 3 }, { profile: PODMAN_PROFILE, spec }), false);
  });
});
