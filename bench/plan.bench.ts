/**
 * Plan benchmarks.
 * 1. The pure planner on about 10,000 resources (in sync, so every container is compared
 *    field by field): time and memory.
 * 2. A no-op `hoist plan` of 4 hosts x 25 services, wall time including process start
 *    (needs root: it brings up its own sandbox, "bench-plan", and removes it).
 * Run: node --import tsx bench/plan.bench.ts [--runs N] [--engine docker|podman|mixed] [--pure-only]
 */
import { Host, Image, Network, Service, Stack, Testing, Volume } from '../lib';
import type { ContainerResource, GraphDocument, NetworkResource, StackGraph, VolumeResource } from '../lib/graph/graph-document';
import type { ObservedHostState } from '../lib/engine/read-host-state';
import { buildPlan } from '../lib/plan/build-plan';
import type { HostObservation } from '../lib/plan/plan-types';
import { arg, HOIST, median, timed, withLoadedSandbox } from './bench-sandbox';

const runs = Number(arg('--runs', '5'));

function bigGraph(): GraphDocument {
  const app = Testing.app();
  const stack = new Stack(app, 'big');
  for (let h = 0; h < 20; h++) new Host(stack, `host-${h}`, { address: `10.99.0.${h + 1}` });
  const nets = Array.from({ length: 10 }, (_, i) => new Network(stack, `net-${i}`));
  for (let s = 0; s < 2250; s++) {
    new Service(stack, `svc-${s}`, {
      image: Image.fromRegistry('busybox:1.36'), command: ['httpd', '-f'], environment: { INDEX: String(s) },
      networks: [nets[s % 10]], mounts: s % 10 === 0 ? [new Volume(stack, `data-${s}`).mount('/data')] : [], replicas: 4,
      resources: { memory: '64MiB' },
    });
  }
  return Testing.synth(app);
}

function inSync(stack: StackGraph, host: string): ObservedHostState {
  const mine = stack.resources.filter((r) => r.host === host);
  return {
    host,
    engine: 'docker',
    containers: mine.filter((r): r is ContainerResource => r.kind === 'container').map((r) => ({
      id: r.id, name: r.spec.name, resourceId: r.id, specHash: r.hash, revision: 1, created: '', image: r.spec.image.reference, imageId: 'sha256:busybox',
      state: { status: 'running', exitCode: null, health: null }, rolloutCopy: false, spec: JSON.parse(JSON.stringify(r.spec)),
      imageDefaults: { entrypoint: null, command: ['sh'], env: {}, user: null, workingDir: null, healthcheck: null, labels: {}, volumes: [] },
    })),
    images: [{ id: 'sha256:busybox', references: ['busybox:1.36'] }],
    networks: mine.filter((r): r is NetworkResource => r.kind === 'network').map((r) => ({ id: r.id, resourceId: r.id, specHash: r.hash, spec: r.spec })),
    volumes: mine.filter((r): r is VolumeResource => r.kind === 'volume').map((r) => ({ resourceId: r.id, specHash: r.hash, spec: r.spec })),
    foreign: [],
  };
}

async function main(): Promise<void> {
  const graph = bigGraph();
  const stack = graph.stacks[0];
  const observations = new Map<string, HostObservation>(stack.hosts.map((h) => [h.name, { engine: 'docker', states: new Map([['big', inSync(stack, h.name)]]) }]));
  buildPlan(graph, observations, { deleteVolumes: false });
  const times: number[] = [];
  let heapDelta = 0;
  for (let i = 0; i < runs; i++) {
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = process.hrtime.bigint();
    const plan = buildPlan(graph, observations, { deleteVolumes: false });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    heapDelta = Math.max(heapDelta, process.memoryUsage().heapUsed - heapBefore);
    if (plan.stacks[0].actions.length !== 0) throw new Error('the benchmark world should be in sync');
  }
  console.log(`pure planner: ${stack.resources.length} resources on ${stack.hosts.length} hosts, no changes`);
  console.log(`  median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms (${runs} runs); heap growth during one plan up to ${(heapDelta / 1e6).toFixed(0)} MB; RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);

  if (process.argv.includes('--pure-only')) return;
  const engine = arg('--engine', 'mixed');
  await withLoadedSandbox('bench-plan', 4, engine, 25, (graphFile) => {
    timed(process.execPath, [HOIST, 'plan', '--graph', graphFile, '--detailed-exitcode']);
    const plans = Array.from({ length: runs }, () => timed(process.execPath, [HOIST, 'plan', '--graph', graphFile, '--detailed-exitcode']));
    console.log(`no-op hoist plan --graph, 4 ${engine} hosts x 25 services (100 containers), whole process: median ${median(plans).toFixed(0)} ms, min ${Math.min(...plans).toFixed(0)} ms (${runs} runs)`);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
