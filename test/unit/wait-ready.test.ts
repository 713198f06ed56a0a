import * as assert from 'node:assert/strict';
import type * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { READINESS_DELAY_MS, waitReady } from '../../lib/kinds/container/wait-ready';
import { LoopbackEngine } from '../helpers/loopback-engine';

/**
 * waitReady for containers without a health check, against an engine on loopback that answers
 * each inspect from a script: ready once it kept running, without a restart, for the delay.
 */
describe('waitReady without a health check (lib/kinds/container/wait-ready.ts)', () => {
  const engine = new LoopbackEngine();
  let answers: ((res: http.ServerResponse) => void)[] = [];
  let reads = 0;
  const inspect = (state: Record<string, unknown>, restarts = 0) => (res: http.ServerResponse) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({
    Id: 'c1', Name: '/shop-web-1-hoist-next', Image: 'sha256:busybox', RestartCount: restarts,
    Config: { Healthcheck: null }, State: { Running: state.Status === 'running', ExitCode: 0, ...state }, NetworkSettings: {},
  }));

  before(async () => {
    await engine.start();
    engine.route('GET /v1.41/containers/c1/json', (_req, res) => answers[Math.min(reads++, answers.length - 1)](res));
  });
  after(() => engine.stop());

  it(`is ready after it kept running for ${READINESS_DELAY_MS} ms, not sooner`, async () => {
    reads = 0;
    answers = [inspect({ Status: 'running', StartedAt: '2026-12-07T03:00:00.1Z' })];
    const started = Date.now();
    await waitReady(engine.client(), 'c1', 30_000);
    const took = Date.now() - started;
    assert.ok(took >= READINESS_DELAY_MS && took < READINESS_DELAY_MS + 1000, `took ${took} ms`);
    assert.equal(READINESS_DELAY_MS, 1000);
  });

  it('fails a container that exited and was restarted by its restart policy between two reads', async () => {
    reads = 0;
    answers = [
      inspect({ Status: 'running', StartedAt: '2026-12-07T03:00:00.1Z' }),
      inspect({ Status: 'running', StartedAt: '2026-12-07T03:00:00.6Z' }, 1),
    ];
    await assert.rejects(waitReady(engine.client(), 'c1', 30_000), /shop-web-1-hoist-next exited and was restarted \(restart count 1\) within 1s of its start/);
  });

  it('fails a container that exited, with its exit code', async () => {
    reads = 0;
    answers = [inspect({ Status: 'exited', ExitCode: 3, StartedAt: '2026-12-07T03:00:00.1Z' })];
    await assert.rejects(waitReady(engine.client(), 'c1', 30_000), /exited with code 3/);
  });
});
