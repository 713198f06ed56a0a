import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Image, Inventory, Network, Service, Stack, Testing, Volume } from '../../lib';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { openAllHosts, OpenHost } from '../../lib/drivers/open-host';
import { runHoist, REPO_ROOT } from '../helpers/cli';
import { execIn } from '../helpers/exec';
import { removeStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory, sshRun } from '../helpers/sandbox';

const STACK = 'rds';

describe('image pulls, hoist destroy and hoist history (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let hosts: OpenHost[] = [];
  let reference: string;
  let file: string;

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-destroy-'));
    // An image only the sandbox's registry has: apply must pull it on every host.
    const registry = `${inventory.hosts[0].address.replace(/\.\d+$/, '.1')}:5000`;
    reference = `${registry}/rds/busybox:1`;
    const push = sshRun(inventory, 'host-1', `docker tag busybox:latest ${reference} && docker push ${reference} >/dev/null`);
    assert.equal(push.status, 0, push.stderr);
    const app = Testing.app({ projectDir: REPO_ROOT });
    const stack = new Stack(app, STACK);
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    const data = new Volume(stack, 'data');
    new Service(stack, 'web', {
      image: Image.fromRegistry(reference),
      command: ['sh', '-c', 'exec httpd -f -p 8080 -h /data'],
      mounts: [data.mount('/data')],
      networks: [new Network(stack, 'net')],
      replicas: inv.hosts.length,
      stopGracePeriod: '1s',
    });
    const graph: GraphDocument = Testing.synth(app);
    file = path.join(dir, 'graph.json');
    fs.writeFileSync(file, JSON.stringify(graph));
    hosts = await openAllHosts(graph.stacks[0].hosts, { projectDir: REPO_ROOT, trustNewHosts: false });
    for (const open of hosts) {
      await removeStack(open, STACK);
      await rawEngine(open.engine).getImage(reference).remove({ force: true }).catch(() => undefined);
    }
  });

  after(async () => {
    for (const open of hosts) {
      await removeStack(open, STACK).catch(() => undefined);
      open.close();
    }
  });

  it('apply pulls the image on every host that lacks it, then plans clean', async () => {
    const r = runHoist(['apply', '--graph', file, '--yes'], { timeoutMs: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    for (const host of ['host-1', 'host-2', 'host-3']) assert.match(r.stdout, new RegExp(`${host} +done +create image ${reference.replace(/[.]/g, '\\.')}`));
    assert.equal(runHoist(['plan', '--graph', file, '--detailed-exitcode']).status, 0);
    for (const open of hosts) assert.ok(await rawEngine(open.engine).getImage(reference).inspect(), `${open.spec.name} has the image`);
  });

  it('destroy asks (needs --yes without a terminal), removes containers and networks, keeps volumes and their data', async () => {
    const write = await execIn(rawEngine(hosts[0].engine), `${STACK}-web-1`, ['sh', '-c', 'echo kept > /data/index.html']);
    assert.equal(write.exitCode, 0, write.stderr);
    const refused = runHoist(['destroy', '--graph', file]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /hoist destroy needs --yes when not run interactively; nothing was changed/);
    assert.equal(runHoist(['plan', '--graph', file, '--detailed-exitcode']).status, 0, 'nothing was changed');

    const r = runHoist(['destroy', '--graph', file, '--yes'], { timeoutMs: 120_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Destroy complete: 0 created, 0 updated, 0 replaced, 6 deleted/);
    assert.match(r.stdout, /volume rds-data .*kept|kept.*rds-data/s);
    for (const open of hosts) {
      const docker = rawEngine(open.engine);
      assert.deepEqual((await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`hoist.stack=${STACK}`] }) })).length, 0, open.spec.name);
      assert.ok(!(await docker.listNetworks()).some((n) => n.Name === `${STACK}-net`), open.spec.name);
      assert.ok(((await docker.listVolumes()).Volumes ?? []).some((v) => v.Name === `${STACK}-data`), `the volume stays on ${open.spec.name}`);
    }
    const again = runHoist(['destroy', '--graph', file, '--yes']);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /Nothing to destroy/);

    const back = runHoist(['apply', '--graph', file, '--yes'], { timeoutMs: 300_000 });
    assert.equal(back.status, 0, `${back.stdout}\n${back.stderr}`);
    const read = await execIn(rawEngine(hosts[0].engine), `${STACK}-web-1`, ['cat', '/data/index.html']);
    assert.equal(read.stdout.toString(), 'kept\n', 'the data came back with the volume');
  });

  it('destroy --remove-volumes deletes the volumes too; history lists every run, newest first', async () => {
    const r = runHoist(['destroy', '--graph', file, '--yes', '--remove-volumes'], { timeoutMs: 120_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    for (const open of hosts) {
      assert.ok(!((await rawEngine(open.engine).listVolumes()).Volumes ?? []).some((v) => v.Name === `${STACK}-data`), open.spec.name);
    }
    const history = runHoist(['history', '--graph', file, '--json']);
    assert.equal(history.status, 0, history.stderr);
    const runs = JSON.parse(history.stdout).stacks[0].runs as { command: string; hosts: { host: string; outcome: string; done: { create: number; delete: number } }[] }[];
    assert.deepEqual(runs.slice(0, 4).map((run) => run.command), ['destroy', 'apply', 'destroy', 'apply']);
    assert.deepEqual(runs[0].hosts.map((h) => `${h.host}:${h.outcome}:${h.done.delete}`).sort(), ['host-1:applied:3', 'host-2:applied:3', 'host-3:applied:3']);
    const text = runHoist(['history', '--graph', file]);
    assert.match(text.stdout, /Stack rds: \d+ most recent run\(s\)\n  \S+  destroy revision \d+  applied  by \S+@\S+  \(id [0-9a-f]{12}\)\n    host-1: applied; 0 created, 0 updated, 0 replaced, 3 deleted/);
  });
});
