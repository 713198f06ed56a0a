import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { apply, DeployError, type DeployEvent, destroy, plan } from 'hoist/deploy';
import { deployAndDestroy, helloApp } from '../../examples/library-api/deploy';
import { ensureSandbox, IT_SANDBOX, SandboxInventory } from '../helpers/sandbox';

/** The events a run's reader cares about, in order (progress events of single actions left out). */
function milestones(events: readonly DeployEvent[]): string[] {
  return events
    .filter((e) => !['action-start', 'action-progress', 'action-done', 'history-recorded', 'lock-waiting'].includes(e.type))
    .map((e) => (e.type === 'plan-ready' ? `plan-ready${e.saved ? ' (saved)' : ''}` : 'command' in e ? `${e.type} ${e.command}` : e.type));
}

/**
 * The deploy API (lib/deploy, package export hoist/deploy) on real hosts: the README's
 * example (examples/library-api/deploy.ts) plans, applies, re-plans and destroys a stack on
 * the sandbox's Docker and Podman hosts; events arrive in order; a plan applied after the
 * hosts changed is refused.
 */
describe('deploy API on the sandbox: plan(), apply(), destroy() of examples/library-api (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let dir: string;

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-deploy-api-'));
    // A run killed earlier may have left the stacks behind.
    for (const name of ['libapi', 'libapi-stale']) await destroy(helloApp(path.join(inventory.dir, 'inventory.json'), dir, name), { lockTimeoutMs: 30_000 });
  });

  it('deployAndDestroy(): the first plan has changes, apply carries it out, the next plan is clean, destroy removes it all', async () => {
    const events: DeployEvent[] = [];
    const app = helloApp(path.join(inventory.dir, 'inventory.json'), dir, 'libapi');
    const run = await deployAndDestroy(app, (e) => events.push(e));
    const hosts = inventory.hosts.length;
    assert.equal(run.firstPlanHadChanges, true);
    assert.equal(run.secondPlanHadChanges, false, 'apply-then-plan is clean');
    assert.ok(run.applied.create >= hosts, `created a container per host: ${JSON.stringify(run.applied)}`);
    assert.ok(run.destroyed >= hosts, `destroy deleted a container per host: ${run.destroyed}`);

    assert.deepEqual(milestones(events), [
      // plan(): reads and lints, changes nothing.
      'plan-ready', 'lint',
      // apply(first): the saved plan, checked against fresh reads under the locks.
      'connected apply', 'lock-taken', 'plan-ready (saved)', 'lint', 'confirmed apply', 'stack-start', 'stack-done', 'executed apply', 'versions', 'verified apply', 'complete apply',
      // plan() again: clean.
      'plan-ready', 'lint',
      // destroy().
      'connected destroy', 'lock-taken', 'plan-ready', 'lint', 'confirmed destroy', 'stack-start', 'stack-done', 'executed destroy', 'verified destroy', 'complete destroy',
    ]);
    const done = events.filter((e) => e.type === 'action-done');
    assert.ok(done.length >= 2 * hosts, `${done.length} actions done`);
    const versions = events.find((e) => e.type === 'versions');
    assert.ok(versions && versions.type === 'versions');
    assert.deepEqual(versions.containers.map((c) => `${c.container}@${c.host} ${c.state}`).sort(), inventory.hosts.map((h) => `libapi-web-1@${h.name} running`).sort(), 'one replica per host, numbered per host');
  });

  it('apply(plan) of a plan made before the hosts changed is refused as stale-plan, changing nothing', async () => {
    const app = helloApp(path.join(inventory.dir, 'inventory.json'), dir, 'libapi-stale');
    const planned = await plan(app);
    await apply(planned);
    try {
      await assert.rejects(apply(planned), (error: unknown) => {
        assert.ok(DeployError.isDeployError(error));
        assert.equal(error.reason, 'stale-plan');
        assert.equal(error.nothingChanged, true);
        assert.match(error.message, /^saved plan is stale: .* changed since it was made; nothing was changed/);
        return true;
      });
      assert.equal((await plan(app)).hasChanges, false, 'the refused apply changed nothing');
    } finally {
      await destroy(app);
    }
  });
});
