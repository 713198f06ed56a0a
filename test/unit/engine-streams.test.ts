import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import type * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { pullImage } from '../../lib/kinds/image/pull-image';
import { waitCompleted } from '../../lib/kinds/container/wait-ready';
import { readContainerLogs } from '../../lib/drivers/engine-api/container-logs';
import { followProgress } from '../../lib/drivers/engine-api/follow-progress';
import type { JsonEvent } from '../../lib/drivers/engine-api/json-lines-decoder';
import { LoopbackEngine } from '../helpers/loopback-engine';

/**
 * How Hoist reads the streams an engine sends (reliability item 35: every read bounded and
 * timed), against an engine played by a real HTTP server on loopback and real dockerode
 * clients: container logs (frames, TTY, endless, silent) and JSON-lines progress (malformed,
 * silent, cut off, endless).
 */

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Writes `chunk` until the client goes away (an engine that never stops). */
function endless(res: http.ServerResponse, chunk: Buffer | string): void {
  const write = () => {
    while (!res.destroyed && res.write(chunk)) { /* until the socket pushes back */ }
    if (!res.destroyed) res.once('drain', write);
  };
  write();
}

describe('engine streams', () => {
  const engine = new LoopbackEngine();
  const client = engine.client();
  before(() => engine.start());
  after(async () => {
    client.close();
    await engine.stop();
  });

  /** A progress stream from GET /v1.41/progress/<name>, as the route answers it. */
  function progressStream(name: string, answer: http.RequestListener): Promise<NodeJS.ReadableStream> {
    engine.route(`GET /v1.41/progress/${name}`, answer);
    return new Promise((resolve, reject) => {
      (rawEngine(client).modem as unknown as { dial(o: object, cb: (e: Error | null, s: NodeJS.ReadableStream) => void): void })
        .dial({ path: `/progress/${name}`, method: 'GET', isStream: true, statusCodes: { 200: true } }, (error, stream) => (error ? reject(error) : resolve(stream)));
    });
  }

  it('readContainerLogs strips the frame headers of a container without a TTY, stdout and stderr in order', async () => {
    engine.route('GET /v1.41/containers/plain/logs', (req, res) => {
      assert.match(String(req.url), /tail=10/);
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
      res.end(Buffer.concat([frame(1, 'starting\n'), frame(2, ''), frame(2, 'error: no config\n')]));
    });
    const logs = await readContainerLogs(rawEngine(client).getContainer('plain'));
    assert.deepEqual(logs, { text: 'starting\nerror: no config\n', truncated: false, damaged: false });
  });

  it('readContainerLogs takes the output of a container with a TTY as it is', async () => {
    engine.route('GET /v1.41/containers/tty/logs', (_req, res) => res.writeHead(200).end('\u001b[1mready\u001b[0m\r\n'));
    assert.equal((await readContainerLogs(rawEngine(client).getContainer('tty'))).text, '\u001b[1mready\u001b[0m\r\n');
  });

  it('readContainerLogs stops reading an engine that never ends the logs at maxInputBytes and keeps the last maxBytes', { timeout: 10_000 }, async () => {
    let closed!: () => void;
    const gone = new Promise<void>((resolve) => (closed = resolve));
    engine.route('GET /v1.41/containers/flood/logs', (_req, res) => {
      res.on('close', () => closed());
      res.writeHead(200);
      endless(res, frame(1, `${'x'.repeat(1000)}\n`));
    });
    const logs = await readContainerLogs(rawEngine(client).getContainer('flood'), { maxInputBytes: 1024 * 1024, maxBytes: 4096, timeoutMs: 8_000 });
    assert.equal(logs.truncated, true);
    assert.equal(logs.damaged, false);
    // The last 4096 bytes of what was read, headers stripped; the read stopped inside a line.
    assert.equal(logs.text.length, 4096);
    assert.match(logs.text, /^[x\n]+$/);
    assert.ok(logs.text.includes(`\n${'x'.repeat(1000)}\n`));
    await gone;
  });

  it('readContainerLogs returns what arrived when the engine goes silent, after timeoutMs', { timeout: 10_000 }, async () => {
    engine.route('GET /v1.41/containers/silent/logs', (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.concat([frame(1, 'first line\n'), frame(1, 'second').subarray(0, 10)]));
    });
    const started = Date.now();
    const logs = await readContainerLogs(rawEngine(client).getContainer('silent'), { timeoutMs: 300 });
    assert.ok(Date.now() - started < 5_000);
    // The frame cut short is the read's own doing (it stopped), not damage; its bytes are kept.
    assert.deepEqual(logs, { text: 'first line\nse', truncated: true, damaged: false });
  });

  it('readContainerLogs rejects when the engine has no such container', async () => {
    await assert.rejects(readContainerLogs(rawEngine(client).getContainer('missing')), /no such container|404/);
  });

  it('waitCompleted puts the last log lines of a failed container in its error, indented, as before', async () => {
    engine.route('GET /v1.41/containers/job/json', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ Name: '/shop-job', State: { Status: 'exited', ExitCode: 3 }, Config: {} }));
    });
    engine.route('GET /v1.41/containers/job/logs', (_req, res) => res.writeHead(200).end(Buffer.concat([frame(1, 'migrating\n'), frame(2, 'table exists\n\n')])));
    await assert.rejects(waitCompleted(client, 'job', 1_000), (error: Error) => {
      assert.equal(error.message, 'container shop-job exited with code 3; last log lines:\n    migrating\n    table exists');
      return true;
    });
  });

  it('followProgress gives each JSON event to onEvent and resolves at the end of the stream', async () => {
    const stream = await progressStream('ok', (_req, res) => {
      res.writeHead(200);
      res.write('{"status":"Pulling fs layer","id":"a1"}\r\n\n{"status":"Down');
      res.end('load complete","id":"a1"}\n{"status":"Done"}');
    });
    const events: JsonEvent[] = [];
    await followProgress(client, stream, 'pulling x on loopback', { onEvent: (e) => events.push(e) });
    assert.deepEqual(events, [{ status: 'Pulling fs layer', id: 'a1' }, { status: 'Download complete', id: 'a1' }, { status: 'Done' }]);
  });

  it('followProgress rejects, naming the operation, on a line that is not JSON (docker-modem threw it out of its data handler)', async () => {
    const stream = await progressStream('garbage', (_req, res) => res.writeHead(200).end('{"status":"ok"}\n<html>proxy error</html>\n'));
    await assert.rejects(followProgress(client, stream, 'pulling x on loopback'), /^Error: pulling x on loopback: the engine sent a progress stream Hoist cannot read \(line 2 \(24 bytes\) is not a JSON object\)$/);
  });

  it('followProgress rejects a line longer than maxLineBytes without keeping it', async () => {
    const stream = await progressStream('long', (_req, res) => {
      res.writeHead(200);
      endless(res, 'x'.repeat(4096));
    });
    await assert.rejects(followProgress(client, stream, 'building x on loopback', { maxLineBytes: 64 * 1024 }), /line 1 is longer than 65536 bytes/);
  });

  it('followProgress rejects when the engine sends nothing for idleTimeoutMs', { timeout: 10_000 }, async () => {
    const stream = await progressStream('silent', (_req, res) => {
      res.writeHead(200);
      res.write('{"status":"Waiting"}\n');
    });
    const started = Date.now();
    await assert.rejects(followProgress(client, stream, 'pushing x from loopback', { idleTimeoutMs: 300 }), /^Error: pushing x from loopback: the engine sent nothing for 0\.3 s; check the engine on loopback and run the command again$/);
    assert.ok(Date.now() - started >= 250);
  });

  it('followProgress rejects a stream the engine cuts off before its end instead of taking it for finished', { timeout: 10_000 }, async () => {
    const stream = await progressStream('cut', (_req, res) => {
      res.writeHead(200);
      res.write('{"status":"Extracting"}\n', () => res.destroy());
    });
    await assert.rejects(followProgress(client, stream, 'pulling x on loopback'), /pulling x on loopback: (the engine closed the stream before its end|the stream from the engine failed)/);
  });

  it('followProgress rejects a stream that never ends after maxDurationMs, although it keeps sending', { timeout: 10_000 }, async () => {
    const stream = await progressStream('forever', (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('{"status":"still going"}\n'), 20);
      res.on('close', () => clearInterval(timer));
    });
    let events = 0;
    await assert.rejects(followProgress(client, stream, 'building x on loopback', { maxDurationMs: 400, onEvent: () => events++ }), /building x on loopback: the engine's progress stream did not end within 0\.4 s; stopped/);
    assert.ok(events > 3, `${events} events before the limit`);
  });

  it('followProgress stops with the reason of its aborted signal', { timeout: 10_000 }, async () => {
    const stream = await progressStream('aborted', (_req, res) => {
      res.writeHead(200);
      res.write('{"status":"Step 1/2"}\n');
    });
    const abort = new AbortController();
    const followed = followProgress(client, stream, 'building x on loopback', { signal: abort.signal, onEvent: () => abort.abort(new Error('the session failed')) });
    await assert.rejects(followed, /^Error: the session failed$/);
  });

  it('pullImage fails with the engine\'s error event, and with a clear error on a malformed stream', async () => {
    let answer = '';
    engine.route('POST /v1.41/images/create', (_req, res) => res.writeHead(200).end(answer));
    answer = '{"status":"Pulling from library/app"}\n{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}\n';
    await assert.rejects(pullImage(client, 'app:1', () => undefined), /^Error: pulling app:1 on loopback failed: manifest unknown$/);
    answer = '{"status":"Pulling"}\n{"status": 5, "id": ["not", "a", "string"]}\n{"error": {"nested": true}}\n';
    await assert.rejects(pullImage(client, 'app:1', () => undefined), /^Error: pulling app:1 on loopback failed: \{"nested":true\}$/);
    answer = '{"status":"Pulling"}\n\u0000\u0001\u0002binary\n';
    await assert.rejects(pullImage(client, 'app:1', () => undefined), /pulling app:1 on loopback: the engine sent a progress stream Hoist cannot read/);
  });
});
