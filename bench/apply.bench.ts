/**
 * Apply benchmark: a cold `hoist apply` of 4 hosts x 25 services (100 containers, no health
 * checks, so each level waits the 2 s readiness delay), then a change to one service (4
 * start-first replacements in batches of 1), both whole processes; next to the engines' own
 * time for the same 100 creates: `docker run -d` 25 times on each host, run by a shell on the
 * host itself (4 hosts at once, no SSH per container), which no tool driving these engines
 * can beat. Needs root: it brings up its own sandbox ("bench-apply") and removes it.
 * Run: node --import tsx bench/apply.bench.ts [--runs N] [--engine docker|podman|mixed]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Image, Inventory, Service, Stack, Testing } from '../lib';
import type { GraphDocument } from '../lib/graph/graph-document';
import { HOIST, median, ROOT, timed } from './bench-sandbox';

const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const runs = Number(arg('--runs', '3'));
const engine = arg('--engine', 'docker');
const SANDBOX = 'bench-apply';
const SERVICES = 25;

function graphFile(inventoryDir: string, dir: string, changed: boolean): string {
  const app = Testing.app({ projectDir: ROOT });
  const stack = new Stack(app, 'bench');
  const hosts = Inventory.fromFile(stack, 'hosts', path.join(inventoryDir, 'inventory.json'));
  for (let i = 0; i < SERVICES; i++) {
    new Service(stack, `svc-${i}`, {
      image: Image.fromRegistry('busybox:latest'),
      command: ['sleep', '86400'],
      environment: { VERSION: changed && i === 0 ? '2' : '1' },
      stopGracePeriod: '1s',
      replicas: hosts.hosts.length,
      placement: { maxPerHost: 1 },
    });
  }
  const graph: GraphDocument = Testing.synth(app);
  const file = path.join(dir, changed ? 'changed.json' : 'graph.json');
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

timed(process.execPath, [HOIST, 'sandbox', 'up', '--name', SANDBOX, '--hosts', '4', '--engine', engine, '--images', 'busybox']);
try {
  const inventoryDir = path.join(ROOT, '.hoist', 'sandbox', SANDBOX);
  const hosts: { name: string; engine: string }[] = JSON.parse(fs.readFileSync(path.join(inventoryDir, 'inventory.json'), 'utf8')).hosts;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-bench-apply-'));
  const base = graphFile(inventoryDir, dir, false);
  const changed = graphFile(inventoryDir, dir, true);
  const cli = (engineName: string) => (engineName === 'podman' ? 'podman' : 'docker');
  const clean = (e: string) => `${cli(e)} ps -aq --filter label=hoist.stack=bench | xargs -r ${cli(e)} rm -f -v; ${cli(e)} ps -aq --filter name=floor- | xargs -r ${cli(e)} rm -f -v`;
  const cold: number[] = [];
  const change: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < runs; i++) {
    sshAll(inventoryDir, hosts, clean);
    cold.push(timed(process.execPath, [HOIST, 'apply', '--graph', base, '--yes']));
    change.push(timed(process.execPath, [HOIST, 'apply', '--graph', changed, '--yes']));
    timed(process.execPath, [HOIST, 'apply', '--graph', base, '--yes']);
    sshAll(inventoryDir, hosts, clean);
    floor.push(sshAll(inventoryDir, hosts, (e) => `for i in $(seq 1 ${SERVICES}); do ${cli(e)} run -d --name floor-$i busybox:latest sleep 86400; done`));
    sshAll(inventoryDir, hosts, clean);
  }
  const c = median(cold);
  console.log(`apply, 4 ${engine} hosts x ${SERVICES} services (100 containers), ${runs} runs, medians, whole processes:`);
  console.log(`  cold apply (create all):                 ${c.toFixed(0)} ms`);
  console.log(`  change one service (4 replacements):     ${median(change).toFixed(0)} ms`);
  console.log(`  engine floor, ${cli(hosts[0].engine)} run -d x${SERVICES} on each host, 4 hosts at once: ${median(floor).toFixed(0)} ms (cold apply is ${(c / median(floor)).toFixed(2)}x)`);
} finally {
  timed(process.execPath, [HOIST, 'sandbox', 'down', '--name', SANDBOX]);
}
