import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret, Stack, Testing } from '../../lib';
import { fingerprintKeyOf, fingerprintSecret } from '../../lib/secrets/secret-fingerprint';
import { readSecrets } from '../../lib/synth/read-secrets';
import { validateProps } from '../../lib/synth/validate-props';
import { phaseContext } from '../helpers/synth-phases';

describe('readSecrets (synth phase 2)', () => {
  it('readSecrets fingerprints each value under the key, bound to the stack and secret name, and keeps the origin', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    const token = Secret.fromCommand(shop, 'token', ['printf', 's3cret\\n'], { secretName: 'api-token' });
    const ctx = phaseContext(app);
    const known = readSecrets(validateProps(shop, ctx), ctx);
    assert.deepEqual(ctx.problems.list(), []);
    assert.deepEqual(known.get(token), {
      // The command's one trailing newline is dropped, like the shell's $(...).
      fingerprint: fingerprintSecret(fingerprintKeyOf('phase-test-key'), 'shop', 'api-token', Buffer.from('s3cret')),
      origin: { kind: 'command', argv: ['printf', 's3cret\\n'] },
    });
  });

  it('readSecrets reports a secret it cannot read on the secret, without the command\'s output, and leaves it out', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    const failing = Secret.fromCommand(shop, 'db', ['sh', '-c', 'echo hunter2; exit 3']);
    const ok = Secret.fromEnv(shop, 'path', 'PATH');
    const ctx = phaseContext(app);
    const known = readSecrets(validateProps(shop, ctx), ctx);
    assert.deepEqual(ctx.problems.list(), ['shop/db: missing secret: command "sh" exited with code 3 (its output is not shown, since it may hold the secret)']);
    assert.equal(known.has(failing), false);
    assert.equal(known.has(ok), true);
  });

  it('readSecrets loads the fingerprint key only when a value was read', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    Secret.fromEnv(shop, 'unset', 'HOIST_TEST_SURELY_UNSET_VARIABLE');
    const ctx = { ...phaseContext(app), fingerprintKey: () => { throw new Error('the key was loaded'); } };
    const known = readSecrets(validateProps(shop, ctx), ctx);
    assert.equal(known.size, 0);
    assert.deepEqual(ctx.problems.list(), ['shop/unset: missing secret: environment variable HOIST_TEST_SURELY_UNSET_VARIABLE is not set; export it before running hoist']);
  });
});
