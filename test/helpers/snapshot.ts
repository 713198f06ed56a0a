import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Compares `text` with the stored snapshot `name`; writes it when missing or when
 * UPDATE_SNAPSHOTS=1. CI never sets it, so a changed graph fails until reviewed.
 */
export function matchSnapshot(name: string, text: string): void {
  const file = path.join(__dirname, '..', 'snapshots', name);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !fs.existsSync(file)) {
    if (process.env.CI === 'true' && !fs.existsSync(file)) {
      assert.fail(`snapshot ${name} is missing; run the tests locally with UPDATE_SNAPSHOTS=1 and commit it`);
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return;
  }
  assert.equal(text, fs.readFileSync(file, 'utf8'), `graph differs from snapshot ${name}; if intended, run with UPDATE_SNAPSHOTS=1`);
}
