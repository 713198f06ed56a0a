import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statsFrom } from '../../lib/drivers/engine-api/engine-api-driver';
import { FakeEngine } from '../../lib/drivers/fake/fake-engine';

describe('container stats, exec and events', () => {
  it('statsFrom: CPU between the two samples as a share of one CPU, memory without page cache, the limit, processes', () => {
    const stats = statsFrom({
      cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 16_000_000_000 },
      memory_stats: { usage: 50 * 1024 * 1024, limit: 64 * 1024 * 1024, stats: { inactive_file: 10 * 1024 * 1024 } },
      pids_stats: { current: 3 },
    });
    assert.deepEqual(stats, { cpus: 0.5, memoryBytes: 40 * 1024 * 1024, memoryLimitBytes: 64 * 1024 * 1024, pids: 3, networkRxBytes: null, networkTxBytes: null });
  });

  it('statsFrom: cgroup v1 cache, an unlimited container, one sample only', () => {
    const stats = statsFrom({
      cpu_stats: { cpu_usage: { total_usage: 5, percpu_usage: [1, 2, 3, 4] }, system_cpu_usage: 10 },
      precpu_stats: {},
      memory_stats: { usage: 1000, limit: 2 ** 63, stats: { cache: 400 } },
    });
    assert.deepEqual(stats, { cpus: null, memoryBytes: 600, memoryLimitBytes: null, pids: 0, networkRxBytes: null, networkTxBytes: null });
  });

  it('the in-memory engine answers exec through its handler and refuses a stopped container', async () => {
    const engine = new FakeEngine({ host: 'h1' });
    engine.addImage('busybox:latest');
    const driver = engine.driver();
    await driver.createContainer('c', { Image: 'busybox:latest' });
    await assert.rejects(driver.exec('c', ['true']), /is not running/);
    await driver.startContainer('c');
    engine.execute = (_container, argv) => ({ exitCode: argv[0] === 'false' ? 1 : 0, stdout: argv.join(' ') });
    const result = await driver.exec('c', ['echo', 'hi'], { maxOutputBytes: 4 });
    assert.deepEqual([result.stdout.toString(), result.exitCode, result.truncated], ['echo', 0, true]);
    assert.equal((await driver.exec('c', ['false'])).exitCode, 1);
  });

  it('the in-memory engine reports container events in Docker\'s vocabulary, filtered by label, until the watch is stopped', async () => {
    const engine = new FakeEngine({ host: 'h1' });
    engine.addImage('busybox:latest');
    const driver = engine.driver();
    const stop = new AbortController();
    const seen: string[] = [];
    const watching = driver.watchEvents({ types: ['container'], labels: ['app=web'] }, { signal: stop.signal, onEvent: (e) => seen.push(`${e.action} ${e.name}`) });
    await driver.createContainer('other', { Image: 'busybox:latest' });
    await driver.createContainer('web', { Image: 'busybox:latest', Labels: { app: 'web' } });
    await driver.startContainer('web');
    await driver.stopContainer('web', 1);
    await driver.removeContainer('web');
    stop.abort();
    await watching;
    await driver.createContainer('web2', { Image: 'busybox:latest', Labels: { app: 'web' } });
    assert.deepEqual(seen, ['create web', 'start web', 'die web', 'stop web', 'destroy web']);
  });
});
