import { DOCKER_PROFILE } from '../../lib/drivers/docker/docker-profile';
import { PODMAN_PROFILE } from '../../lib/drivers/podman/podman-profile';
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIELD_EQUIVALENCE } from '../../lib/engine/engine-equivalence';
import type { ContainerSpec } from '../../lib/graph/graph-document';

const spec = {} as ContainerSpec;

describe('what each engine can report back', () => {
  const logging = FIELD_EQUIVALENCE.logging!;
  const asked = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } };

  it('Podman: a file log driver reads back without its options (or as the default), and still counts as asked', () => {
    assert.equal(logging(asked, null, { profile: PODMAN_PROFILE, spec }), true);
    assert.equal(logging(asked, { driver: 'json-file', options: {} }, { profile: PODMAN_PROFILE, spec }), true);
    assert.equal(logging(asked, { driver: 'journald', options: {} }, { profile: PODMAN_PROFILE, spec }), false, 'another driver is a real difference');
  });

  it('Docker: options must read back exactly', () => {
    assert.equal(logging(asked, { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } }, { profile: DOCKER_PROFILE, spec }), true);
    assert.equal(logging(asked, null, { profile: DOCKER_PROFILE, spec }), false);
  });

  it('Podman finds a name without a registry as localhost/<name>', () => {
    const image = FIELD_EQUIVALENCE.image!;
    const want = { resource: 'image:shop/web', reference: 'hoist/shop/web:0123456789abcdef' };
    assert.equal(image(want, { resource: '', reference: 'localhost/hoist/shop/web:0123456789abcdef' }, { profile: PODMAN_PROFILE, spec }), true);
    assert.equal(image(want, { resource: '', reference: 'localhost/hoist/shop/web:0123456789abcdef' }, { profile: DOCKER_PROFILE, spec }), false);
  });
});
