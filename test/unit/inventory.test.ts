import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { tempProject } from '../helpers/project';
import { Image, Inventory, Service, Stack, Testing } from '../../lib';


const YAML = `hosts:
  - name: web-1
    address: 10.9.0.1
    roles: [web]
    identityFile: keys/id_ed25519
    knownHostsFile: known_hosts
  - name: db-1
    address: 10.9.0.2
    port: 2222
    user: deploy
    roles: [db]
    engine: podman
    hostKeyFingerprint: SHA256:${'A'.repeat(43)}
`;

describe('Inventory', () => {
  it('Inventory.fromFile loads YAML hosts, resolving paths against the file, selectable by name and role', () => {
    const dir = tempProject({ 'infra/hosts.yaml': YAML });
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, 'shop');
    const inventory = Inventory.fromFile(stack, 'hosts', 'infra/hosts.yaml');
    assert.deepEqual(inventory.hosts.map((h) => h.hostName), ['db-1', 'web-1']);
    assert.deepEqual(inventory.withRole('web').map((h) => h.hostName), ['web-1']);
    new Service(stack, 'db', { image: Image.fromRegistry('busybox'), placement: { hosts: inventory.hostsNamed('db-1') } });
    new Service(stack, 'web', { image: Image.fromRegistry('busybox'), placement: { hosts: inventory.withRole('web') } });
    const hosts = Testing.synth(app).stacks[0].hosts;
    assert.deepEqual(hosts.map((h: any) => [h.name, h.port, h.user, h.engine, h.identity, h.hostKey]), [
      ['db-1', 2222, 'deploy', 'podman', { kind: 'agent', socketEnv: 'SSH_AUTH_SOCK' }, { knownHostsFile: null, fingerprint: `SHA256:${'A'.repeat(43)}` }],
      ['web-1', null, null, 'detect', { kind: 'file', path: 'infra/keys/id_ed25519', passphraseEnv: null }, { knownHostsFile: 'infra/known_hosts', fingerprint: null }],
    ]);
  });

  it('Inventory.fromFile loads JSON too', () => {
    const dir = tempProject({ 'hosts.json': JSON.stringify({ hosts: [{ name: 'a1', address: '10.9.0.1' }] }) });
    const app = Testing.app({ projectDir: dir });
    const inventory = Inventory.fromFile(new Stack(app, 'shop'), 'hosts', 'hosts.json');
    assert.equal(inventory.findHost('a1').hostName, 'a1');
    assert.throws(() => inventory.findHost('zz'), /no host named "zz" \(known: a1\)/);
  });

  it('reports a missing file, bad syntax, duplicates and unknown names selected', () => {
    const dir = tempProject({ 'bad.json': '{ "hosts": [', 'dup.json': JSON.stringify({ hosts: [{ name: 'a1', address: 'x' }, { name: 'a1', address: 'y' }] }) });
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, 'shop');
    Inventory.fromFile(stack, 'missing', 'nope.json');
    Inventory.fromFile(stack, 'bad', 'bad.json');
    Inventory.fromFile(stack, 'dup', 'dup.json').hostsNamed('a2');
    const problems = Testing.validate(app);
    assert.ok(problems.includes('shop/missing: inventory file nope.json does not exist; create it, or run "hoist sandbox up" to get a local one'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('shop/bad: inventory file bad.json is not valid JSON:')));
    assert.ok(problems.includes('shop/dup: inventory file dup.json: host "a1" is listed twice'));
    assert.ok(problems.includes('shop/dup: hostsNamed: no host named "a2" (known: a1)'));
  });

  it('Inventory.fromDefault prefers HOIST_INVENTORY, then the sandbox inventory, then the fallback', () => {
    const dir = tempProject({
      'env.json': JSON.stringify({ hosts: [{ name: 'from-env', address: '10.9.0.1' }] }),
      'fallback.json': JSON.stringify({ hosts: [{ name: 'from-fallback', address: '10.9.0.2' }] }),
    });
    const load = () => Inventory.fromDefault(new Stack(Testing.app({ projectDir: dir }), 's'), 'hosts', { fallbackFile: 'fallback.json' }).hosts.map((h) => h.hostName);
    const saved = process.env.HOIST_INVENTORY;
    try {
      delete process.env.HOIST_INVENTORY;
      assert.deepEqual(load(), ['from-fallback']);
      fs.mkdirSync(path.join(dir, '.hoist', 'sandbox', 'default'), { recursive: true });
      fs.writeFileSync(path.join(dir, '.hoist', 'sandbox', 'default', 'inventory.json'), JSON.stringify({ hosts: [{ name: 'from-sandbox', address: '10.9.0.3' }] }));
      assert.deepEqual(load(), ['from-sandbox']);
      process.env.HOIST_INVENTORY = path.join(dir, 'env.json');
      assert.deepEqual(load(), ['from-env']);
    } finally {
      if (saved === undefined) delete process.env.HOIST_INVENTORY; else process.env.HOIST_INVENTORY = saved;
    }
  });

  it('Inventory.fromDefault without any inventory says how to get one', () => {
    const dir = tempProject({});
    const app = Testing.app({ projectDir: dir });
    const saved = process.env.HOIST_INVENTORY;
    delete process.env.HOIST_INVENTORY;
    try {
      Inventory.fromDefault(new Stack(app, 's'), 'hosts');
    } finally {
      if (saved !== undefined) process.env.HOIST_INVENTORY = saved;
    }
    assert.ok(Testing.validate(app).includes('s/hosts: no inventory found: set HOIST_INVENTORY to an inventory file, or run "hoist sandbox up" for local test hosts (looked for .hoist/sandbox/default/inventory.json)'));
  });
});
