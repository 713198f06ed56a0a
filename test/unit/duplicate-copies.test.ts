import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as hoist from '../../lib';

/** A second, separately loaded copy of the library, as when a stack library bundles its own. */
function loadSecondCopy(): typeof hoist {
  const saved = { ...require.cache };
  for (const key of Object.keys(require.cache)) {
    if (key.includes('/lib/') && !key.includes('node_modules')) delete require.cache[key];
  }
  try {
    return require('../../lib');
  } finally {
    Object.assign(require.cache, saved);
  }
}

describe('two copies of hoist in one program', () => {
  it('are really two copies (instanceof fails across them)', () => {
    const copy = loadSecondCopy();
    assert.notEqual(copy.Service, hoist.Service);
    const app = new copy.App();
    assert.equal(app instanceof hoist.App, false);
  });

  it('Service.isService and friends recognise constructs from the other copy', () => {
    const copy = loadSecondCopy();
    const app = new copy.App();
    const stack = new copy.Stack(app, 'lib');
    const service = new copy.Service(stack, 'svc', { image: copy.Image.fromRegistry('busybox') });
    assert.ok(hoist.App.isApp(app));
    assert.ok(hoist.Stack.isStack(stack));
    assert.ok(hoist.Service.isService(service));
    assert.ok(hoist.Image.isImage(service._props.image));
  });

  it('a stack built with one copy synthesizes with the other', () => {
    const copy = loadSecondCopy();
    const app = hoist.Testing.app();
    const stack = new hoist.Stack(app, 'mixed');
    new copy.Host(stack, 'h1', { address: '10.9.0.1' });
    const volume = new copy.Volume(stack, 'data');
    new hoist.Service(stack, 'svc', { image: copy.Image.fromRegistry('busybox'), mounts: [volume.mount('/data')] });
    const graph = hoist.Testing.synth(app);
    assert.deepEqual(graph.stacks[0].resources.map((r: { id: string }) => r.id), [
      'container:mixed/svc#1@h1', 'image:busybox:latest@h1', 'volume:mixed/data@h1',
    ]);
  });
});
