import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Host, Image, Service, Stack, Testing } from '../../lib';
import { canonicalJsonPretty } from '../../lib/graph/canonical-json';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { startHoist, type CliResult } from '../helpers/cli';
import { savedPlanText, scratchDir } from '../helpers/saved-plan';

/**
 * A TCP listener on loopback standing in for a host's sshd: it counts the connections made to
 * it (and drops each at once). `settled()` first makes a connection of its own and waits until
 * it is accepted: the listen queue is first in, first out, so by then every earlier connection
 * has been counted.
 */
async function connectionCounter(): Promise<{ port: number; settled(): Promise<number>; close(): void }> {
  const accepted: number[] = [];
  const probes = new Set<number>();
  const waiting = new Map<number, () => void>();
  const server = net.createServer((socket) => {
    accepted.push(socket.remotePort!);
    waiting.get(socket.remotePort!)?.();
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    async settled() {
      const probe = net.connect(port, '127.0.0.1');
      probe.on('error', () => undefined);
      const local = await new Promise<number>((resolve) => probe.once('connect', () => resolve(probe.localPort!)));
      probes.add(local);
      if (!accepted.includes(local)) await new Promise<void>((resolve) => waiting.set(local, resolve));
      probe.destroy();
      return accepted.filter((p) => !probes.has(p)).length;
    },
    close: () => server.close(),
  };
}

async function hoist(args: string[], cwd: string): Promise<CliResult> {
  // No agent and an empty home: nothing on this machine decides how the host is reached.
  return startHoist(args, { cwd, env: { SSH_AUTH_SOCK: path.join(cwd, 'no-agent.sock'), HOME: cwd } }).finished;
}

describe('hoist plan --graph and hoist apply <planfile> check the file before contacting any host', () => {
  let counter: Awaited<ReturnType<typeof connectionCounter>>;
  let dir: string;
  let graph: GraphDocument;

  before(async () => {
    counter = await connectionCounter();
    dir = scratchDir('hoist-cli-files-');
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, 'demo');
    new Host(stack, 'h1', { address: '127.0.0.1', port: counter.port });
    new Service(stack, 'web', { image: Image.fromRegistry('busybox:1.36'), environment: { MODE: 'a' } });
    graph = Testing.synth(app);
    fs.writeFileSync(path.join(dir, 'graph.json'), canonicalJsonPretty(graph));
    fs.writeFileSync(path.join(dir, 'plan.json'), savedPlanText(graph));
  });

  after(() => counter.close());

  it('hoist plan --graph tampered.json exits 1 naming the file and the changed spec, and connects to no host', async () => {
    const tampered = JSON.parse(fs.readFileSync(path.join(dir, 'graph.json'), 'utf8'));
    tampered.stacks[0].resources.find((r: { kind: string }) => r.kind === 'container').spec.env.MODE = 'b';
    fs.writeFileSync(path.join(dir, 'tampered.json'), canonicalJsonPretty(tampered));
    const r = await hoist(['plan', '--graph', 'tampered.json', '--connect-timeout', '2'], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^error: cannot use the graph tampered\.json: it does not hold the graph hoist synth wrote: it was edited by hand or damaged \(1 problem\)$/m);
    assert.match(r.stderr, /stacks\[0\]\.resources\[\d+\]\.hash: the spec of container:demo\/web#1@h1 does not match its recorded hash/);
    assert.match(r.stderr, /run hoist synth again/);
    assert.equal(await counter.settled(), 0, 'no host was contacted');
  });

  it('hoist apply tampered-plan.json exits 1 naming the file and the hostile name, and connects to no host', async () => {
    const tampered = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8'));
    tampered.stacks[0].actions.find((a: { kind: string }) => a.kind === 'container').name = 'demo-web-1;reboot';
    fs.writeFileSync(path.join(dir, 'tampered-plan.json'), canonicalJsonPretty(tampered));
    const r = await hoist(['apply', 'tampered-plan.json'], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^error: cannot use the saved plan tampered-plan\.json: it is not the plan hoist plan --out saved: it was edited by hand or damaged \(1 problem\)$/m);
    assert.match(r.stderr, /stacks\[0\]\.actions\[\d+\]\.name: "demo-web-1;reboot" is not a valid name/);
    assert.match(r.stderr, /make a new plan with hoist plan --out tampered-plan\.json, review it, and apply that/);
    assert.equal(await counter.settled(), 0, 'no host was contacted');
  });

  it('hoist apply of a plan cut short exits 1 saying so, and connects to no host', async () => {
    const text = fs.readFileSync(path.join(dir, 'plan.json'), 'utf8');
    fs.writeFileSync(path.join(dir, 'cut-plan.json'), text.slice(0, Math.floor(text.length * 0.6)));
    const r = await hoist(['apply', 'cut-plan.json'], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^error: cannot use the saved plan cut-plan\.json: it is not complete JSON .*it was cut short or damaged; make a new plan with hoist plan --out cut-plan\.json/m);
    assert.equal(await counter.settled(), 0, 'no host was contacted');
  });

  // The control that shows the counter counts: the same files, unchanged, get as far as the host.
  it('hoist plan --graph and hoist apply with the untouched files pass the check and do contact the host', async () => {
    const before = await counter.settled();
    const planned = await hoist(['plan', '--graph', 'graph.json', '--connect-timeout', '2'], dir);
    assert.equal(planned.status, 1, 'the stand-in host speaks no SSH');
    assert.match(planned.stderr, /host h1: SSH handshake with 127\.0\.0\.1:\d+ failed/);
    const afterPlan = await counter.settled();
    assert.ok(afterPlan > before, 'hoist plan connected to the host');
    const applied = await hoist(['apply', 'plan.json'], dir);
    assert.equal(applied.status, 1);
    assert.match(applied.stderr, /cannot apply: not every host can be reached; nothing was changed/);
    assert.ok(await counter.settled() > afterPlan, 'hoist apply connected to the host');
  });
});
