import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Host, Inventory, Network, Secret, Stack, Testing, Volume } from '../../lib';
import { validateProps } from '../../lib/synth/validate-props';
import { tempProject } from '../helpers/project';
import { phaseContext } from '../helpers/synth-phases';

describe('validateProps (synth phase 1)', () => {
  it('validateProps collects the stack\'s own members and hosts, and the app\'s shared hosts, by name', () => {
    const app = Testing.app();
    new Host(app, 'shared', { address: '10.0.0.9' });
    const shop = new Stack(app, 'shop');
    new Host(shop, 'web-1', { address: '10.0.0.1', hostName: 'web' });
    const data = new Volume(shop, 'data');
    const other = new Stack(app, 'other');
    new Volume(other, 'elsewhere');
    new Host(other, 'theirs', { address: '10.0.0.2' });

    const ctx = phaseContext(app);
    const validated = validateProps(shop, ctx);
    assert.deepEqual(ctx.problems.list(), []);
    assert.equal(validated.stackName, 'shop');
    assert.deepEqual([...validated.hosts.byName.keys()], ['shared', 'web']);
    assert.deepEqual([...validated.hosts.specs.values()].map((h) => h.address), ['10.0.0.9', '10.0.0.1']);
    assert.deepEqual(validated.volumes, [data]);
    assert.ok(!validated.members.includes(shop), 'the stack is not its own member');
  });

  it('validateProps reports a second host with a taken name and leaves it out', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    new Host(shop, 'a', { address: '10.0.0.1', hostName: 'web' });
    new Host(shop, 'b', { address: '10.0.0.2', hostName: 'web' });
    const ctx = phaseContext(app);
    const validated = validateProps(shop, ctx);
    assert.deepEqual(ctx.problems.list(), ['shop/b: hostName: "web" is also the name of shop/a; host names must be unique']);
    assert.deepEqual([...validated.hosts.specs.values()].map((h) => h.address), ['10.0.0.1']);
  });

  it('validateProps claims volume and network names per kind: a volume and a network may share one, two volumes may not', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    new Volume(shop, 'a', { volumeName: 'data' });
    new Volume(shop, 'b', { volumeName: 'data' });
    new Network(shop, 'n', { networkName: 'data' });
    const ctx = phaseContext(app);
    validateProps(shop, ctx);
    assert.deepEqual(ctx.problems.list(), ['shop/b: volumeName: the volume name "shop-data" is also used by shop/a; give one of them another volumeName']);
  });

  it('validateProps keeps a volume with invalid props in the list but claims no name for it', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    const bad = new Volume(shop, 'a', { volumeName: 'data', driver: 7 as any });
    new Volume(shop, 'b', { volumeName: 'data' });
    const ctx = phaseContext(app);
    const validated = validateProps(shop, ctx);
    assert.equal(ctx.problems.list().length, 1);
    assert.match(ctx.problems.list()[0], /^shop\/a: driver: /);
    assert.ok(validated.volumes.includes(bad));
  });

  it('validateProps gives each valid secret its origin, project-relative for files, and runs no command', () => {
    const dir = tempProject();
    const app = Testing.app({ projectDir: dir });
    const shop = new Stack(app, 'shop');
    const marker = path.join(dir, 'ran');
    const env = Secret.fromEnv(shop, 'token', 'SHOP_TOKEN');
    const file = Secret.fromFile(shop, 'key', path.join(dir, 'secrets', 'key.pem'));
    const command = Secret.fromCommand(shop, 'db', ['touch', marker]);
    const ctx = phaseContext(app);
    const validated = validateProps(shop, ctx);
    assert.deepEqual(ctx.problems.list(), []);
    assert.deepEqual(validated.secrets, [
      { secret: env, origin: { kind: 'env', variable: 'SHOP_TOKEN' } },
      { secret: file, origin: { kind: 'file', path: 'secrets/key.pem' } },
      { secret: command, origin: { kind: 'command', argv: ['touch', marker] } },
    ]);
    assert.equal(fs.existsSync(marker), false, 'reading values is the next phase');
  });

  it('validateProps reports a taken secretName and keeps both secrets', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    Secret.fromEnv(shop, 'a', 'A', { secretName: 'token' });
    Secret.fromEnv(shop, 'b', 'B', { secretName: 'token' });
    const ctx = phaseContext(app);
    const validated = validateProps(shop, ctx);
    assert.deepEqual(ctx.problems.list(), ['shop/b: secretName: "token" is also the name of shop/a']);
    assert.equal(validated.secrets.length, 2);
  });

  it('validateProps reports lint defaults of the wrong scope and passes on the checked ones', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop', { defaults: { lintRules: { 'no-user': 'off', 'no-cpu-limit': 'off' } } });
    const ctx = phaseContext(app);
    const validated = validateProps(shop, ctx);
    assert.deepEqual(ctx.problems.list(), [
      'shop: defaults.lintRules: "no-user" is checked on the image\'s Dockerfile; set it in the image\'s lintRules (the options of Image.fromDockerfile or Image.fromBuildSteps)',
    ]);
    assert.deepEqual(validated.defaults.lintRules, { 'no-cpu-limit': 'off' });
  });

  it('validateProps ignores the defaults of a stack whose props are invalid, reporting only the props', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop', { stackName: 'shop$', defaults: { lintRules: { 'no-user': 'off' } } });
    const ctx = phaseContext(app);
    const validated = validateProps(shop, ctx);
    assert.deepEqual(ctx.problems.list(), ['shop: stackName: "shop$" is not a valid name (letters, digits, "_", "." or "-", starting with a letter or digit)']);
    assert.deepEqual(validated.defaults, { lintRules: {} });
  });

  it('validateProps reports an inventory\'s problems on the inventory', () => {
    const dir = tempProject({ 'hosts.yaml': 'hosts:\n  - name: a\n    address: 10.0.0.1\n  - name: a\n    address: 10.0.0.2\n' });
    const app = Testing.app({ projectDir: dir });
    const shop = new Stack(app, 'shop');
    Inventory.fromFile(shop, 'fleet', path.join(dir, 'hosts.yaml'));
    const ctx = phaseContext(app);
    validateProps(shop, ctx);
    assert.equal(ctx.problems.list().length, 1);
    assert.match(ctx.problems.list()[0], /^shop\/fleet: inventory file .*hosts\.yaml: host "a" is listed twice$/);
  });
});
