import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { contextChanges, contextFiles, imageIdentity } from '../../lib/images/build-context';

function context(files: Record<string, string>, dockerignore?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-context-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  if (dockerignore !== undefined) fs.writeFileSync(path.join(dir, '.dockerignore'), dockerignore);
  return dir;
}

const spec = { buildArgs: { VERSION: '1' }, target: null, platform: null };

describe('build contexts and image identity', () => {
  it('applies .dockerignore as Docker reads it: globs, ** and ! exceptions', () => {
    const dir = context({
      'Dockerfile': 'FROM busybox\n', 'src/app.py': 'print(1)\n', 'src/app_test.py': 'x', 'node_modules/a/index.js': 'x',
      'docs/keep.md': 'k', 'docs/drop.md': 'd', '.git/HEAD': 'ref', 'deep/x/y/z.log': 'log',
    }, '# comment\n.git\nnode_modules\n**/*.log\nsrc/*_test.py\ndocs/*\n!docs/keep.md\n');
    assert.deepEqual(contextFiles(dir).map((f) => f.path), ['.dockerignore', 'Dockerfile', 'docs/keep.md', 'src/app.py']);
  });

  it('identity: same inputs same hash, whatever the file times or the order they were written', () => {
    const a = context({ 'Dockerfile': 'FROM busybox\n', 'b.txt': 'b', 'a.txt': 'a' });
    const b = context({ 'a.txt': 'a', 'Dockerfile': 'FROM busybox\n', 'b.txt': 'b' });
    fs.utimesSync(path.join(b, 'a.txt'), new Date(0), new Date(0));
    assert.equal(imageIdentity(spec, 'FROM busybox\n', contextFiles(a)), imageIdentity(spec, 'FROM busybox\n', contextFiles(b)));
    assert.match(imageIdentity(spec, 'FROM busybox\n', contextFiles(a)), /^sha256:[0-9a-f]{64}$/);
  });

  it('identity changes with a file, its mode, the Dockerfile or an argument; not with an ignored file', () => {
    const dir = context({ 'Dockerfile': 'FROM busybox\n', 'src/app.py': 'print(1)\n', 'notes.tmp': 'x' }, '*.tmp\n');
    const before = contextFiles(dir);
    const base = imageIdentity(spec, 'FROM busybox\n', before);
    fs.writeFileSync(path.join(dir, 'notes.tmp'), 'changed');
    assert.equal(imageIdentity(spec, 'FROM busybox\n', contextFiles(dir)), base, 'ignored files do not count');
    assert.notEqual(imageIdentity(spec, 'FROM busybox:1.36\n', before), base);
    assert.notEqual(imageIdentity({ ...spec, buildArgs: { VERSION: '2' } }, 'FROM busybox\n', before), base);
    assert.notEqual(imageIdentity({ ...spec, target: 'runtime' }, 'FROM busybox\n', before), base);
    fs.writeFileSync(path.join(dir, 'src/app.py'), 'print(2)\n');
    const after = contextFiles(dir);
    assert.notEqual(imageIdentity(spec, 'FROM busybox\n', after), base);
    assert.deepEqual(contextChanges(before, after), ['src/app.py changed']);
    fs.chmodSync(path.join(dir, 'src/app.py'), 0o755);
    fs.writeFileSync(path.join(dir, 'src/new.py'), '');
    fs.rmSync(path.join(dir, 'Dockerfile'));
    assert.deepEqual(contextChanges(after, contextFiles(dir)), ['src/app.py mode changed', 'src/new.py added', 'Dockerfile removed']);
  });
});
