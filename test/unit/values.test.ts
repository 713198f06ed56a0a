import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSize } from '../../lib/values/size';
import { parseDuration } from '../../lib/values/duration';
import { parseImageReference } from '../../lib/values/image-reference';
import { dockerNameProblem } from '../../lib/values/docker-name';

describe('parseSize', () => {
  const cases: [string | number, number][] = [
    ['512MiB', 512 * 1024 ** 2], ['1g', 1024 ** 3], ['256m', 256 * 1024 ** 2], ['1GB', 1024 ** 3],
    ['64k', 65536], ['100', 100], ['1.5g', 1.5 * 1024 ** 3], ['2 GiB', 2 * 1024 ** 3], [4096, 4096],
  ];
  for (const [input, bytes] of cases) {
    it(`parseSize(${JSON.stringify(input)}) is ${bytes} bytes`, () => {
      assert.deepEqual(parseSize(input), { ok: true, bytes });
    });
  }
  for (const input of ['512XB', '', 'g', '-5m', '1.2.3g', '5 m b', 'lots', '1e3m']) {
    it(`parseSize(${JSON.stringify(input)}) is rejected with a reason`, () => {
      const result = parseSize(input);
      assert.equal(result.ok, false);
      assert.match((result as { reason: string }).reason, /size|unit/);
    });
  }
  it('parseSize rejects a negative or fractional number of bytes', () => {
    assert.equal(parseSize(-1).ok, false);
    assert.equal(parseSize(1.5).ok, false);
  });
});

describe('parseDuration', () => {
  const cases: [string, number][] = [['30s', 30_000], ['1m30s', 90_000], ['500ms', 500], ['2h', 7_200_000], ['1.5s', 1500]];
  for (const [input, ms] of cases) {
    it(`parseDuration("${input}") is ${ms} ms`, () => assert.deepEqual(parseDuration(input), { ok: true, ms }));
  }
  for (const input of ['10', '', 's', '5 sec', '-1s', '1d']) {
    it(`parseDuration(${JSON.stringify(input)}) is rejected`, () => assert.equal(parseDuration(input).ok, false));
  }
});

describe('parseImageReference', () => {
  const good: [string, string][] = [
    ['busybox', 'busybox:latest'],
    ['postgres:15', 'postgres:15'],
    ['library/postgres:15', 'library/postgres:15'],
    ['registry.local:5000/team/app:1.2', 'registry.local:5000/team/app:1.2'],
    ['localhost/app', 'localhost/app:latest'],
    [`app@sha256:${'a'.repeat(64)}`, `app@sha256:${'a'.repeat(64)}`],
  ];
  for (const [input, normalized] of good) {
    it(`parseImageReference("${input.slice(0, 30)}") normalizes to ${normalized.slice(0, 30)}`, () => {
      const result = parseImageReference(input);
      assert.ok(result.ok);
      assert.equal(result.reference.normalized, normalized);
    });
  }
  it('parseImageReference keeps the registry domain apart from the repository', () => {
    const result = parseImageReference('registry.local:5000/team/app:1.2');
    assert.ok(result.ok);
    assert.equal(result.reference.domain, 'registry.local:5000');
    assert.equal(result.reference.repository, 'team/app');
  });
  for (const input of ['Bad Image', 'team/UPPER', 'app:', 'app@sha256:xyz', '$(reboot)', 'a\nb', '-rm']) {
    it(`parseImageReference(${JSON.stringify(input)}) is rejected`, () => assert.equal(parseImageReference(input).ok, false));
  }
});

describe('dockerNameProblem', () => {
  it('accepts names matching Docker\'s rule over the whole string', () => {
    for (const name of ['shop-web-1', 'a.b_c', 'X9']) assert.equal(dockerNameProblem(name), undefined);
  });
  it('rejects newline, ";", "$(", a leading "-", "/" and one-character names', () => {
    for (const name of ['web\nx', 'a;b', 'a$(id)', '-web', 'a/b', 'a', 'web ']) {
      assert.match(dockerNameProblem(name) ?? '', /is not a valid name/, name);
    }
  });
});
