import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HealthCheck, Image, Inventory, Secret, Service, Stack, Testing } from '../../lib';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { openAllHosts, OpenHost } from '../../lib/drivers/open-host';
import { runHoist } from '../helpers/cli';
import { execIn } from '../helpers/exec';
import { removeStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory } from '../helpers/sandbox';

const STACK = 'rsc';
/** Testing.synth fingerprints secrets with this key; the CLI must use the same one. */
const FINGERPRINT_KEY = 'hoist-testing-fingerprint-key';

/**
 * Reliability items 23 and 34: a canary secret never appears in the graph, the plan (text,
 * JSON, saved file), apply's output (text and --json) including the error of a failed apply
 * whose container prints the secret, the history records, or `docker inspect` of a container
 * that gets it as a file; on Docker (host-1) and Podman (host-2).
 */
describe('a canary secret in every output channel (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let hosts: OpenHost[] = [];
  const canary = `canary-${randomBytes(12).toString('hex')}`;
  /** A multi-line value: log lines are shown one by one, indented. */
  const value = `${canary}\nsecond-line-${canary.slice(-8)}\n`;
  const env = { HOIST_CANARY: value, HOIST_FINGERPRINT_KEY: FINGERPRINT_KEY };
  let graph: string;

  function assertClean(text: string, where: string): void {
    assert.ok(!text.includes(canary), `${where} shows the canary:\n${text}`);
    assert.ok(!text.includes(canary.slice(7)), `${where} shows part of the canary`);
    assert.ok(!text.includes(`second-line-${canary.slice(-8)}`), `${where} shows its second line`);
  }

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-canary-'));
    process.env.HOIST_CANARY = value;
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, STACK);
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    const placement = { hosts: inv.hosts.filter((h) => ['host-1', 'host-2'].includes(h.node.id)) };
    const secret = Secret.fromEnv(stack, 'canary', 'HOIST_CANARY');
    new Service(stack, 'keeper', {
      image: Image.fromRegistry('busybox:latest'),
      command: ['sleep', '3600'],
      stopGracePeriod: '1s',
      replicas: 2,
      placement,
      secrets: [secret],
    });
    // Prints its secret, then never becomes healthy: its last log lines end up in the error.
    new Service(stack, 'leaky', {
      image: Image.fromRegistry('busybox:latest'),
      command: ['sh', '-c', 'echo "starting with $(cat /run/secrets/canary)"; cat /run/secrets/canary; exec sleep 3600'],
      stopGracePeriod: '1s',
      replicas: 2,
      placement,
      secrets: [secret],
      healthCheck: HealthCheck.command(['sh', '-c', 'cat /run/secrets/canary; exit 1'], { interval: '500ms', timeout: '1s', retries: 1 }),
      update: { healthTimeout: '5s' },
    });
    const document: GraphDocument = Testing.synth(app);
    graph = path.join(dir, 'graph.json');
    fs.writeFileSync(graph, JSON.stringify(document));
    hosts = await openAllHosts(document.stacks[0].hosts, { projectDir: dir, trustNewHosts: false });
    for (const open of hosts) await removeStack(open, STACK);
  });

  after(async () => {
    delete process.env.HOIST_CANARY;
    for (const open of hosts) {
      await removeStack(open, STACK).catch(() => undefined);
      open.close();
    }
  });

  it('the graph and the plan (text, --json, --out file) never hold the canary', () => {
    assertClean(fs.readFileSync(graph, 'utf8'), 'the graph');
    const text = runHoist(['plan', '--graph', graph, '-C', dir], { env });
    assert.equal(text.status, 0, text.stderr);
    assertClean(text.stdout + text.stderr, 'plan');
    const json = runHoist(['plan', '--graph', graph, '-C', dir, '--json'], { env });
    assertClean(json.stdout + json.stderr, 'plan --json');
    const out = path.join(dir, 'plan.json');
    assert.equal(runHoist(['plan', '--graph', graph, '-C', dir, '--out', out], { env }).status, 0);
    assertClean(fs.readFileSync(out, 'utf8'), 'the saved plan');
  });

  it('a failed apply whose container prints its secret shows its logs with the value redacted (text and --json), and records none in history', async () => {
    for (const args of [['--yes'], ['--yes', '--json']]) {
      const r = runHoist(['apply', '--graph', graph, '-C', dir, ...args], { env, timeoutMs: 300_000 });
      assert.equal(r.status, 1, `${args.join(' ')}: the apply fails\n${r.stdout}\n${r.stderr}`);
      assertClean(r.stdout + r.stderr, `apply ${args.join(' ')}`);
      // The container did print it: the redaction, not luck, kept it out.
      assert.match(r.stdout + r.stderr, /starting with \[REDACTED\]/, `${args.join(' ')}: the log line is shown, redacted`);
    }
    const history = runHoist(['history', '--graph', graph, '-C', dir, '--json'], { env });
    assert.equal(history.status, 0, history.stderr);
    assert.match(history.stdout, /"outcome": ?"(failed|rolled-back)"/);
    assertClean(history.stdout, 'hoist history --json');
    const status = runHoist(['status', '--graph', graph, '-C', dir, '--json'], { env });
    assertClean(status.stdout + status.stderr, 'hoist status --json');
  });

  it('docker inspect of a container that gets the secret as a file never shows it, while the file holds it byte for byte', async () => {
    for (const open of hosts) {
      const inspect = JSON.stringify(await rawEngine(open.engine).getContainer(`${STACK}-keeper-1`).inspect());
      assertClean(inspect, `inspect on ${open.spec.name} (${open.engine.info.kind})`);
      const read = await execIn(rawEngine(open.engine), `${STACK}-keeper-1`, ['cat', '/run/secrets/canary']);
      assert.equal(read.stdout.toString('utf8'), value, `${open.spec.name}: the file holds the value`);
    }
  });
});
