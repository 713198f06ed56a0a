import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineType } from '../../lib';
import { RESOURCE_KINDS } from '../../lib/graph/resource-kind';
import { engineChoice } from '../../lib/schemas/host-props';
import { summarize } from '../../lib/synth/synth-report';
import { ENGINE_CHOICES, ENGINE_KINDS, isEngineKind } from '../../lib/values/engine-kind';

describe('engine kinds and resource kinds, each defined once', () => {
  it('the public EngineType enum has exactly the values of ENGINE_CHOICES', () => {
    assert.deepEqual(Object.values(EngineType).sort(), [...ENGINE_CHOICES].sort());
  });

  it('engineChoice accepts ENGINE_CHOICES and refuses anything else, naming the engines', () => {
    for (const choice of ENGINE_CHOICES) assert.equal(engineChoice.safeParse(choice).success, true, choice);
    const refused = engineChoice.safeParse('lxc');
    assert.equal(refused.success, false);
    assert.equal(refused.error?.issues[0].message, '"lxc" is not an engine (docker, podman or detect)');
  });

  it('isEngineKind says true for docker and podman only', () => {
    assert.deepEqual(['docker', 'podman', 'detect', 'Docker', undefined].map(isEngineKind), [true, true, false, false, false]);
    assert.deepEqual([...ENGINE_KINDS], ['docker', 'podman']);
  });

  it('summarize counts every kind of RESOURCE_KINDS, in that order, for a stack without resources', () => {
    const [summary] = summarize({ formatVersion: '1.0', stacks: [{ name: 'shop', path: 'shop', hosts: [], resources: [] }] });
    assert.deepEqual(Object.keys(summary.counts), [...RESOURCE_KINDS]);
    assert.deepEqual(Object.values(summary.counts), [0, 0, 0, 0, 0]);
  });
});
