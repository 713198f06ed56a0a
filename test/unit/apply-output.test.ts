import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApplyEvent } from '../../lib/apply/apply-events';
import { createApplyOutput, describeEvent } from '../../lib/cli/apply-output';
import type { PlannedAction } from '../../lib/plan/plan-types';

const action: PlannedAction = { step: 2, host: 'web-1', kind: 'container', resource: 'container:shop/web#1@web-1', name: 'shop-web-1', action: 'replace', order: 'start-first', batch: 1, service: 'web', causes: [] };
const events: ApplyEvent[] = [
  { type: 'stack-start', stack: 'shop', revision: 4, actions: 1 },
  { type: 'action-start', stack: 'shop', action },
  { type: 'action-failed', stack: 'shop', action, error: 'container shop-web-1-hoist-next was not healthy within 60s' },
  { type: 'rollback-start', stack: 'shop', service: 'web', containers: ['shop-web-1@web-2'] },
  { type: 'rollback-done', stack: 'shop', service: 'web', container: 'shop-web-1', host: 'web-2', ok: true },
  { type: 'stack-done', stack: 'shop', ok: false },
];
const at = () => new Date('2026-11-27T08:00:05.000Z');

describe('apply output', () => {
  it('plain lines: one timestamped line per event, saying host, action and outcome', () => {
    const lines: string[] = [];
    const output = createApplyOutput({ out: (l) => lines.push(l), err: () => undefined }, 'lines', at);
    for (const e of events) output.event(e);
    assert.deepEqual(lines, [
      '08:00:05 stack shop: applying 1 action(s) as revision 4',
      '08:00:05 web-1  start replace container shop-web-1 (start-first, batch 1)',
      '08:00:05 web-1  FAILED replace container shop-web-1 (start-first, batch 1): container shop-web-1-hoist-next was not healthy within 60s',
      '08:00:05 stack shop: rolling back web on shop-web-1@web-2',
      '08:00:05 web-2  rolled back shop-web-1',
      '08:00:05 stack shop: not complete',
    ]);
  });

  it('--json: one JSON object per line with time and type, records and messages included', () => {
    const lines: string[] = [];
    const output = createApplyOutput({ out: (l) => lines.push(l), err: () => undefined }, 'json', at);
    for (const e of events) output.event(e);
    output.message('Apply complete');
    output.record('result', { ok: true });
    const parsed = lines.map((l) => JSON.parse(l));
    assert.deepEqual(parsed.map((p) => p.type), ['stack-start', 'action-start', 'action-failed', 'rollback-start', 'rollback-done', 'stack-done', 'message', 'result']);
    assert.ok(parsed.every((p) => p.time === '2026-11-27T08:00:05.000Z'));
    assert.equal(parsed[2].action.name, 'shop-web-1');
    assert.deepEqual(parsed[7], { time: '2026-11-27T08:00:05.000Z', type: 'result', ok: true });
  });

  it('describes every event kind', () => {
    assert.equal(describeEvent({ type: 'interrupted', stack: 'shop', pending: 3 }), 'stack shop: stopped on request; 3 action(s) not started');
    assert.equal(describeEvent({ type: 'action-progress', stack: 'shop', action: { ...action, kind: 'image', action: 'create', name: 'busybox:1.36' }, message: 'Downloading' }), 'web-1  create image busybox:1.36: Downloading');
  });
});
