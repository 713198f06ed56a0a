import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseUpOptions } from '../../lib/sandbox/sandbox-options';
import { bridgeName, engineOf, hostAddress, rolesOf, vethName } from '../../lib/sandbox/sandbox-names';

describe('parseUpOptions', () => {
  it('defaults to 3 Docker hosts named "default" with the three base images', () => {
    const saved = process.env.HOIST_SANDBOX;
    delete process.env.HOIST_SANDBOX;
    try {
      assert.deepEqual(parseUpOptions({ projectDir: '/p' }), { name: 'default', hosts: 3, engine: 'docker', registry: false, images: ['busybox', 'debian', 'haproxy'], projectDir: '/p' });
    } finally {
      if (saved !== undefined) process.env.HOIST_SANDBOX = saved;
    }
  });

  it('lists every problem at once', () => {
    assert.throws(() => parseUpOptions({ projectDir: '/p', hosts: '0', engine: 'lxc', name: '-x', images: 'alpine' }), (error: Error) => {
      assert.deepEqual(error.message.split('\n'), [
        '--name "-x": must be 1-20 lower-case letters, digits or "-", starting with a letter or digit',
        '--hosts 0: must be a whole number from 1 to 20',
        '--engine lxc: must be docker, podman or mixed (hosts alternate, Docker first)',
        '--images alpine: unknown image alpine (choose from busybox, debian, haproxy)',
      ]);
      return true;
    });
  });

  it('rejects hostile names', () => {
    for (const name of ['a/b', 'x;reboot', '$(id)', 'UPPER', 'a'.repeat(21), '']) {
      assert.throws(() => parseUpOptions({ projectDir: '/p', name }), /--name/);
    }
  });
});

describe('sandbox names', () => {
  it('keeps interface names within the kernel\'s 15 characters', () => {
    assert.ok(bridgeName(99).length <= 15);
    assert.ok(vethName(99, 20).length <= 15);
  });

  it('alternates engines Docker first in mixed mode and gives host-1 the db role', () => {
    assert.deepEqual([1, 2, 3, 4].map((i) => engineOf('mixed', i)), ['docker', 'podman', 'docker', 'podman']);
    assert.deepEqual([1, 2].map(rolesOf), [['db', 'web'], ['web']]);
    assert.equal(hostAddress(7, 3), '10.213.7.13');
  });
});
