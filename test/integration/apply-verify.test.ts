import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Image, Inventory, Service, Stack, Testing } from '../../lib';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { openAllHosts, OpenHost } from '../../lib/drivers/open-host';
import { runHoist, startHoist } from '../helpers/cli';
import { removeStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory } from '../helpers/sandbox';

const STACK = 'rvf';

/**
 * Reliability item 8: after apply, the hosts are read again and compared with the graph; a
 * host changed under the run (a container removed by hand once its action was done) makes
 * the apply fail with "inconsistent result", naming the resource, never report success.
 */
describe('the result check after hoist apply (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let hosts: OpenHost[] = [];
  let file: string;

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-verify-'));
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, STACK);
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    const placement = { hosts: inv.hosts.filter((h) => ['host-1', 'host-2'].includes(h.node.id)) };
    const common = { image: Image.fromRegistry('busybox:latest'), command: ['sleep', '3600'], stopGracePeriod: '1s', replicas: 2, placement };
    // first is created in step 1; second waits for it, so step 2 runs for its readiness delay.
    const first = new Service(stack, 'first', common);
    new Service(stack, 'second', { ...common, dependsOn: [first] });
    const graph: GraphDocument = Testing.synth(app);
    file = path.join(dir, 'graph.json');
    fs.writeFileSync(file, JSON.stringify(graph));
    hosts = await openAllHosts(graph.stacks[0].hosts, { projectDir: dir, trustNewHosts: false });
    for (const open of hosts) await removeStack(open, STACK);
  });

  after(async () => {
    for (const open of hosts) {
      await removeStack(open, STACK).catch(() => undefined);
      open.close();
    }
  });

  it('a container removed by hand during the apply makes it fail with "inconsistent result", naming it on each engine', async () => {
    const run = startHoist(['apply', '--graph', file, '--yes', '--json']);
    // Once step 1 is done on both hosts, remove its containers while step 2 still runs.
    const deadline = Date.now() + 120_000;
    const firstDone = () => run.stdout().split('\n').filter((l) => l.includes('"type":"action-done"') && l.includes('"rvf-first-1"')).length;
    while (firstDone() < 2) {
      assert.ok(Date.now() < deadline && run.child.exitCode === null, `step 1 never finished on both hosts:\n${run.stdout()}\n${run.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const open of hosts) await rawEngine(open.engine).getContainer(`${STACK}-first-1`).remove({ force: true });
    const result = await run.finished;
    assert.equal(result.status, 1, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stderr, /inconsistent result after apply: the hosts still differ from the graph:\n(.*\n)*.*create container rvf-first-1@host-1/);
    assert.match(result.stderr, /create container rvf-first-1@host-2/);
    assert.doesNotMatch(result.stdout, /"type":"result","ok":true/, 'never reported as a success');
    // The next apply puts them back.
    const again = runHoist(['apply', '--graph', file, '--yes'], { timeoutMs: 300_000 });
    assert.equal(again.status, 0, `${again.stdout}\n${again.stderr}`);
    assert.match(again.stdout, /Apply complete: 2 created/);
  });
});
