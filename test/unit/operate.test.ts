import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineType, Host, Image, Secret, Service, Stack, Testing } from '../../lib';
import type { LogLine } from '../../lib/drivers/engine-driver';
import { LogLineSplitter } from '../../lib/drivers/engine-api/log-line-stream';
import { FakeEngine } from '../../lib/drivers/fake/fake-engine';
import { ownershipLabels } from '../../lib/engine/ownership-labels';
import { lockContainerName, LOCK_LABEL } from '../../lib/engine/host-lock';
import type { ContainerResource, GraphDocument } from '../../lib/graph/graph-document';
import { humanBytes, readContainerUsage, usageTable } from '../../lib/operate/container-usage';
import { LogMerger, sortByTime, type ServiceLogLine } from '../../lib/operate/merge-log-lines';
import { resolveService } from '../../lib/operate/service-address';
import { readServiceLogs } from '../../lib/operate/service-logs';
import { stackSecretValues } from '../../lib/operate/stack-secret-values';

/**
 * The day-2 commands' logic (hoist logs, top, exec) against the in-memory engine and on
 * crafted streams; test/integration/day2.test.ts runs the commands on Docker and Podman hosts.
 */

function graphOf(): GraphDocument {
  process.env.HOIST_OPERATE_TEST_TOKEN = 'tok3n-value';
  const app = Testing.app();
  const stack = new Stack(app, 'shop');
  const h1 = new Host(stack, 'h1', { address: '10.9.0.1', engine: EngineType.DOCKER });
  const h2 = new Host(stack, 'h2', { address: '10.9.0.2', engine: EngineType.DOCKER });
  const token = Secret.fromEnv(stack, 'token', 'HOIST_OPERATE_TEST_TOKEN');
  new Service(stack, 'web', { image: Image.fromRegistry('busybox:1.36'), replicas: 2, placement: { hosts: [h1, h2], maxPerHost: 1 }, secrets: [token], resources: { memory: '64m' } });
  new Service(stack, 'worker', { image: Image.fromRegistry('busybox:1.36'), placement: { hosts: [h1] } });
  return Testing.synth(app);
}

/** Starts the graph's containers of `host` on a fake engine, with Hoist's labels. */
async function engineWith(graph: GraphDocument, host: string): Promise<FakeEngine> {
  const engine = new FakeEngine({ host, registry: { 'busybox:1.36': { config: { Cmd: ['sh'] } } } });
  engine.addImage('busybox:1.36', { config: { Cmd: ['sh'] } });
  const driver = engine.driver();
  for (const r of graph.stacks[0].resources.filter((x): x is ContainerResource => x.kind === 'container' && x.host === host)) {
    const id = await driver.createContainer(r.spec.name, { Image: 'busybox:1.36', Labels: ownershipLabels('shop', r, 1), HostConfig: { Memory: r.spec.resources.memoryBytes ?? 0 } });
    await driver.startContainer(id);
  }
  return engine;
}

const line = (time: string, text: string, host = 'h1'): ServiceLogLine => ({ stream: 'stdout', time, text, host, container: 'c' });

describe('day-2 operations: logs, top', () => {
  it('resolves <stack>/<service> in the graph and says what there is when it does not', () => {
    const graph = graphOf();
    assert.deepEqual(resolveService(graph, 'shop/web').hosts, ['h1', 'h2']);
    assert.throws(() => resolveService(graph, 'shop'), /"shop" is not <stack>\/<service> \(stacks: shop\)/);
    assert.throws(() => resolveService(graph, 'nope/web'), /no stack named nope \(stacks: shop\)/);
    assert.throws(() => resolveService(graph, 'shop/api'), /stack shop has no service named api \(services: web, worker\)/);
  });

  it('splits a followed log stream into timed lines, whatever the chunking, per stream, TTY or not', () => {
    const frame = (type: number, text: string) => Buffer.concat([Buffer.from([type, 0, 0, 0]), uint32(Buffer.byteLength(text)), Buffer.from(text)]);
    const raw = Buffer.concat([
      frame(1, '2026-12-02T10:00:00.000000001Z hello\n2026-12-02T10:00:00.5Z sec'),
      frame(2, '2026-12-02T10:00:01.000000000Z oops\n'),
      frame(1, 'ond\n'),
    ]);
    for (const size of [1, 3, 7, raw.length]) {
      const lines: LogLine[] = [];
      const splitter = new LogLineSplitter((l) => lines.push(l));
      for (let at = 0; at < raw.length; at += size) splitter.push(raw.subarray(at, at + size));
      splitter.end();
      assert.deepEqual(lines, [
        { stream: 'stdout', time: '2026-12-02T10:00:00.000000001Z', text: 'hello' },
        { stream: 'stderr', time: '2026-12-02T10:00:01.000000000Z', text: 'oops' },
        { stream: 'stdout', time: '2026-12-02T10:00:00.5Z', text: 'second' },
      ], `chunks of ${size}`);
    }
    const tty: LogLine[] = [];
    const splitter = new LogLineSplitter((l) => tty.push(l), { tty: true });
    splitter.push(Buffer.from('2026-12-02T10:00:00Z \u001b[1mbold\u001b[0m\r\nno stamp'));
    splitter.end();
    assert.deepEqual(tty.map((l) => [l.time, l.text]), [['2026-12-02T10:00:00Z', '\u001b[1mbold\u001b[0m'], ['', 'no stamp']]);
  });

  it('merges lines of many hosts by the engines\' nanosecond timestamps', async () => {
    const sorted = sortByTime([line('2026-12-02T10:00:00.000000300Z', 'c'), line('2026-12-02T10:00:00.000000100Z', 'a', 'h2'), line('2026-12-02T10:00:00.000000200Z', 'b')]);
    assert.deepEqual(sorted.map((l) => l.text), ['a', 'b', 'c']);
    const released: string[] = [];
    const merger = new LogMerger((l) => released.push(l.text), 30);
    merger.push(line('2026-12-02T10:00:01Z', 'late'));
    merger.push(line('2026-12-02T10:00:00Z', 'early', 'h2'));
    assert.deepEqual(released, [], 'held for the window');
    await new Promise((r) => setTimeout(r, 120));
    assert.deepEqual(released, ['early', 'late']);
    merger.push(line('2026-12-02T10:00:02Z', 'last'));
    merger.drain();
    assert.deepEqual(released, ['early', 'late', 'last']);
  });

  it('reads the logs of a service\'s replicas on a host, and following, those of a replica that starts later', async () => {
    const graph = graphOf();
    const engine = await engineWith(graph, 'h1');
    engine.print('shop-web-1', 'web says hi');
    engine.print('shop-worker-1', 'worker is not web');
    const lines: ServiceLogLine[] = [];
    await readServiceLogs(engine.driver(), { stack: 'shop', service: 'web', follow: false, signal: new AbortController().signal, onLine: (l) => lines.push(l), onProblem: assert.fail });
    assert.deepEqual(lines.map((l) => `${l.host} ${l.container} ${l.text}`), ['h1 shop-web-1 web says hi']);

    const followed: ServiceLogLine[] = [];
    const abort = new AbortController();
    const reading = readServiceLogs(engine.driver(), { stack: 'shop', service: 'web', follow: true, signal: abort.signal, onLine: (l) => followed.push(l), onProblem: assert.fail });
    await waitFor(() => followed.length === 1);
    // A rollout's new copy of the replica starts: it is followed too.
    const web = graph.stacks[0].resources.find((r): r is ContainerResource => r.kind === 'container' && r.host === 'h1' && r.spec.service === 'web')!;
    const driver = engine.driver();
    const next = await driver.createContainer('shop-web-1-hoist-next', { Image: 'busybox:1.36', Labels: ownershipLabels('shop', web, 2) });
    await driver.startContainer(next);
    await waitFor(() => engine.calls.includes(`followLogs ${next}`));
    engine.print('shop-web-1-hoist-next', 'new version up');
    engine.print('shop-web-1', 'old version still');
    await waitFor(() => followed.length === 3);
    abort.abort();
    await reading;
    assert.deepEqual(followed.map((l) => `${l.container} ${l.text}`).sort(), ['shop-web-1 old version still', 'shop-web-1 web says hi', 'shop-web-1-hoist-next new version up']);
  });

  it('reads the resource use of the stacks\' containers, without locks, limits as set', async () => {
    const graph = graphOf();
    const engine = await engineWith(graph, 'h1');
    const driver = engine.driver();
    await driver.createContainer(lockContainerName('shop'), { Image: 'busybox:1.36', Labels: { 'hoist.stack': 'shop', [LOCK_LABEL.id]: 'x' } });
    const rows = await readContainerUsage(driver);
    assert.deepEqual(rows.map((r) => [r.container, r.service, r.state, r.memoryLimitBytes, r.restarts]), [
      ['shop-web-1', 'web', 'running', 64 * 1024 * 1024, 0],
      ['shop-worker-1', 'worker', 'running', null, 0],
    ]);
    assert.deepEqual(await readContainerUsage(driver, ['other']), []);
    const table = usageTable(rows);
    assert.match(table[0], /^HOST +STACK +SERVICE +CONTAINER +STATE +CPU % +MEMORY \/ LIMIT +MEM % +NET RX \/ TX +PIDS +RESTARTS$/);
    assert.match(table[1], /^h1 +shop +web +shop-web-1 +running +0\.0 +1\.0 MiB \/ 64\.0 MiB +1\.6 +0 B \/ 0 B +1 +0$/);
    assert.match(table[2], /1\.0 MiB \/ no limit +- /);
    assert.deepEqual([humanBytes(null), humanBytes(980), humanBytes(1536), humanBytes(5 * 1024 ** 3)], ['-', '980 B', '1.5 KiB', '5.0 GiB']);
  });

  it('reads the stack\'s secret values for redaction, and names the ones it cannot read', () => {
    const graph = graphOf();
    assert.deepEqual(stackSecretValues(graph.stacks[0], '/tmp').values.map(String), ['tok3n-value']);
    delete process.env.HOIST_OPERATE_TEST_TOKEN;
    assert.deepEqual(stackSecretValues(graph.stacks[0], '/tmp').unread, ['secret:shop/token: environment variable HOIST_OPERATE_TEST_TOKEN is not set; export it before running hoist']);
  });
});

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
