import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineType, HealthCheck, Host, Image, Inventory, Secret, Service, Stack, Testing } from '../../lib';
import { acquireLock, lockContainerName, readLock, releaseLock } from '../../lib/engine/host-lock';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { openAllHosts, OpenHost } from '../../lib/drivers/open-host';
import { runHoist, startHoist } from '../helpers/cli';
import { removeStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory } from '../helpers/sandbox';

const STACK = 'rlc';

/**
 * Locks through the command line, as a user meets them (reliability items 2, 4 and 32):
 * --lock-timeout, the lock released after every kind of failure, and Ctrl-C while waiting.
 */
describe('locks through hoist apply: --lock-timeout, release after every failure, Ctrl-C while waiting (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let hosts: OpenHost[] = [];

  interface Variant {
    readonly version?: string;
    /** A secret the service needs, read from this environment variable. */
    readonly secretVariable?: string;
    /** A health check that never passes (within a few seconds). */
    readonly unhealthy?: boolean;
    /** An image built on host-1 whose Dockerfile has a lint error. */
    readonly lintError?: boolean;
    /** An extra host nobody answers at. */
    readonly unreachableHost?: boolean;
  }

  function graphFile(variant: Variant = {}): string {
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, STACK);
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    const placement = { hosts: [...inv.hosts] };
    if (variant.unreachableHost) {
      // An address on the sandbox's own subnet that no host has: connections time out.
      const prefix = inventory.hosts[0].address.split('.').slice(0, 3).join('.');
      placement.hosts.push(new Host(stack, 'ghost', { address: `${prefix}.99`, engine: EngineType.DOCKER, identityFile: path.join(inventory.dir, 'id_ed25519'), knownHostsFile: path.join(inventory.dir, 'known_hosts') }));
    }
    const secret = variant.secretVariable ? Secret.fromEnv(stack, 'token', variant.secretVariable) : undefined;
    const image = variant.lintError
      ? Image.fromDockerfile('lint-error', { builder: inv.hosts.find((h) => h.node.id === 'host-1')! })
      : Image.fromRegistry('busybox:latest');
    new Service(stack, 'web', {
      image,
      command: ['sh', '-c', 'mkdir -p /w && echo "$VERSION" > /w/index.html && exec httpd -f -p 8080 -h /w'],
      environment: { VERSION: variant.version ?? 'v1' },
      replicas: placement.hosts.length,
      placement,
      stopGracePeriod: '1s',
      healthCheck: variant.unhealthy
        ? HealthCheck.command(['false'], { interval: '500ms', timeout: '1s', retries: 1, startPeriod: '0s' })
        : HealthCheck.http(8080, { interval: '1s', timeout: '1s', retries: 10 }),
      ...(variant.unhealthy ? { update: { healthTimeout: '4s' } } : {}),
      ...(secret ? { secrets: [secret] } : {}),
    });
    const graph: GraphDocument = Testing.synth(app);
    const file = path.join(dir, `graph-${Object.entries(variant).map(([k, v]) => `${k}-${v}`).join('-') || 'base'}.json`);
    fs.writeFileSync(file, JSON.stringify(graph));
    return file;
  }

  function assertNoLock(graph: string, why: string): void {
    const status = runHoist(['lock', 'status', '--graph', graph]);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /not locked on any of 3 host\(s\)/, `${why}: the lock was released\n${status.stdout}`);
  }

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-lock-cli-'));
    fs.mkdirSync(path.join(dir, 'lint-error'));
    fs.writeFileSync(path.join(dir, 'lint-error', 'Dockerfile'), 'FROM busybox:latest\nENV DB_PASSWORD=not-a-real-one\nUSER 1000\n');
    fs.writeFileSync(path.join(dir, 'lint-error', '.dockerignore'), '.git\n');
    const graph: GraphDocument = JSON.parse(fs.readFileSync(graphFile(), 'utf8'));
    hosts = await openAllHosts(graph.stacks[0].hosts, { projectDir: dir, trustNewHosts: false });
    for (const open of hosts) {
      await removeStack(open, STACK);
      await rawEngine(open.engine).getContainer(lockContainerName(STACK)).remove({ force: true }).catch(() => undefined);
    }
    const first = runHoist(['apply', '--graph', graphFile(), '--yes'], { timeoutMs: 300_000 });
    assert.equal(first.status, 0, `${first.stdout}\n${first.stderr}`);
  });

  after(async () => {
    for (const open of hosts) {
      await removeStack(open, STACK).catch(() => undefined);
      await rawEngine(open.engine).getContainer(lockContainerName(STACK)).remove({ force: true }).catch(() => undefined);
      open.close();
    }
  });

  it('hoist apply --lock-timeout 3s fails after waiting about 3 s, naming the holder, and changes nothing', () => {
    const file = graphFile({ version: 'v2' });
    const lock = runHoist(['lock', 'acquire', '--graph', file, '-m', 'maintenance window']);
    const id = /--id ([0-9a-f]+)/.exec(lock.stdout)?.[1];
    assert.ok(id, lock.stderr);
    try {
      const started = Date.now();
      const r = runHoist(['apply', '--graph', file, '--yes', '--lock-timeout', '3s'], { timeoutMs: 60_000 });
      const waited = Date.now() - started;
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`cannot apply: host host-1: stack ${STACK} is locked by .*\\("maintenance window"\\).*hoist lock release --id ${id}.*nothing was changed`));
      assert.ok(waited >= 3000, `waited ${waited} ms for the lock`);
      assert.ok(waited < 30_000, `gave up in time (${waited} ms)`);
      assert.equal(runHoist(['plan', '--graph', file, '--detailed-exitcode']).status, 2, 'v2 is still to be applied');
    } finally {
      runHoist(['lock', 'release', '--graph', file, '--id', id!]);
    }
  });

  it('hoist apply --lock-timeout 60s waits for a holder that releases, then applies', async () => {
    const file = graphFile({ version: 'v2' });
    const holder = await acquireLock(hosts[0].engine, { stack: STACK, ttlMs: 60_000, message: 'short job' });
    const run = startHoist(['apply', '--graph', file, '--yes', '--lock-timeout', '60s']);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(run.child.exitCode, null, 'still waiting for the lock');
    await releaseLock(hosts[0].engine, STACK, holder.holder.id);
    const result = await run.finished;
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /Apply complete: 0 created, 0 updated, 3 replaced/);
    assertNoLock(file, 'after a successful apply');
  });

  it('the lock is free after every kind of failed hoist apply: conflict, missing secret, no --yes, lint error, unreachable host, failed health check, stale plan', async () => {
    const failures: { name: string; run: () => { status: number | null; stderr: string }; expect: RegExp; graph: string }[] = [];
    // A conflict: a container without the stack's labels holds a name the graph needs.
    const conflictGraph = graphFile({ version: 'v3' });
    failures.push({
      name: 'conflict', graph: conflictGraph, expect: /the plan has 1 conflict/,
      run: () => {
        runHoist(['apply', '--graph', conflictGraph, '--yes'], { timeoutMs: 300_000 });
        return runHoist(['apply', '--graph', conflictGraph, '--yes']);
      },
    });
    const variable = 'HOIST_LOCK_TEST_TOKEN';
    process.env[variable] = 'a value at synth';
    const secretGraph = graphFile({ version: 'v3', secretVariable: variable });
    delete process.env[variable];
    failures.push({ name: 'missing secret', graph: secretGraph, expect: /secrets cannot be delivered/, run: () => runHoist(['apply', '--graph', secretGraph, '--yes'], { env: { [variable]: undefined } }) });
    const noYesGraph = graphFile({ version: 'v4' });
    failures.push({ name: 'no --yes', graph: noYesGraph, expect: /needs --yes when not run interactively/, run: () => runHoist(['apply', '--graph', noYesGraph]) });
    const lintGraph = graphFile({ lintError: true });
    failures.push({ name: 'lint error', graph: lintGraph, expect: /lint error/, run: () => runHoist(['apply', '--graph', lintGraph, '-C', dir, '--yes']) });
    const unhealthyGraph = graphFile({ version: 'v5', unhealthy: true });
    failures.push({ name: 'failed health check', graph: unhealthyGraph, expect: /apply failed/, run: () => runHoist(['apply', '--graph', unhealthyGraph, '--yes'], { timeoutMs: 300_000 }) });
    const convergedGraph = graphFile({ version: 'v6' });
    const staleGraph = graphFile({ version: 'v8' });
    const planFile = path.join(dir, 'stale-plan.json');
    failures.push({
      name: 'stale plan', graph: staleGraph, expect: /saved plan is stale/,
      run: () => {
        // The cases before leave web-1 on host-1 removed (the conflict's planted container, the
        // never-healthy replacement): converge first, so the change by hand has a container to stop.
        const converge = runHoist(['apply', '--graph', convergedGraph, '--yes'], { timeoutMs: 300_000 });
        assert.equal(converge.status, 0, `${converge.stdout}\n${converge.stderr}`);
        assert.equal(runHoist(['plan', '--graph', staleGraph, '--out', planFile, '--detailed-exitcode']).status, 2);
        // Changed by hand after the plan was made.
        const stop = runHoist(['sandbox', 'ssh', 'host-1', '--name', IT_SANDBOX, '--', 'docker', 'stop', '-t', '0', `${STACK}-web-1`]);
        assert.equal(stop.status, 0, stop.stderr);
        return runHoist(['apply', planFile]);
      },
    });
    const ghostGraph = graphFile({ unreachableHost: true });
    // Its lock status is read through the graph without the ghost, which cannot be asked.
    failures.push({ name: 'unreachable host', graph: graphFile({ version: 'v1' }), expect: /not every host can be reached; nothing was changed/, run: () => runHoist(['apply', '--graph', ghostGraph, '--yes'], { timeoutMs: 120_000 }) });

    for (const failure of failures) {
      let planted: string | undefined;
      if (failure.name === 'conflict') {
        // Make the conflict after the first apply below converged the stack: remove web-1 and plant a foreign one.
        await rawEngine(hosts[0].engine).getContainer(`${STACK}-web-1`).remove({ force: true }).catch(() => undefined);
        planted = (await rawEngine(hosts[0].engine).createContainer({ name: `${STACK}-web-1`, Image: 'busybox:latest', Cmd: ['true'] })).id;
      }
      try {
        const result = failure.run();
        assert.equal(result.status, 1, `${failure.name}: exit 1\n${result.stderr}`);
        assert.match(result.stderr, failure.expect, failure.name);
        assertNoLock(failure.graph, failure.name);
      } finally {
        if (planted) await rawEngine(hosts[0].engine).getContainer(planted).remove({ force: true });
      }
    }
  });

  it('the first Ctrl-C while hoist apply waits for locks releases every lock it took and exits 130', async () => {
    const file = graphFile({ version: 'v7' });
    // Another run holds host-3, the last host in lock order: the apply takes host-1 and host-2, then waits.
    const other = await acquireLock(hosts[2].engine, { stack: STACK, ttlMs: 120_000, message: 'other run' });
    try {
      const run = startHoist(['apply', '--graph', file, '--yes', '--lock-timeout', '120s']);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const [one, two] = await Promise.all([readLock(hosts[0].engine, STACK), readLock(hosts[1].engine, STACK)]);
        if (one?.message === 'hoist apply' && two?.message === 'hoist apply') break;
        assert.ok(Date.now() < deadline, `the apply never took host-1 and host-2: ${run.stderr()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const interrupted = Date.now();
      run.child.kill('SIGINT');
      const result = await run.finished;
      assert.equal(result.status, 130, `${result.stdout}\n${result.stderr}`);
      assert.ok(Date.now() - interrupted < 10_000, 'exits promptly');
      assert.match(result.stderr, /apply stopped while waiting for the locks; nothing was changed \(stopped while waiting for the locks; released the ones taken on host-1, host-2\)/);
      assert.equal(await readLock(hosts[0].engine, STACK), undefined, 'host-1 released');
      assert.equal(await readLock(hosts[1].engine, STACK), undefined, 'host-2 released');
      assert.equal((await readLock(hosts[2].engine, STACK))?.id, other.holder.id, 'the other run keeps its lock');
      assert.equal(runHoist(['plan', '--graph', file, '--detailed-exitcode']).status, 2, 'nothing was applied');
    } finally {
      await releaseLock(hosts[2].engine, STACK, other.holder.id);
    }
  });
});
