import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

const SCRIPT = path.resolve(__dirname, '../../scripts/dependency-graph.mjs');

/** The script's exports; loaded by URL, since it is plain JavaScript without types. */
async function script(): Promise<any> {
  return import(pathToFileURL(SCRIPT).href);
}

describe('scripts/dependency-graph.mjs', () => {
  it('--check passes: lib/ has no folder import cycle, every import is one FOLDERS allows, and docs/architecture.md is current', () => {
    const result = spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /no cycles, every import allowed; docs\/architecture\.md is current/);
  });

  it('importsOf finds every kind of relative import and tells type-only ones apart', async () => {
    const { importsOf } = await script();
    const found = importsOf('x.ts', [
      "import { a } from './a';",
      "import type { B } from '../b/b';",
      "import { type C, type D } from './cd';",
      "import { type E, f } from './ef';",
      "export * from './g';",
      "export type { H } from './h';",
      "import * as fs from 'node:fs';",
      "const i = require('./i') as typeof import('./i-type');",
      "type J = import('./j').J;",
      "void import('./k');",
    ].join('\n'));
    assert.deepEqual(found, [
      { specifier: './a', typeOnly: false },
      { specifier: '../b/b', typeOnly: true },
      { specifier: './cd', typeOnly: true },
      { specifier: './ef', typeOnly: false },
      { specifier: './g', typeOnly: false },
      { specifier: './h', typeOnly: true },
      { specifier: './i', typeOnly: false },
      { specifier: './i-type', typeOnly: true },
      { specifier: './j', typeOnly: true },
      { specifier: './k', typeOnly: false },
    ]);
  });

  it('folderCycles reports each set of folders that import each other, type-only edges included', async () => {
    const { folderCycles } = await script();
    const edge = (from: string, to: string, typeOnly = false) => ({ from, to, typeOnly, files: new Set([`${from}/x.ts`]) });
    assert.deepEqual(folderCycles(['a', 'b', 'c', 'd'], [edge('a', 'b'), edge('b', 'c'), edge('c', 'a', true), edge('d', 'a')]), [['a', 'b', 'c']]);
    assert.deepEqual(folderCycles(['a', 'b', 'c'], [edge('a', 'b'), edge('b', 'c'), edge('a', 'c')]), []);
  });

  it('layeringProblems reports an import its rules do not allow, unless an exception names it, and a folder without rules', async () => {
    const { layeringProblems } = await script();
    const edge = (from: string, to: string) => ({ from, to, typeOnly: false, files: new Set([`${from}/x.ts`]) });
    const rules = [{ folder: 'high', may: ['low'] }, { folder: 'low', may: [] }];
    assert.deepEqual(layeringProblems({ folders: ['high', 'low'], edges: [edge('high', 'low')] }, rules, []), []);
    assert.deepEqual(layeringProblems({ folders: ['high', 'low', 'new'], edges: [edge('low', 'high')] }, rules, []), [
      'lib/new/ has no entry in FOLDERS (scripts/dependency-graph.mjs); add one saying what it is and what it may import',
      'low may not import high: low/x.ts; move what it needs to a folder both may import, or change FOLDERS and say why',
    ]);
    assert.deepEqual(layeringProblems({ folders: ['high', 'low'], edges: [edge('low', 'high')] }, rules, [{ from: 'low', to: 'high', why: 'test' }]), []);
  });
});
