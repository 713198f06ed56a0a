import { rawEngine } from './raw-engine';
import { HealthCheck, Image, Inventory, Mount, Network, RestartPolicy, Service, Stack, Testing, Volume } from '../../lib';
import { buildCreateContainerRequest } from '../../lib/engine/container-create';
import { createSecretVolumes, newSecretVolumes } from '../../lib/engine/secret-files';
import { ownershipLabels } from '../../lib/engine/ownership-labels';
import type { ContainerResource, GraphDocument, NetworkResource, StackGraph, VolumeResource } from '../../lib/graph/graph-document';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openHost, OpenHost } from '../../lib/drivers/open-host';
import { REPO_ROOT } from './cli';

/** Each test file uses its own stack name: files run in parallel on one sandbox. */
export const STACK = 'rt';

/** A stack that sets nearly every container field, placed on every sandbox host. */
export function roundTripGraph(inventoryFile: string, stackName = STACK, hostPort = 18090): StackGraph {
  const app = Testing.app({ projectDir: REPO_ROOT });
  const stack = new Stack(app, stackName);
  const hosts = Inventory.fromFile(stack, 'hosts', inventoryFile);
  const net = new Network(stack, 'backend');
  const data = new Volume(stack, 'data');
  new Service(stack, 'full', {
    image: Image.fromRegistry('busybox:latest'),
    command: ['sh', '-c', 'echo "$GREETING" > /tmp/g; exec httpd -f -p 8080 -h /tmp'],
    environment: { GREETING: 'hello $(not a shell) `id` "quoted"\nline2', EMPTY: '' },
    ports: [{ container: 8080, host: hostPort }, { container: 9090, bindAddress: '127.0.0.1' }],
    mounts: [data.mount('/data'), Mount.bind('/etc/hostname', '/host-hostname', { readOnly: true }), Mount.tmpfs('/scratch', { size: '8MiB' })],
    networks: [net.withAliases('api', 'backend-api')],
    replicas: hosts.hosts.length,
    resources: { cpus: 0.5, memory: '64MiB', memoryReservation: '32MiB', pids: 64 },
    healthCheck: HealthCheck.tcp(8080, { interval: '2s', timeout: '1s', retries: 2, startPeriod: '1s' }),
    restart: RestartPolicy.ON_FAILURE,
    restartMaxRetries: 3,
    user: '65534:65534',
    workingDirectory: '/tmp',
    readOnlyRootFilesystem: true,
    capDrop: ['ALL'],
    capAdd: ['NET_BIND_SERVICE'],
    noNewPrivileges: true,
    stopGracePeriod: '3s',
    labels: { 'org.example.team': 'platform', quote: 'it\'s "fine"' },
  });
  new Service(stack, 'plain', { image: Image.fromRegistry('busybox:latest'), command: ['sleep', '3600'], replicas: hosts.hosts.length });
  const graph: GraphDocument = Testing.synth(app);
  return graph.stacks[0];
}

export async function createOnHost(open: OpenHost, stack: StackGraph): Promise<void> {
  const STACK = stack.name;
  const docker = rawEngine(open.engine);
  const mine = stack.resources.filter((r) => r.host === open.spec.name);
  for (const r of mine.filter((x): x is NetworkResource => x.kind === 'network')) {
    await docker.createNetwork({ Name: r.spec.name, Driver: r.spec.driver, Internal: r.spec.internal, Labels: { ...r.spec.labels, ...ownershipLabels(STACK, r, 1) } });
  }
  for (const r of mine.filter((x): x is VolumeResource => x.kind === 'volume')) {
    await docker.createVolume({ Name: r.spec.name, Driver: r.spec.driver, DriverOpts: r.spec.options, Labels: { ...r.spec.labels, ...ownershipLabels(STACK, r, 1) } });
  }
  for (const r of mine.filter((x): x is ContainerResource => x.kind === 'container')) {
    const secret = newSecretVolumes(r.spec);
    await createSecretVolumes(open.engine, STACK, r.spec.name, secret);
    const request = buildCreateContainerRequest(r.spec, ownershipLabels(STACK, r, 1), new Map(), { secret, profile: open.engine.profile });
    const container = await docker.createContainer({ name: request.name, ...request.body } as never);
    for (const extra of request.connectAfter) await docker.getNetwork(extra.network).connect({ Container: container.id, EndpointConfig: { Aliases: extra.aliases } });
    await container.start();
  }
}

export async function removeStack(open: OpenHost, STACK: string): Promise<void> {
  const docker = rawEngine(open.engine);
  for (const c of await docker.listContainers({ all: true })) {
    const name = (c.Names?.[0] ?? '').replace(/^\//, '');
    if (c.Labels?.['hoist.stack'] === STACK || name.startsWith(`${STACK}-`)) await docker.getContainer(c.Id).remove({ force: true, v: true });
  }
  for (const n of await docker.listNetworks()) if (n.Name.startsWith(`${STACK}-`)) await docker.getNetwork(n.Id).remove();
  for (const v of (await docker.listVolumes()).Volumes ?? []) {
    // The stack's named volumes, and secret volumes an earlier run's containers left.
    if (v.Name.startsWith(`${STACK}-`) || v.Labels?.['hoist.secret-files']?.startsWith(`${STACK}/`)) await docker.getVolume(v.Name).remove({ force: true }).catch(() => undefined);
  }
}


/** A stack put on hosts as apply would: the open hosts, the graph file, and a cleanup. */
export interface PlacedStack {
  readonly hosts: OpenHost[];
  readonly graphFile: string;
  remove(): Promise<void>;
}

/**
 * Opens every host of `stack`, removes whatever an earlier run of the stack left, creates the
 * stack's objects from its graph, and writes the graph to a file for `--graph`.
 */
export async function placeStack(stack: StackGraph, projectDir = REPO_ROOT): Promise<PlacedStack> {
  const graphFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `hoist-${stack.name}-`)), 'graph.json');
  fs.writeFileSync(graphFile, JSON.stringify({ formatVersion: '1.0', stacks: [stack] }));
  const hosts: OpenHost[] = [];
  for (const spec of stack.hosts) {
    const open = await openHost(spec, { projectDir, trustNewHosts: false });
    hosts.push(open);
    await removeStack(open, stack.name);
    await createOnHost(open, stack);
  }
  return {
    hosts,
    graphFile,
    remove: async () => {
      for (const open of hosts) {
        await removeStack(open, stack.name).catch(() => undefined);
        open.close();
      }
    },
  };
}
