import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Host, Stack, Testing } from 'hoist';
import { StaticSite } from '../lib';

/**
 * Compares with a snapshot file next to this test, written on the first run (or when
 * UPDATE_SNAPSHOTS=1): review the file, commit it, and every later change shows as a diff.
 */
function matchSnapshot(name: string, actual: string): void {
  const file = path.join(__dirname, '__snapshots__', name);
  if (!fs.existsSync(file) || process.env.UPDATE_SNAPSHOTS === '1') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `${name} differs from its snapshot; run with UPDATE_SNAPSHOTS=1 if the change is intended`);
}

describe('StaticSite', () => {
  it('runs one hardened replica per host with a health check, and matches its snapshot', () => {
    const app = Testing.app();
    const stack = new Stack(app, 'site');
    const hosts = [new Host(stack, 'web-1', { address: '10.0.0.1' }), new Host(stack, 'web-2', { address: '10.0.0.2' })];
    new StaticSite(stack, 'hello', { hosts, message: 'hello' });
    const graph = Testing.synth(app);
    const containers = graph.stacks[0].resources.filter((r: any) => r.kind === 'container');
    assert.deepEqual(containers.map((c: any) => c.host), ['web-1', 'web-2']);
    assert.equal(containers[0].spec.readOnlyRootFilesystem, true);
    assert.ok(containers[0].spec.healthcheck);
    matchSnapshot('static-site.graph.json', JSON.stringify(graph, null, 2) + '\n');
  });

  it('reports bad input with the construct path', () => {
    const app = Testing.app();
    const stack = new Stack(app, 'site');
    new StaticSite(stack, 'hello', { hosts: [new Host(stack, 'web-1', { address: '10.0.0.1' })], message: 'hello', port: 70000 });
    assert.ok(Testing.validate(app).some((p: string) => p.startsWith('site/hello/site:')));
  });
});
