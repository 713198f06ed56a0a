import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { canonicalJsonPretty } from '../../lib/graph/canonical-json';
import { FileRefusedError } from '../../lib/graph/file-refused-error';
import { readGraphFile } from '../../lib/graph/read-graph-file';
import { specHash } from '../../lib/graph/spec-hash';
import { EXAMPLES, exampleGraphText, scratchDir } from '../helpers/saved-plan';

// What synth would never write, and what a shell would act on.
const HOSTILE_NAMES = ['shop-web;reboot', 'shop-$(reboot)', 'shop-web\nreboot', '-shop-web'];

/** The webapp example's graph, changed by `edit`, written to a file; returns the file. */
function editedGraph(edit: (graph: any) => void, text = exampleGraphText('webapp')): string {
  const graph = JSON.parse(text);
  edit(graph);
  const file = path.join(scratchDir(), 'graph.json');
  fs.writeFileSync(file, canonicalJsonPretty(graph));
  return file;
}

/** The resource of the webapp graph with `id`, for editing. */
function resource(graph: any, id: string): any {
  return graph.stacks[0].resources.find((r: { id: string }) => r.id === id);
}

/** Re-hashes a resource's spec as synth would, so only the rule under test can refuse the edit. */
function rehash(r: any): void {
  r.hash = specHash(r.spec);
}

function refusal(file: string): FileRefusedError {
  try {
    readGraphFile(file);
  } catch (error) {
    assert.ok(error instanceof FileRefusedError, `expected a FileRefusedError, got ${(error as Error).stack}`);
    assert.ok(error.message.includes(file), 'the message names the file');
    return error;
  }
  assert.fail(`readGraphFile accepted ${file}`);
}

describe('readGraphFile', () => {
  for (const name of EXAMPLES) {
    it(`readGraphFile accepts the ${name} example's graph as hoist synth wrote it, unchanged`, () => {
      const file = path.join(scratchDir(), 'graph.json');
      fs.writeFileSync(file, exampleGraphText(name));
      assert.deepEqual(readGraphFile(file), JSON.parse(exampleGraphText(name)));
    });
  }

  it('readGraphFile refuses a graph cut short anywhere before its closing brace', () => {
    const text = exampleGraphText('webapp');
    for (const length of [0, 1, Math.floor(text.length / 2), text.length - 3, text.length - 2]) {
      const file = path.join(scratchDir(), 'graph.json');
      fs.writeFileSync(file, text.slice(0, length));
      const error = refusal(file);
      assert.match(error.message, /: it (is empty \(cut short, or not written by hoist\)|is not complete JSON .*it was cut short or damaged); run hoist synth again/, `cut at ${length}`);
    }
  });

  it('readGraphFile accepts a whole graph written without a final newline, as JSON.stringify(Testing.synth(app)) writes it', () => {
    const file = path.join(scratchDir(), 'graph.json');
    fs.writeFileSync(file, JSON.stringify(JSON.parse(exampleGraphText('webapp'))));
    assert.equal(readGraphFile(file).stacks[0].name, 'shop');
  });

  it('readGraphFile refuses a hand-edited spec value, naming the resource and its JSON path', () => {
    const file = editedGraph((g) => { resource(g, 'container:shop/app/web#1@web-1').spec.env = { DEBUG: '1' }; });
    const error = refusal(file);
    assert.match(error.message, /edited by hand or damaged \(1 problem\)/);
    assert.match(error.message, /^ {2}stacks\[0\]\.resources\[\d+\]\.hash: the spec of container:shop\/app\/web#1@web-1 does not match its recorded hash sha256:[0-9a-f]{12}\.\.\. \(it hashes to sha256:[0-9a-f]{12}\.\.\.\); the spec or the hash was changed after synth$/m);
    assert.match(error.message, /run hoist synth again to write a new one \(change the program, not the graph\)$/);
    assert.deepEqual(error.problems.length, 1);
  });

  it('readGraphFile refuses a changed hash', () => {
    const file = editedGraph((g) => { resource(g, 'network:shop/backend@db-1').hash = `sha256:${'0'.repeat(64)}`; });
    assert.match(refusal(file).message, /\.hash: the spec of network:shop\/backend@db-1 does not match its recorded hash sha256:000000000000\.\.\./);
  });

  for (const hostile of HOSTILE_NAMES) {
    it(`readGraphFile refuses engine names synth would refuse, even with their hashes redone: ${JSON.stringify(hostile)}`, () => {
      const file = editedGraph((g) => {
        const web = resource(g, 'container:shop/app/web#1@web-1');
        web.spec.name = hostile;
        web.spec.networks[0].name = hostile;
        rehash(web);
        const volume = resource(g, 'volume:shop/postgres/pgdata@db-1');
        volume.spec.name = hostile;
        rehash(volume);
      });
      const error = refusal(file);
      const quoted = JSON.stringify(hostile).replace(/[$()\\[\]]/g, '\\$&');
      for (const at of [/stacks\[0\]\.resources\[\d+\]\.spec\.name/, /stacks\[0\]\.resources\[\d+\]\.spec\.networks\[0\]\.name/]) {
        assert.match(error.message, new RegExp(`^  ${at.source}: ${quoted} is not a valid name`, 'm'));
      }
      assert.equal(error.problems.filter((p) => p.includes('is not a valid name')).length, 3, error.message);
      assert.ok(!error.message.includes('\nreboot'), 'a newline in a name is shown escaped, never printed');
    });
  }

  it('readGraphFile refuses a stack name, host name and host address that synth would refuse', () => {
    const file = editedGraph((g) => {
      g.stacks[0].name = 'shop;reboot';
      g.stacks[0].hosts[0].name = '$(reboot)';
      g.stacks[0].hosts[1].address = '-oProxyCommand=reboot';
    });
    const error = refusal(file);
    assert.match(error.message, /^ {2}stacks\[0\]\.name: "shop;reboot" is not a valid name/m);
    assert.match(error.message, /^ {2}stacks\[0\]\.hosts\[0\]\.name: "\$\(reboot\)" is not a valid name/m);
    assert.match(error.message, /^ {2}stacks\[0\]\.hosts\[1\]\.address: "-oProxyCommand=reboot" is not a host address/m);
  });

  it('readGraphFile refuses a graph of another major format version, saying which it has, which this hoist reads, and what to do', () => {
    const file = editedGraph((g) => { g.formatVersion = '2.0'; });
    assert.match(refusal(file).message, /it has format version 2\.0, and this hoist reads format 1\.x \(it writes 1\.0\); synthesize it again with this hoist \(hoist synth\), or use the hoist version that wrote it$/);
    const none = editedGraph((g) => { delete g.formatVersion; });
    assert.match(refusal(none).message, /it has no format version this hoist understands \(found none; this hoist reads 1\.x\)/);
  });

  it('readGraphFile accepts a later minor version with members it does not know, as the format says readers must', () => {
    const file = editedGraph((g) => {
      g.formatVersion = '1.7';
      g.stacks[0].futureMember = { anything: true };
      g.stacks[0].hosts[0].futureMember = 1;
    });
    assert.equal(readGraphFile(file).stacks[0].name, 'shop');
  });

  it('readGraphFile refuses a resource on a host its stack does not have, and a dependency on nothing', () => {
    const file = editedGraph((g) => {
      const web = resource(g, 'container:shop/app/web#1@web-1');
      web.dependsOn.push({ id: 'volume:shop/gone@web-1', condition: 'exists' });
      g.stacks[0].hosts = g.stacks[0].hosts.filter((h: { name: string }) => h.name !== 'web-2');
    });
    const error = refusal(file);
    assert.match(error.message, /\.dependsOn\[\d+\]\.id: container:shop\/app\/web#1@web-1 depends on volume:shop\/gone@web-1, which is not a resource of stack shop/);
    assert.match(error.message, /\.host: "web-2" is not a host of stack shop \(hosts: db-1, web-1\)/);
  });

  it('readGraphFile refuses a container whose image is no resource of its stack', () => {
    const file = editedGraph((g) => {
      const web = resource(g, 'container:shop/app/web#1@web-1');
      web.spec.image.resource = 'image:shop/elsewhere';
      rehash(web);
    });
    assert.match(refusal(file).message, /\.spec\.image\.resource: container:shop\/app\/web#1@web-1 uses image image:shop\/elsewhere, which is not a resource of stack shop/);
  });

  it('readGraphFile lists every shape problem with its JSON path, not only the first', () => {
    const file = editedGraph((g) => {
      g.stacks[0].hosts[0].port = 70000;
      g.stacks[0].resources[0].kind = 'daemon';
      delete g.stacks[0].resources[1].spec.restart;
    });
    const error = refusal(file);
    assert.match(error.message, /^ {2}stacks\[0\]\.hosts\[0\]\.port: 70000 is not a port \(1-65535\)$/m);
    assert.match(error.message, /^ {2}stacks\[0\]\.resources\[0\]\.kind: "daemon" is not a known kind \("network", "volume", "image", "secret", "container"\)$/m);
    assert.match(error.message, /^ {2}stacks\[0\]\.resources\[1\]\.spec\.restart: missing \(expected object\)$/m);
  });

  it('readGraphFile refuses a file that is not there or not a graph, naming it', () => {
    const dir = scratchDir();
    assert.match(refusal(path.join(dir, 'nope.json')).message, /cannot use the graph .*nope\.json: it cannot be read \(it does not exist\); run hoist synth again/);
    const list = path.join(dir, 'list.json');
    fs.writeFileSync(list, '[1, 2]\n');
    assert.match(refusal(list).message, /it has no format version this hoist understands/);
    const deep = path.join(dir, 'deep.json');
    fs.writeFileSync(deep, `{"formatVersion":"1.0","stacks":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`);
    assert.match(refusal(deep).message, /cannot use the graph/);
  });
});
