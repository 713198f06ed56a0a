import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Host, Image, Secret, Service, Stack, Testing } from '../../lib';
import { readSecretValue } from '../../lib/secrets/read-secret-value';
import { fingerprintKeyOf, fingerprintSecret, loadFingerprintKey } from '../../lib/secrets/secret-fingerprint';
import { runHoist, REPO_ROOT } from '../helpers/cli';

const CANARY = 'CANARY-7f3a$(touch /tmp/pwned)`id`"\'\nline2';

function appWithSecret(create: (stack: Stack) => Secret, projectDir?: string) {
  const app = Testing.app({ projectDir });
  const stack = new Stack(app, 'vault');
  new Host(stack, 'h1', { address: '10.9.0.1' });
  const secret = create(stack);
  new Service(stack, 'app', { image: Image.fromRegistry('busybox'), secrets: [secret, secret.asEnv('TOKEN')] });
  return app;
}

function fingerprintOf(graph: any): string {
  return graph.stacks[0].resources.find((r: any) => r.kind === 'secret').spec.fingerprint;
}

describe('secrets', () => {
  it('Secret.fromEnv: the value never enters the graph, its fingerprint does', () => {
    process.env.HOIST_TEST_CANARY = CANARY;
    const graph = Testing.synth(appWithSecret((s) => Secret.fromEnv(s, 'token', 'HOIST_TEST_CANARY')));
    const text = JSON.stringify(graph);
    assert.ok(!text.includes('CANARY-7f3a'));
    assert.match(fingerprintOf(graph), /^hmac-sha256:[0-9a-f]{8}:[0-9a-f]{64}$/);
    const container = graph.stacks[0].resources.find((r: any) => r.kind === 'container');
    assert.deepEqual(container.spec.secrets.map((s: any) => [s.target, s.env]), [[null, 'TOKEN'], ['/run/secrets/token', null]]);
  });

  it('the fingerprint changes when the value changes, and only then', () => {
    process.env.HOIST_TEST_CANARY = 'one';
    const first = fingerprintOf(Testing.synth(appWithSecret((s) => Secret.fromEnv(s, 'token', 'HOIST_TEST_CANARY'))));
    const again = fingerprintOf(Testing.synth(appWithSecret((s) => Secret.fromEnv(s, 'token', 'HOIST_TEST_CANARY'))));
    process.env.HOIST_TEST_CANARY = 'two';
    const changed = fingerprintOf(Testing.synth(appWithSecret((s) => Secret.fromEnv(s, 'token', 'HOIST_TEST_CANARY'))));
    assert.equal(first, again);
    assert.notEqual(first, changed);
  });

  it('fingerprints are keyed: another key gives another fingerprint with another key id', () => {
    const value = Buffer.from('hunter2');
    const a = fingerprintSecret(fingerprintKeyOf('key-a'), 'vault', 'token', value);
    const b = fingerprintSecret(fingerprintKeyOf('key-b'), 'vault', 'token', value);
    assert.notEqual(a.split(':')[1], b.split(':')[1]);
    assert.notEqual(a.split(':')[2], b.split(':')[2]);
  });

  it('Secret.fromFile reads the bytes exactly; Secret.fromCommand drops one trailing newline', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-secret-'));
    fs.writeFileSync(path.join(dir, 'pw'), 'exact\n');
    const file = readSecretValue({ kind: 'file', path: 'pw' }, dir);
    assert.deepEqual(file, { ok: true, value: Buffer.from('exact\n') });
    const command = readSecretValue({ kind: 'command', argv: ['printf', 'from-command\n'] }, dir);
    assert.deepEqual(command, { ok: true, value: Buffer.from('from-command') });
  });

  it('a failing secret command is reported without its output, which may hold the secret', () => {
    const app = appWithSecret((s) => Secret.fromCommand(s, 'token', ['sh', '-c', `echo ${JSON.stringify('CANARY-7f3a')}; echo CANARY-7f3a >&2; exit 3`]));
    const problems = Testing.validate(app);
    assert.deepEqual(problems, ['vault/token: missing secret: command "sh" exited with code 3 (its output is not shown, since it may hold the secret)']);
  });

  it('a missing secret file is reported with its path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-secret-'));
    const problems = Testing.validate(appWithSecret((s) => Secret.fromFile(s, 'token', 'nope.txt'), dir));
    assert.deepEqual(problems, ['vault/token: missing secret: secret file nope.txt does not exist']);
  });

  it('the fingerprint key is created once per project with mode 0600 and then reused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-key-'));
    const saved = process.env.HOIST_FINGERPRINT_KEY;
    delete process.env.HOIST_FINGERPRINT_KEY;
    try {
      const first = loadFingerprintKey(dir);
      const second = loadFingerprintKey(dir);
      assert.equal(first.id, second.id);
      assert.equal(fs.statSync(path.join(dir, '.hoist', 'fingerprint.key')).mode & 0o777, 0o600);
    } finally {
      if (saved !== undefined) process.env.HOIST_FINGERPRINT_KEY = saved;
    }
  });

  it('the canary appears nowhere in hoist synth output or files', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-canary-'));
    const r = runHoist(['synth', '-C', path.join(REPO_ROOT, 'examples', 'webapp'), '-o', out], {
      env: { SHOP_DB_PASSWORD: CANARY, HOIST_FINGERPRINT_KEY: 'k', HOIST_INVENTORY: undefined },
    });
    assert.equal(r.status, 0, r.stderr);
    for (const text of [r.stdout, r.stderr, ...fs.readdirSync(out).map((f) => fs.readFileSync(path.join(out, f), 'utf8'))]) {
      assert.ok(!text.includes('CANARY-7f3a'));
    }
  });
});
