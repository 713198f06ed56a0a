import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, canonicalJsonPretty } from '../../lib/graph/canonical-json';
import { specHash } from '../../lib/graph/spec-hash';

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members, keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same bytes for equal values built in another order', () => {
    assert.equal(canonicalJson({ x: 1, y: 'é"\n' }), canonicalJson({ y: 'é"\n', x: 1 }));
    assert.equal(specHash({ x: 1, y: 2 }), specHash({ y: 2, x: 1 }));
  });

  it('pretty output parses to the same value as compact output', () => {
    const value = { b: [1, null, 'two'], a: { nested: true, n: -0.5 } };
    assert.deepEqual(JSON.parse(canonicalJsonPretty(value)), JSON.parse(canonicalJson(value)));
    assert.ok(canonicalJsonPretty(value).endsWith('}\n'));
    assert.ok(canonicalJsonPretty(value).indexOf('"a"') < canonicalJsonPretty(value).indexOf('"b"'));
  });

  it('refuses numbers JSON cannot hold', () => {
    assert.throws(() => canonicalJson({ n: Infinity }), /cannot encode Infinity/);
    assert.throws(() => canonicalJsonPretty({ n: NaN }), /cannot encode NaN/);
  });
});
