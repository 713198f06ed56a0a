import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { placeReplicas } from '../../lib/synth/place-replicas';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `host-${i + 1}`);

describe('placeReplicas', () => {
  it('spreads replicas evenly: no host has two more than another', () => {
    for (const [replicas, hostCount] of [[7, 3], [10, 4], [3, 5], [20, 20]]) {
      const placed = placeReplicas('shop/web', hosts(hostCount), replicas, Infinity);
      assert.equal(placed.length, replicas);
      const counts = Object.values(placed.reduce<Record<string, number>>((acc, p) => ({ ...acc, [p.host]: (acc[p.host] ?? 0) + 1 }), {}));
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${replicas} on ${hostCount}: ${counts}`);
    }
  });

  it('does not depend on the order hosts are listed in', () => {
    assert.deepEqual(placeReplicas('shop/web', hosts(5), 3, 1), placeReplicas('shop/web', hosts(5).reverse(), 3, 1));
  });

  it('adding a host moves at most the replicas that must move', () => {
    const before = new Set(placeReplicas('shop/web', hosts(5), 3, 1).map((p) => p.host));
    const after = new Set(placeReplicas('shop/web', hosts(6), 3, 1).map((p) => p.host));
    const kept = [...before].filter((h) => after.has(h)).length;
    assert.ok(kept >= 2, `kept ${kept} of 3`);
  });

  it('numbers slots per host from 1', () => {
    const placed = placeReplicas('shop/api', ['a'], 3, Infinity);
    assert.deepEqual(placed, [{ host: 'a', slot: 1 }, { host: 'a', slot: 2 }, { host: 'a', slot: 3 }]);
  });

  it('places nothing for zero replicas', () => {
    assert.deepEqual(placeReplicas('shop/api', ['a', 'b'], 0, 1), []);
  });
});
