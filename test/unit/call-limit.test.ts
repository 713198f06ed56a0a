import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallLimit } from '../../lib/drivers/engine-api/call-limit';

describe('CallLimit (lib/drivers/engine-api/call-limit.ts)', () => {
  it('runs at most its limit at once, the rest in the order they came, and frees a slot on failure too', async () => {
    const limit = new CallLimit(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const calls = Array.from({ length: 6 }, (_, i) => limit.run(async () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      if (i === 1) throw new Error('call 1 failed');
      return i;
    }));
    const results = await Promise.allSettled(calls);
    assert.equal(most, 2);
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
  });

  it('refuses a limit below 1 or not whole', () => {
    assert.throws(() => new CallLimit(0), /at least 1/);
    assert.throws(() => new CallLimit(1.5), /whole number/);
  });
});

describe('HOIST_ENGINE_CONCURRENCY (the engine driver\'s limit on creates and starts)', () => {
  it('is refused when the driver is made, naming the variable, the value and the host, unless it is a whole number of 1 or more', async () => {
    const { LoopbackEngine } = await import('../helpers/loopback-engine');
    const engine = new LoopbackEngine();
    const before = process.env.HOIST_ENGINE_CONCURRENCY;
    try {
      for (const bad of ['two', '0', '-1', '1.5', ' 2']) {
        process.env.HOIST_ENGINE_CONCURRENCY = bad;
        assert.throws(() => engine.client(), new RegExp(`^HostError: host loopback: HOIST_ENGINE_CONCURRENCY=${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: must be a whole number of 1 or more \\(.*this host's engine.*unset it`));
      }
      process.env.HOIST_ENGINE_CONCURRENCY = '3';
      engine.client().close();
      process.env.HOIST_ENGINE_CONCURRENCY = '';
      engine.client().close();
    } finally {
      if (before === undefined) delete process.env.HOIST_ENGINE_CONCURRENCY;
      else process.env.HOIST_ENGINE_CONCURRENCY = before;
    }
  });
});
