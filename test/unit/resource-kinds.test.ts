import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unsupportedActions } from '../../lib/apply/execute-plan';
import { FakeEngine } from '../../lib/drivers/fake/fake-engine';
import type { StackGraph } from '../../lib/graph/graph-document';
import { RESOURCE_KINDS } from '../../lib/graph/resource-kind';
import { kindDefinition, RESOURCE_KIND_DEFINITIONS } from '../../lib/kinds/resource-kinds';
import type { PlannedAction } from '../../lib/plan/plan-types';

const LIB = join(__dirname, '..', '..', 'lib');
const EMPTY_STACK: StackGraph = { name: 'shop', path: 'shop', hosts: [], resources: [] };

describe('resource kinds: one definition each, registered in one place', () => {
  it('every kind of RESOURCE_KINDS has its definition, in that order', () => {
    assert.deepEqual(RESOURCE_KIND_DEFINITIONS.map((d) => d.kind), [...RESOURCE_KINDS]);
    for (const kind of RESOURCE_KINDS) assert.equal(kindDefinition(kind).kind, kind);
  });

  it('every kind a plan acts on plans and executes; secrets travel with their containers and do neither', () => {
    for (const definition of RESOURCE_KIND_DEFINITIONS) {
      const acts = definition.kind !== 'secret';
      assert.equal(typeof definition.planWanted === 'function', acts, `${definition.kind}: planWanted`);
      assert.equal(typeof definition.executor === 'function', acts, `${definition.kind}: executor`);
    }
  });

  it('deletions go containers, then networks, then volumes: nothing is removed while something still uses it', () => {
    const order = RESOURCE_KIND_DEFINITIONS.filter((d) => d.deletionOrder !== undefined).sort((a, b) => a.deletionOrder! - b.deletionOrder!).map((d) => d.kind);
    assert.deepEqual(order, ['container', 'network', 'volume']);
  });

  it('the planner loop and the executor name no kind: what a kind does is its definition', () => {
    for (const file of ['plan/plan-stack.ts', 'apply/execute-plan.ts']) {
      const code = readFileSync(join(LIB, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const kind of RESOURCE_KINDS) assert.doesNotMatch(code, new RegExp(`['\`]${kind}[:'\`]`), `${file} names the kind ${kind}`);
    }
  });

  it("a plan is refused before anything changes by the kinds' own refusals", () => {
    const action = (kind: PlannedAction['kind'], type: PlannedAction['action']): PlannedAction => ({ step: 1, host: 'h1', kind, resource: `${kind}:shop/x@h1`, name: 'shop_x', action: type, causes: [] });
    const problems = unsupportedActions({ stack: 'shop', actions: [action('network', 'replace'), action('volume', 'replace'), action('network', 'create')], conflicts: [], kept: [] }, EMPTY_STACK);
    assert.deepEqual(problems, [
      'network shop_x@h1: replacing networks is not supported by apply yet',
      'volume shop_x@h1: replacing volumes is not supported by apply yet',
    ]);
  });

  it("an executor refuses a resource the graph does not hold, naming it, and leaves the engine as it was", async () => {
    const driver = new FakeEngine({ host: 'h1' }).driver();
    const context = { stack: EMPTY_STACK, revision: 1, clients: new Map([['h1', driver]]), secrets: new Map(), imageSecrets: new Map(), projectDir: '.' };
    for (const kind of ['network', 'volume', 'image', 'container'] as const) {
      const executor = kindDefinition(kind).executor!(context);
      await assert.rejects(executor.execute({ step: 1, host: 'h1', kind, resource: `${kind}:shop/x@h1`, name: 'shop_x', action: 'create', causes: [] }, driver, () => undefined), new RegExp(`${kind}:shop/x@h1 is not in the graph`));
      executor.dispose?.();
    }
    assert.deepEqual(await driver.listNetworks(), []);
    assert.deepEqual(await driver.listVolumes(), []);
    assert.deepEqual(await driver.listContainers(), []);
  });
});
