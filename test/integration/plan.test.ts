import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GraphDocument, StackGraph } from '../../lib/graph/graph-document';
import type { OpenHost } from '../../lib/drivers/open-host';
import { runHoist, REPO_ROOT } from '../helpers/cli';
import { placeStack, PlacedStack, roundTripGraph } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory } from '../helpers/sandbox';

const STACK = 'rtp';

function planJson(graphFile: string, extra: string[] = []) {
  const r = runHoist(['plan', '--graph', graphFile, '--json', '--detailed-exitcode', ...extra], { cwd: REPO_ROOT });
  return { status: r.status, stderr: r.stderr, plan: r.stdout ? JSON.parse(r.stdout) : undefined };
}

const brief = (plan: any) => plan.stacks[0].actions.map((a: any) => `${a.action} ${a.kind} ${a.name}@${a.host}: ${a.causes.map((c: any) => c.type + (c.field ? ` ${c.field}` : '')).join(', ')}`).sort();

describe('hoist plan on sandbox hosts (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let stack: StackGraph;
  let graphFile: string;
  let placed: PlacedStack;
  let hosts: OpenHost[] = [];

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    stack = roundTripGraph(`${inventory.dir}/inventory.json`, STACK, 18092);
    placed = await placeStack(stack);
    hosts = placed.hosts;
    graphFile = placed.graphFile;
  });

  after(() => placed?.remove());

  it('shows no changes when the hosts run exactly the graph (exit 0 with --detailed-exitcode)', () => {
    const r = planJson(graphFile);
    assert.equal(r.status, 0, `${r.stderr}\n${JSON.stringify(r.plan?.stacks[0].actions, null, 1)}`);
    assert.deepEqual(r.plan.stacks[0].actions, []);
    assert.deepEqual(r.plan.summary, { build: 0, create: 0, update: 0, replace: 0, delete: 0 });
    const text = runHoist(['plan', '--graph', graphFile], { cwd: REPO_ROOT });
    assert.match(text.stdout, /no changes: the hosts match the graph/);
    assert.match(text.stdout, /^Plan: 0 to create, 0 to update, 0 to replace, 0 to delete\.$/m);
  });

  it('detects each kind of drift made by hand, with its cause (exit 2)', async () => {
    const [docker1, podman2, docker3] = hosts;
    await rawEngine(docker1.engine).getContainer(`${STACK}-plain-1`).update({ Memory: 48 * 1024 * 1024, MemorySwap: -1 });
    await rawEngine(podman2.engine).getContainer(`${STACK}-plain-1`).stop({ t: 0 });
    await rawEngine(docker3.engine).getContainer(`${STACK}-plain-1`).remove({ force: true });
    await rawEngine(docker3.engine).getNetwork(`${STACK}-backend`).disconnect({ Container: `${STACK}-full-1`, Force: true });
    await rawEngine(docker3.engine).getNetwork(`${STACK}-backend`).remove();
    const r = planJson(graphFile);
    assert.equal(r.status, 2, r.stderr);
    assert.deepEqual(brief(r.plan), [
      `create container ${STACK}-plain-1@host-3: missing`,
      `create network ${STACK}-backend@host-3: missing`,
      `replace container ${STACK}-full-1@host-3: drift networks`,
      `update container ${STACK}-plain-1@host-1: drift resources.memoryBytes`,
      `update container ${STACK}-plain-1@host-2: not-running`,
    ]);
    const memory = r.plan.stacks[0].actions.find((a: any) => a.host === 'host-1').causes[0];
    assert.deepEqual([memory.before, memory.after], [48 * 1024 * 1024, null], "set by hand; the graph sets no limit");
  });

  it('reports a foreign container holding a needed name as a conflict, and leaves it alone (exit 1)', async () => {
    const docker3 = hosts[2];
    const foreign = await rawEngine(docker3.engine).createContainer({ name: `${STACK}-plain-1`, Image: 'busybox:latest', Cmd: ['sleep', '600'] });
    try {
      const r = planJson(graphFile);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /conflict/);
      assert.deepEqual(r.plan.stacks[0].conflicts.map((c: any) => [c.host, c.kind, c.name]), [['host-3', 'container', `${STACK}-plain-1`]]);
      assert.ok(!brief(r.plan).some((a: string) => a.includes(`${STACK}-plain-1@host-3`)));
      assert.equal((await foreign.inspect()).Config.Labels?.['hoist.stack'], undefined, 'untouched');
    } finally {
      await foreign.remove({ force: true });
    }
  });

  it('saves a plan with the graph, its hash and a fingerprint per host', () => {
    const out = path.join(path.dirname(graphFile), 'plan.json');
    const r = runHoist(['plan', '--graph', graphFile, '--out', out], { cwd: REPO_ROOT });
    assert.equal(r.status, 0, r.stderr);
    const saved = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.equal(saved.format_version, '1.0');
    assert.match(saved.graph_hash, /^sha256:/);
    assert.deepEqual(Object.keys(saved.host_fingerprints).sort(), inventory.hosts.map((h) => h.name));
    assert.equal(saved.graph.stacks[0].name, STACK);
    assert.match(r.stderr, /apply exactly it with: hoist apply/);
  });

  it('fails the whole plan when a host cannot be read (no partial plan)', () => {
    const graph: GraphDocument = JSON.parse(fs.readFileSync(graphFile, 'utf8'));
    graph.stacks[0] = { ...graph.stacks[0], hosts: [...graph.stacks[0].hosts, { ...graph.stacks[0].hosts[0], name: 'gone', address: '127.0.0.1', port: 1 }] };
    const file = graphFile.replace(/\.json$/, '-dead.json');
    fs.writeFileSync(file, JSON.stringify(graph));
    const r = runHoist(['plan', '--graph', file, '--detailed-exitcode'], { cwd: REPO_ROOT });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /cannot plan: 1 host\(s\) could not be read, and a plan needs every host:\n  host gone: connection refused/);
  });
});

describe('the multi-host example on the sandbox hosts', () => {
  it('applies with hoist apply, then plans no changes, then destroys', () => {
    const inventory = ensureSandbox(IT_SANDBOX);
    const project = path.join(REPO_ROOT, 'examples', 'multi-host');
    const env = { HOIST_INVENTORY: path.join(inventory.dir, 'inventory.json') };
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-example-'));
    const synth = runHoist(['synth', '-C', project, '-o', out], { env });
    assert.equal(synth.status, 0, synth.stderr);
    const graphFile = path.join(out, 'graph.json');
    try {
      const applied = runHoist(['apply', '--graph', graphFile, '--yes', '-C', project], { env, timeoutMs: 300_000 });
      assert.equal(applied.status, 0, `${applied.stdout}\n${applied.stderr}`);
      assert.match(applied.stdout, /Apply complete: \d+ created, 0 updated, 0 replaced, 0 deleted; the hosts match the graph\./);
      const r = planJson(graphFile);
      assert.equal(r.status, 0, `${r.stderr}\n${JSON.stringify(r.plan?.stacks[0].actions, null, 1)}`);
    } finally {
      const destroyed = runHoist(['destroy', '--graph', graphFile, '--yes', '-C', project], { env, timeoutMs: 120_000 });
      assert.equal(destroyed.status, 0, `${destroyed.stdout}\n${destroyed.stderr}`);
    }
  });
});
