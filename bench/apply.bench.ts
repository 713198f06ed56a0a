/**
 * Apply benchmark, on 4 sandbox hosts x 25 services (100 containers, no health checks):
 * - a cold `hoist apply` (create all), next to the engines' own time for the same 100 creates:
 *   `docker run -d` (or `podman run -d`) 25 times on each host, run by a shell on the host
 *   itself (4 hosts at once, no SSH per container), which no tool driving these engines can
 *   beat; the ratio of the two is printed;
 * - a redeploy that changes one service's environment (4 start-first replacements, one per
 *   host) with the default one-at-a-time rollout: whole process, and each batch's time from
 *   `--json` events (first action-start to last action-done of the batch);
 * - the same redeploy with `update: { batchSize: 4 }`: whole process.
 * All as whole processes; hoist apply --graph (no program run). The services (and the floor's
 * containers) run a shell that exits on SIGTERM, as a well-behaved service does: busybox's
 * sleep as PID 1 ignores it, and every stop would wait out the whole grace period, measuring
 * the program rather than Hoist. Needs root: it brings up its own sandbox ("bench-apply") and
 * removes it.
 * Run: node --import tsx bench/apply.bench.ts [--runs N] [--engine docker|podman|mixed] [--concurrency N]
 * (--concurrency sets HOIST_ENGINE_CONCURRENCY: creates and starts at once per host, instead
 * of the engine profile's choice.)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Image, Inventory, Service, Stack, Testing } from '../lib';
import type { GraphDocument } from '../lib/graph/graph-document';
import { arg, HOIST, median, ROOT, timed } from './bench-sandbox';

const runs = Number(arg('--runs', '3'));
const engine = arg('--engine', 'docker');
const concurrency = arg('--concurrency', '');
const SANDBOX = 'bench-apply';
const SERVICES = 25;
/** Sleeps until stopped; exits at once on SIGTERM (the trap interrupts the wait). */
const COMMAND = ['sh', '-c', 'trap "exit 0" TERM; sleep 86400 & wait'];

function graphFile(inventoryDir: string, dir: string, version: 1 | 2, batchSize: number): string {
  const app = Testing.app({ projectDir: ROOT });
  const stack = new Stack(app, 'bench');
  const hosts = Inventory.fromFile(stack, 'hosts', path.join(inventoryDir, 'inventory.json'));
  for (let i = 0; i < SERVICES; i++) {
    new Service(stack, `svc-${i}`, {
      image: Image.fromRegistry('busybox:latest'),
      command: COMMAND,
      environment: { VERSION: i === 0 ? String(version) : '1' },
      stopGracePeriod: '1s',
      replicas: hosts.hosts.length,
      placement: { maxPerHost: 1 },
      ...(i === 0 ? { update: { batchSize } } : {}),
    });
  }
  const graph: GraphDocument = Testing.synth(app);
  const file = path.join(dir, `v${version}-batch${batchSize}.json`);
  fs.writeFileSync(file, JSON.stringify(graph));
  return file;
}

function sshAll(inventoryDir: string, hosts: { name: string; engine: string }[], script: (engine: string) => string): number {
  const config = path.join(inventoryDir, 'ssh_config');
  const started = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', hosts.map((h) => `ssh -F '${config}' ${h.name} '${script(h.engine)}' >/dev/null &`).join(' ') + ' wait']);
  if (r.status !== 0) throw new Error(String(r.stderr));
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** A whole `hoist apply --json` process: its wall time and each batch's time from its events. */
function applyWithBatches(file: string, env: NodeJS.ProcessEnv): { ms: number; batches: number[] } {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [HOIST, 'apply', '--graph', file, '--yes', '--json'], { encoding: 'utf8', cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`hoist apply failed (${r.status}):\n${r.stderr}`);
  const spans = new Map<number, { start: number; end: number }>();
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as { type: string; time: string; action?: { action: string; batch?: number } };
    if (!event.action || event.action.action !== 'replace' || event.action.batch === undefined) continue;
    const at = Date.parse(event.time);
    const span = spans.get(event.action.batch) ?? { start: Infinity, end: -Infinity };
    if (event.type === 'action-start') span.start = Math.min(span.start, at);
    if (event.type === 'action-done') span.end = Math.max(span.end, at);
    spans.set(event.action.batch, span);
  }
  return { ms, batches: [...spans.values()].map((s) => s.end - s.start) };
}

timed(process.execPath, [HOIST, 'sandbox', 'up', '--name', SANDBOX, '--hosts', '4', '--engine', engine, '--images', 'busybox']);
try {
  const env = { ...process.env, NO_COLOR: '1', ...(concurrency ? { HOIST_ENGINE_CONCURRENCY: concurrency } : {}) };
  const inventoryDir = path.join(ROOT, '.hoist', 'sandbox', SANDBOX);
  const hosts: { name: string; engine: string }[] = JSON.parse(fs.readFileSync(path.join(inventoryDir, 'inventory.json'), 'utf8')).hosts;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-bench-apply-'));
  const base = graphFile(inventoryDir, dir, 1, 1);
  const changed = graphFile(inventoryDir, dir, 2, 1);
  const backInOneBatch = graphFile(inventoryDir, dir, 1, 4);
  const cli = (engineName: string) => (engineName === 'podman' ? 'podman' : 'docker');
  const clean = (e: string) => `${cli(e)} ps -aq --filter label=hoist.stack=bench | xargs -r ${cli(e)} rm -f -v; ${cli(e)} ps -aq --filter name=floor- | xargs -r ${cli(e)} rm -f -v`;
  const cold: number[] = [];
  const oneAtATime: number[] = [];
  const batches: number[] = [];
  const fourAtOnce: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < runs; i++) {
    sshAll(inventoryDir, hosts, clean);
    cold.push(timed(process.execPath, [HOIST, 'apply', '--graph', base, '--yes'], env));
    const change = applyWithBatches(changed, env);
    oneAtATime.push(change.ms);
    batches.push(...change.batches);
    fourAtOnce.push(timed(process.execPath, [HOIST, 'apply', '--graph', backInOneBatch, '--yes'], env));
    sshAll(inventoryDir, hosts, clean);
    floor.push(sshAll(inventoryDir, hosts, (e) => `for i in $(seq 1 ${SERVICES}); do ${cli(e)} run -d --name floor-$i busybox:latest sh -c "trap \\"exit 0\\" TERM; sleep 86400 & wait"; done`));
    sshAll(inventoryDir, hosts, clean);
  }
  const c = median(cold);
  console.log(`apply, 4 ${engine} hosts x ${SERVICES} services (100 containers), ${runs} runs, medians of whole processes${concurrency ? `, HOIST_ENGINE_CONCURRENCY=${concurrency}` : ''}:`);
  console.log(`  cold apply (create all):                            ${c.toFixed(0)} ms`);
  console.log(`  engine floor, ${cli(hosts[0].engine)} run -d x${SERVICES} on each host, 4 at once: ${median(floor).toFixed(0)} ms (cold apply is ${(c / median(floor)).toFixed(2)}x)`);
  console.log(`  redeploy one service, 4 batches of 1 (default):     ${median(oneAtATime).toFixed(0)} ms; each batch: median ${median(batches).toFixed(0)} ms, max ${Math.max(...batches).toFixed(0)} ms`);
  console.log(`  redeploy one service, batchSize 4:                  ${median(fourAtOnce).toFixed(0)} ms`);
} finally {
  timed(process.execPath, [HOIST, 'sandbox', 'down', '--name', SANDBOX]);
}
