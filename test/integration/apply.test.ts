import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HealthCheck, Image, Inventory, Network, Service, Stack, Testing } from '../../lib';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { openAllHosts, OpenHost } from '../../lib/drivers/open-host';
import { runHoist, startHoist, REPO_ROOT } from '../helpers/cli';
import { removeStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory } from '../helpers/sandbox';

const STACK = 'rta';

/** A small stack: 3 replicas of a busybox web server with an HTTP health check. */
function graphFile(inventory: SandboxInventory, mode: string, dir: string): string {
  const app = Testing.app({ projectDir: REPO_ROOT });
  const stack = new Stack(app, STACK);
  const hosts = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
  new Service(stack, 'web', {
    image: Image.fromRegistry('busybox:latest'),
    command: ['sh', '-c', 'mkdir -p /tmp/w && echo "$MODE" > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w'],
    environment: { MODE: mode },
    networks: [new Network(stack, 'net')],
    replicas: hosts.hosts.length,
    healthCheck: HealthCheck.http(8080, { interval: '1s', timeout: '1s', retries: 3 }),
  });
  const graph: GraphDocument = Testing.synth(app);
  const file = path.join(dir, `graph-${mode}.json`);
  fs.writeFileSync(file, JSON.stringify(graph));
  return file;
}

describe('hoist apply on sandbox hosts (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let hosts: OpenHost[] = [];

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-apply-'));
    const graph: GraphDocument = JSON.parse(fs.readFileSync(graphFile(inventory, 'a', dir), 'utf8'));
    hosts = await openAllHosts(graph.stacks[0].hosts, { projectDir: REPO_ROOT, trustNewHosts: false });
    for (const open of hosts) await removeStack(open, STACK);
  });

  after(async () => {
    for (const open of hosts) {
      await removeStack(open, STACK).catch(() => undefined);
      open.close();
    }
  });

  it('creates everything, then plan shows no changes and a second apply changes nothing', () => {
    const file = graphFile(inventory, 'a', dir);
    const first = runHoist(['apply', '--graph', file, '--yes'], { cwd: REPO_ROOT, timeoutMs: 300_000 });
    assert.equal(first.status, 0, `${first.stdout}\n${first.stderr}`);
    assert.match(first.stdout, /Apply complete: 6 created, 0 updated, 0 replaced, 0 deleted; the hosts match the graph\./);
    assert.equal(runHoist(['plan', '--graph', file, '--detailed-exitcode'], { cwd: REPO_ROOT }).status, 0);
    const again = runHoist(['apply', '--graph', file, '--yes'], { cwd: REPO_ROOT });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /No changes: the hosts match the graph\./);
  });

  it('replaces changed containers start-first behind their health checks, on both engines', async () => {
    const file = graphFile(inventory, 'b', dir);
    // Revisions keep growing across runs (the hosts' history counts): the next one is one more.
    const before = Number((await rawEngine(hosts[0].engine).getContainer(`${STACK}-web-1`).inspect()).Config.Labels['hoist.revision']);
    const r = runHoist(['apply', '--graph', file, '--yes'], { cwd: REPO_ROOT, timeoutMs: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Apply complete: 0 created, 0 updated, 3 replaced, 0 deleted/);
    assert.equal(runHoist(['plan', '--graph', file, '--detailed-exitcode'], { cwd: REPO_ROOT }).status, 0);
    for (const open of hosts) {
      const inspect = await rawEngine(open.engine).getContainer(`${STACK}-web-1`).inspect();
      assert.ok(inspect.Config.Env.includes('MODE=b'), `${open.spec.name}`);
      assert.equal(inspect.Config.Labels['hoist.revision'], String(before + 1));
    }
  });

  it('without a terminal, apply needs --yes and changes nothing', () => {
    const file = graphFile(inventory, 'c', dir);
    const r = runHoist(['apply', '--graph', file], { cwd: REPO_ROOT });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /hoist apply needs --yes when not run interactively .*nothing was changed/);
    assert.equal(runHoist(['plan', '--graph', graphFile(inventory, 'b', dir), '--detailed-exitcode'], { cwd: REPO_ROOT }).status, 0);
  });

  it('refuses a saved plan when a host changed since it was made', async () => {
    const file = graphFile(inventory, 'c', dir);
    const planFile = path.join(dir, 'plan.json');
    assert.equal(runHoist(['plan', '--graph', file, '--out', planFile], { cwd: REPO_ROOT }).status, 0);
    await rawEngine(hosts[1].engine).getContainer(`${STACK}-web-1`).stop({ t: 0 });
    const r = runHoist(['apply', planFile], { cwd: REPO_ROOT });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /saved plan is stale: host-2 changed since it was made; nothing was changed/);
    assert.match(runHoist(['lock', 'status', '--graph', file]).stdout, /not locked on any of 3 host\(s\)/, 'the refused apply released its locks');
    const inspect = await rawEngine(hosts[1].engine).getContainer(`${STACK}-web-1`).inspect();
    assert.equal(inspect.State.Running, false, 'nothing was started');
  });

  it('applies a fresh saved plan exactly, without asking (also on hosts never locked before)', async () => {
    // Locking a host for the first time imports the lock image; that must not make the plan stale.
    for (const open of hosts) await rawEngine(open.engine).getImage('hoist/lock:1').remove({ force: true }).catch(() => undefined);
    const file = graphFile(inventory, 'c', dir);
    const planFile = path.join(dir, 'plan2.json');
    assert.equal(runHoist(['plan', '--graph', file, '--out', planFile], { cwd: REPO_ROOT }).status, 0);
    const r = runHoist(['apply', planFile], { cwd: REPO_ROOT, timeoutMs: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(runHoist(['plan', '--graph', file, '--detailed-exitcode'], { cwd: REPO_ROOT }).status, 0);
  });

  it('of two applies started together, one runs and the other fails fast naming it, touching nothing', async () => {
    const file = graphFile(inventory, 'e', dir);
    const first = startHoist(['apply', '--graph', file, '--yes'], { cwd: REPO_ROOT });
    const second = startHoist(['apply', '--graph', file, '--yes'], { cwd: REPO_ROOT });
    const results = await Promise.all([first.finished, second.finished]);
    const winners = results.filter((r) => r.status === 0);
    const losers = results.filter((r) => r.status !== 0);
    assert.equal(winners.length, 1, results.map((r) => r.stderr).join('\n'));
    assert.equal(losers.length, 1);
    assert.match(losers[0].stderr, /cannot apply: host host-\d: stack rta is locked by \S+@\S+ .*hoist apply.*; nothing was changed/);
    assert.doesNotMatch(losers[0].stdout, /start +replace/, 'the loser started nothing');
    assert.match(winners[0].stdout, /Apply complete: 0 created, 0 updated, 3 replaced/);
    assert.equal(runHoist(['plan', '--graph', file, '--detailed-exitcode'], { cwd: REPO_ROOT }).status, 0);
    assert.match(runHoist(['lock', 'status', '--graph', file]).stdout, /not locked/);
  });

  it('applies a targeted saved plan (--target) and reports success: the check after apply looks only at the targets', () => {
    const file = graphFile(inventory, 't', dir);
    const graph: GraphDocument = JSON.parse(fs.readFileSync(file, 'utf8'));
    const target = graph.stacks[0].resources.find((r) => r.kind === 'container' && r.host === 'host-2')!.id;
    const planFile = path.join(dir, 'targeted-plan.json');
    const planned = runHoist(['plan', '--graph', file, '--target', target, '--out', planFile], { cwd: REPO_ROOT });
    assert.equal(planned.status, 0, planned.stderr);
    const r = runHoist(['apply', planFile], { cwd: REPO_ROOT, timeoutMs: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /inconsistent result/);
    assert.match(r.stdout, /Apply complete: 0 created, 0 updated, 1 replaced/);
    // The rest of the graph was left as it was: two replicas still to change.
    const rest = runHoist(['plan', '--graph', file, '--json'], { cwd: REPO_ROOT });
    assert.equal(JSON.parse(rest.stdout).summary.replace, hosts.length - 1);
  });

  it('fails fast naming the holder when another run holds the lock', () => {
    const file = graphFile(inventory, 'd', dir);
    const lock = runHoist(['lock', 'acquire', '--graph', file, '-m', 'other deploy'], { cwd: REPO_ROOT });
    const id = /--id ([0-9a-f]+)/.exec(lock.stdout)?.[1];
    assert.ok(id, lock.stderr);
    try {
      const r = runHoist(['apply', '--graph', file, '--yes'], { cwd: REPO_ROOT });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /cannot apply: host host-1: stack rta is locked by .*\("other deploy"\).*nothing was changed/);
    } finally {
      runHoist(['lock', 'release', '--graph', file, '--id', id!], { cwd: REPO_ROOT });
    }
  });
});
