#!/usr/bin/env node
// Runs the *.test.ts files under the given directories with Node's test runner (through tsx),
// prints the spec report, and ends with one plain "N passed, N failed, N skipped" line.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const roots = process.argv.slice(2);
if (roots.length === 0) roots.push('test');
const files = roots.flatMap((root) => collect(resolve(root))).sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}

// Unit files run two at a time; integration files share one sandbox (and some restart its
// hosts on purpose), so they run one at a time. The two groups run side by side (the unit
// group touches no sandbox): the integration group prints as it goes, the unit group's
// report follows it.
const groups = [
  { name: 'unit', files: files.filter((f) => !f.includes('/integration/')), concurrency: 2 },
  { name: 'integration', files: files.filter((f) => f.includes('/integration/')), concurrency: 1 },
].filter((g) => g.files.length > 0);

const scratch = mkdtempSync(join(tmpdir(), 'hoist-tests-'));
let passed = 0;
let failed = 0;
let skipped = 0;
let allOk = true;
const live = groups.length === 1 ? groups[0] : groups.find((g) => g.name === 'integration');
const results = await Promise.all(groups.map((group, index) => new Promise((resolveGroup) => {
  const tapFile = join(scratch, `report-${index}.tap`);
  const child = spawn(process.execPath, [
    '--import', 'tsx',
    '--test',
    `--test-concurrency=${group.concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
    ...group.files,
  ], { stdio: ['ignore', group === live ? 'inherit' : 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' } });
  const held = [];
  child.stdout?.on('data', (chunk) => held.push(chunk));
  child.on('close', (status) => resolveGroup({ group, tapFile, status, held: Buffer.concat(held) }));
})));
for (const { tapFile, status, held } of results) {
  if (held.length) process.stdout.write(held);
  const tap = readFileSync(tapFile, 'utf8');
  const count = (name) => Number((new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap) ?? [])[1] ?? 0);
  passed += count('pass');
  failed += count('fail') + count('cancelled');
  skipped += count('skipped') + count('todo');
  allOk &&= status === 0;
}
rmSync(scratch, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(allOk && failed === 0 && passed > 0 ? 0 : 1);

function collect(path) {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    const full = join(path, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' || entry.name === 'node_modules' ? [] : collect(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}
