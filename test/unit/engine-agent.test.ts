import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { EngineAgent } from '../../lib/drivers/engine-api/engine-agent';
import type { IHostConnection } from '../../lib/transport/host-connection';

/** A stream like an SSH channel to an engine that reads requests and answers after `delayMs` (or never). */
function engineStream(delayMs: number | null): Duplex {
  const stream: Duplex = new Duplex({
    read() {},
    write(_chunk, _encoding, done) {
      if (delayMs !== null) {
        setTimeout(() => stream.push('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nOK'), delayMs);
      }
      done();
    },
  });
  return stream;
}

/** Like an ssh2 channel: destroy() only asks the server to close, so 'close' may never come. */
function sshLikeStream(): Duplex {
  const stream = engineStream(5);
  stream.destroy = () => {
    stream.end();
    return stream;
  };
  return stream;
}

function get(agent: http.Agent, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ agent, host: 'engine', path: '/_ping', timeout: timeoutMs }, (response) => {
      let body = '';
      response.on('data', (c) => (body += c));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

describe('EngineAgent over forwarded streams', () => {
  // A real host connection is an SSH socket that keeps the process alive; these fake streams
  // are not, and the agent's idle timers are unref'd on purpose, so stand in for the socket.
  let connectionHandle: NodeJS.Timeout;
  before(() => {
    connectionHandle = setInterval(() => undefined, 1000);
  });
  after(() => clearInterval(connectionHandle));
  const connection = (delayMs: number | null): IHostConnection => ({ host: 'h1', openStream: async () => engineStream(delayMs), close: () => undefined });

  it('a request the engine never answers fails at the timeout instead of waiting forever', async () => {
    const started = Date.now();
    await assert.rejects(get(new EngineAgent(connection(null), '/run/docker.sock'), 300), /no answer within 300 ms/);
    assert.ok(Date.now() - started < 2000, `failed after ${Date.now() - started} ms`);
  });

  it('an answer within the timeout arrives whole', async () => {
    assert.equal(await get(new EngineAgent(connection(50), '/run/docker.sock'), 1000), 'OK');
  });

  it('reuses a stream for request after request without piling up timeout listeners', async () => {
    const streams: Duplex[] = [];
    const agent = new EngineAgent({ host: 'h1', openStream: async () => { const s = engineStream(1); streams.push(s); return s; }, close: () => undefined }, '/run/docker.sock');
    for (let i = 0; i < 15; i++) assert.equal(await get(agent, 1000), 'OK');
    assert.equal(streams.length, 1, 'one kept-alive stream served every request');
    assert.ok(streams[0].listenerCount('timeout') <= 2, `${streams[0].listenerCount('timeout')} timeout listeners`);
  });

  it('bursts of concurrent requests never leave later requests queued without a socket', async () => {
    const agent = new EngineAgent({ host: 'h1', openStream: async () => sshLikeStream(), close: () => undefined }, '/run/docker.sock');
    for (let burst = 0; burst < 3; burst++) {
      const answers = await Promise.all(Array.from({ length: 30 }, () => get(agent, 2000)));
      assert.deepEqual([...new Set(answers)], ['OK']);
    }
    assert.equal(await get(agent, 2000), 'OK', 'a request after the bursts is served');
  });

  it('a stream that dies mid-request leaves no timer behind to keep the process alive', () => {
    // A child process: one request with a two-minute timeout on a stream that then ends
    // without closing, as an SSH channel does when the connection to a host that stopped
    // answering is torn down. Before the timers were unref'd, it lived on for two minutes.
    const script = `
      const http = require('node:http');
      const { Duplex } = require('node:stream');
      const { EngineAgent } = require(${JSON.stringify(require.resolve('../../lib/drivers/engine-api/engine-agent'))});
      // Like an ssh2 channel of a torn-down connection: it ends, and 'close' never comes.
      const stream = new Duplex({ read() {}, write(_c, _e, done) { done(); }, autoDestroy: false, emitClose: false });
      const agent = new EngineAgent({ host: 'h1', openStream: async () => stream, close() {} }, '/run/docker.sock');
      const request = http.get({ agent, host: 'engine', path: '/_ping', timeout: 120000 });
      request.on('error', () => console.log('failed'));
      setTimeout(() => stream.push(null), 100);
    `;
    const started = Date.now();
    const r = require('node:child_process').spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /failed/);
    assert.ok(Date.now() - started < 10_000, `the process lingered ${Date.now() - started} ms`);
  });
});
