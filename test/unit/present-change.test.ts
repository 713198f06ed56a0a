import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApplyOutput } from '../../lib/cli/apply-output';
import type { CliIo } from '../../lib/cli/cli-io';
import { presentChange } from '../../lib/cli/present-change';
import type { DeployEvent } from '../../lib/deploy/deploy-events';
import type { LockHolder } from '../../lib/engine/host-lock';
import type { PlanDocument, PlannedAction } from '../../lib/plan/plan-types';
import { renderPlanText } from '../../lib/plan/render-plan';

const at = () => new Date('2026-12-02T08:00:05.000Z');
const create: PlannedAction = { step: 1, host: 'web-1', kind: 'container', resource: 'container:shop/web#1@web-1', name: 'shop-web-1', action: 'create', service: 'web', causes: [] };
const replace: PlannedAction = { step: 2, host: 'web-2', kind: 'container', resource: 'container:shop/web#2@web-2', name: 'shop-web-2', action: 'replace', order: 'start-first', batch: 1, service: 'web', causes: [] };
const plan: PlanDocument = {
  format_version: '1.0', created_at: '2026-12-02T08:00:00.000Z', graph_hash: 'sha256:00', host_fingerprints: { 'web-1': 'a', 'web-2': 'b' },
  stacks: [{ stack: 'shop', actions: [create, replace], conflicts: [], kept: [] }],
  summary: { build: 0, create: 1, update: 0, replace: 1, delete: 0 }, targets: null,
};
const holder: LockHolder = {
  id: 'old1', stack: 'shop', host: 'web-1', user: 'ci', machine: 'runner-7', pid: 42, created: '2026-12-02T07:00:00Z', renewed: null,
  expires: '2026-12-02T07:05:00Z', expired: true, plan: null, message: 'hoist apply', containerId: 'c0ffee',
};

/** A failed apply as the library reports it, event by event. */
const failedRun: DeployEvent[] = [
  { type: 'connected', command: 'apply', hosts: ['web-1', 'web-2'], lockId: 'abc123' },
  { type: 'lock-waiting', stack: 'shop', hosts: ['web-1', 'web-2'], timeoutMs: 0 },
  { type: 'lock-taken', stack: 'shop', id: 'abc123', hosts: ['web-1', 'web-2'] },
  { type: 'lock-taken-over', stack: 'shop', holder },
  { type: 'plan-ready', plan, saved: false },
  { type: 'lint', results: [{ stack: 'shop', service: 'shop/web', image: 'image:busybox:latest', findings: [{ rule: 'no-health-check', severity: 'warning', line: null, message: 'has no health check' }, { rule: 'x', severity: 'info', line: null, message: 'not shown' }] }] },
  { type: 'confirmed', command: 'apply' },
  { type: 'stack-start', stack: 'shop', revision: 3, actions: 2 },
  { type: 'action-start', stack: 'shop', action: create },
  { type: 'action-done', stack: 'shop', action: create, ms: 1250 },
  { type: 'action-start', stack: 'shop', action: replace },
  { type: 'action-failed', stack: 'shop', action: replace, error: 'not healthy within 60s' },
  { type: 'stack-done', stack: 'shop', ok: false },
  { type: 'executed', command: 'apply' },
  { type: 'versions', containers: [
    { stack: 'shop', host: 'web-2', container: 'shop-web-2', revision: 2, image: 'busybox:latest', state: 'running' },
    { stack: 'shop', host: 'web-1', container: 'shop-web-1', revision: 3, image: 'busybox:latest', state: 'running' },
  ] },
  { type: 'verify-unreachable', command: 'apply', host: 'web-3', error: 'timed out' },
  { type: 'history-recorded', stack: 'shop', host: 'web-1', revision: 3 },
  { type: 'warning', host: 'web-2', message: 'could not add to the history on web-2: disk full' },
  { type: 'incomplete', done: 1, failed: 1, notStarted: [], rolledBack: [{ service: 'web', host: 'web-1', name: 'shop-web-1', ok: false, error: 'gone\nmore' }] },
  { type: 'lock-release-failed', host: 'web-2', id: 'abc123', error: 'connection reset' },
];

function recorder(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(`out ${l}`), err: (l) => lines.push(`err ${l}`) };
}

describe('presentChange: the CLI shows the library\'s events as hoist apply always printed them', () => {
  it('plain lines: plan, lint, warnings, progress, what runs now and the failure summary, each on its stream', () => {
    const io = recorder();
    const present = presentChange('apply', io, { json: false, color: false, output: createApplyOutput(io, 'lines', at) });
    for (const event of failedRun) present.event(event);
    present.close();
    assert.deepEqual(io.lines, [
      'err warning: took over the expired lock of ci@runner-7 (id old1, expired 2026-12-02T07:05:00Z) on web-1',
      ...renderPlanText(plan, { color: false }).map((l) => `out ${l}`),
      'err lint warning: shop/web (service) no-health-check: has no health check',
      'out 08:00:05 stack shop: applying 2 action(s) as revision 3',
      'out 08:00:05 web-1  start create container shop-web-1',
      'out 08:00:05 web-1  done  create container shop-web-1 (1.3s)',
      'out 08:00:05 web-2  start replace container shop-web-2 (start-first, batch 1)',
      'out 08:00:05 web-2  FAILED replace container shop-web-2 (start-first, batch 1): not healthy within 60s',
      'out 08:00:05 stack shop: not complete',
      'out What runs now:\n  shop-web-1@web-1: revision 3, busybox:latest, running\n  shop-web-2@web-2: revision 2, busybox:latest, running',
      'out   web-3: did not answer after the apply (timed out); its state is unknown',
      'err warning: could not add to the history on web-2: disk full',
      'out 1 action(s) done, 1 failed, 0 not started\n  could NOT roll back: shop-web-1@web-1 (gone)',
      'err warning: the lock on web-2 could not be released (connection reset); once the host answers, run: hoist lock release --id abc123',
    ]);
  });

  it('--json: the plan, every executor event, what runs now and messages as NDJSON records; lint stays off stdout', () => {
    const io = recorder();
    const present = presentChange('apply', io, { json: true, output: createApplyOutput(io, 'json', at) });
    for (const event of failedRun) present.event(event);
    const records = io.lines.filter((l) => l.startsWith('out ')).map((l) => JSON.parse(l.slice(4)));
    assert.deepEqual(records.map((r) => r.type), ['plan', 'stack-start', 'action-start', 'action-done', 'action-start', 'action-failed', 'stack-done', 'message', 'versions', 'message', 'message']);
    assert.deepEqual(records[0], { time: '2026-12-02T08:00:05.000Z', type: 'plan', plan });
    assert.deepEqual(records[8].containers[0], { stack: 'shop', host: 'web-2', container: 'shop-web-2', revision: 2, image: 'busybox:latest', state: 'running' });
    assert.equal(io.lines.some((l) => l.includes('lint warning')), false);
  });

  it('a saved plan is not shown again; the end of a change is one summary line (and a result record with --json)', () => {
    const io = recorder();
    const present = presentChange('rollback', io, { json: false, color: false, output: createApplyOutput(io, 'lines', at) });
    present.event({ type: 'rollback-target', stack: 'shop', revision: 2 });
    present.event({ type: 'plan-ready', plan, saved: true });
    present.event({ type: 'verified', command: 'rollback' });
    present.event({ type: 'pruned', removed: ['shop/web:1@web-1', 'shop/web:2@web-1'] });
    present.event({ type: 'complete', command: 'rollback', summary: { build: 1, create: 1, update: 0, replace: 2, delete: 0 }, revision: 2 });
    assert.deepEqual(io.lines, [
      'err Rolling shop back to revision 2.',
      'out Removed 2 old image version(s) beyond each image\'s keepVersions: shop/web:1@web-1, shop/web:2@web-1',
      'out Rollback to revision 2 complete: 1 built, 1 created, 0 updated, 2 replaced, 0 deleted; the hosts match the graph.',
    ]);
    const json = recorder();
    const jsonPresent = presentChange('destroy', json, { json: true, output: createApplyOutput(json, 'json', at) });
    jsonPresent.event({ type: 'no-changes', command: 'destroy' });
    jsonPresent.event({ type: 'complete', command: 'destroy', summary: plan.summary });
    assert.deepEqual(json.lines.map((l) => JSON.parse(l.slice(4))), [
      { time: '2026-12-02T08:00:05.000Z', type: 'message', text: 'Nothing to destroy: the stacks have nothing on their hosts.' },
      { time: '2026-12-02T08:00:05.000Z', type: 'message', text: 'Destroy complete: 1 created, 0 updated, 1 replaced, 0 deleted; the hosts match the graph.' },
      { time: '2026-12-02T08:00:05.000Z', type: 'result', ok: true, summary: plan.summary },
    ]);
  });

  it('a lost lock is a warning that says no new step starts', () => {
    const io = recorder();
    presentChange('apply', io, { json: false, color: false, output: createApplyOutput(io, 'lines', at) }).event({ type: 'lock-lost', host: 'web-1', message: 'host web-1: the lock of shop was taken over' });
    assert.deepEqual(io.lines, ['err warning: host web-1: the lock of shop was taken over; stopping: no new step starts']);
  });
});
