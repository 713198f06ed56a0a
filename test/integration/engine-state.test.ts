import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readHostState } from '../../lib/engine/read-host-state';
import type { ContainerResource, StackGraph } from '../../lib/graph/graph-document';
import type { OpenHost } from '../../lib/drivers/open-host';
import { placeStack, PlacedStack, roundTripGraph } from '../helpers/roundtrip';

const STACK = 'rt';
import { ensureSandbox, IT_SANDBOX, SandboxInventory } from '../helpers/sandbox';

describe('engine state: containers created from a graph read back as the same specs (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let stack: StackGraph;
  let placed: PlacedStack;
  let hosts: OpenHost[] = [];

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    stack = roundTripGraph(`${inventory.dir}/inventory.json`, STACK);
    placed = await placeStack(stack);
    hosts = placed.hosts;
  });

  after(() => placed?.remove());

  it('detects each host\'s engine over SSH', () => {
    assert.deepEqual(hosts.map((h) => [h.spec.name, h.engine.info.kind]), inventory.hosts.map((h) => [h.name, h.engine]));
    for (const h of hosts) assert.equal(h.engine.info.apiVersion, '1.41');
  });

  it('fetches the rest of detection on demand: architecture, cgroup version, storage driver', async () => {
    for (const h of hosts) {
      const details = await h.engine.details();
      assert.match(details.arch, /^(amd64|arm64)$/);
      assert.equal(details.cgroupVersion, '1');
      assert.equal(details.storageDriver, h.engine.info.kind === 'docker' ? 'overlay2' : 'overlay');
      assert.equal(details.loggingDriver, 'json-file');
    }
  });

  it('normalizes every owned container back to exactly its desired spec, on both engines', async () => {
    for (const open of hosts) {
      const observed = await readHostState(open.engine, STACK, { inspect: true });
      const desired = stack.resources.filter((r): r is ContainerResource => r.kind === 'container' && r.host === open.spec.name);
      assert.equal(observed.containers.length, desired.length, `${open.spec.name}: owned containers`);
      for (const want of desired) {
        const got = observed.containers.find((c) => c.resourceId === want.id);
        assert.ok(got, `${open.spec.name}: ${want.id} not found`);
        assert.equal(got.specHash, want.hash);
        assert.deepEqual(got.spec, want.spec, `${open.spec.name} (${open.engine.info.kind}): ${want.id} reads back differently`);
      }
      assert.deepEqual(observed.networks.map((n) => [n.spec.name, n.spec.driver, n.spec.internal]), [[`${STACK}-backend`, 'bridge', false]]);
      assert.deepEqual(observed.volumes.map((v) => [v.spec.name, v.spec.driver]), [[`${STACK}-data`, 'local']]);
      assert.deepEqual(observed.foreign, []);
    }
  });

  it('reads drift made by hand: a limit changed with docker update, a network disconnected, a container stopped', async () => {
    for (const open of hosts) {
      const docker = rawEngine(open.engine);
      const before = await readHostState(open.engine, STACK, { inspect: false });
      const plain = before.containers.find((c) => c.name === `${STACK}-plain-1`)!;
      const full = before.containers.find((c) => c.name === `${STACK}-full-1`)!;
      if (open.engine.info.kind === 'docker') {
        // Podman 4.3 has no compatible update endpoint, and its own `podman update` changes
        // the cgroup without updating what inspect reports.
        await docker.getContainer(plain.id).update({ Memory: 48 * 1024 * 1024, MemorySwap: -1 });
      }
      await docker.getNetwork(`${STACK}-backend`).disconnect({ Container: full.id, Force: true });
      await docker.getContainer(plain.id).stop({ t: 0 });
      const after = await readHostState(open.engine, STACK, { inspect: true });
      const drifted = after.containers.find((c) => c.id === plain.id)!;
      if (open.engine.info.kind === 'docker') {
        assert.equal(drifted.spec!.resources.memoryBytes, 48 * 1024 * 1024, `${open.spec.name}: updated memory`);
      }
      assert.equal(drifted.state.status, 'exited', `${open.spec.name}: stopped`);
      assert.deepEqual(after.containers.find((c) => c.id === full.id)!.spec!.networks, [], `${open.spec.name}: network disconnected`);
      const untouched = stack.resources.find((r) => r.id === full.resourceId) as ContainerResource;
      assert.deepEqual({ ...after.containers.find((c) => c.id === full.id)!.spec!, networks: untouched.spec.networks }, untouched.spec, `${open.spec.name}: nothing else drifted`);
    }
  });

  it('reports an object named like the stack\'s but without its labels, and never counts it as owned', async () => {
    const open = hosts[0];
    const foreign = await rawEngine(open.engine).createContainer({ name: `${STACK}-full-9`, Image: 'busybox:latest', Cmd: ['true'] });
    try {
      const observed = await readHostState(open.engine, STACK, { inspect: false });
      assert.deepEqual(observed.foreign, [{ kind: 'container', name: `${STACK}-full-9`, id: foreign.id }]);
      assert.ok(!observed.containers.some((c) => c.id === foreign.id));
    } finally {
      await foreign.remove({ force: true });
    }
  });
});
