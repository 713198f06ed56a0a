/**
 * Scale benchmark: a no-op `hoist plan --graph` of 20 sandbox hosts x 50 services (1,000
 * containers, created beforehand straight from the graph), whole process: wall time and peak
 * RSS (read by GNU time, /usr/bin/time), next to bench/plan-floor.cjs on the same 20 hosts in
 * the same run. Needs root: it brings up its own sandbox ("bench-scale", 20 Docker hosts,
 * about 2 GB of memory) and removes it at the end. Creating the 1,000 containers takes minutes.
 * Run: node --import tsx bench/scale.bench.ts [--runs N] [--engine docker|podman|mixed] [--hosts N] [--services N]
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { arg, HOIST, median, ROOT, timed, withLoadedSandbox } from './bench-sandbox';

const runs = Number(arg('--runs', '5'));
const engine = arg('--engine', 'docker');
const hosts = Number(arg('--hosts', '20'));
const services = Number(arg('--services', '50'));

/** Runs a command under GNU time: wall ms and peak RSS in MB. */
function timedWithRss(args: string[]): { ms: number; rssMb: number } {
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'rss-kb=%M', process.execPath, ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`hoist ${args.slice(1).join(' ')} failed (${r.status}):\n${r.stderr}`);
  const rss = /rss-kb=(\d+)/.exec(r.stderr);
  if (!rss) throw new Error(`no peak RSS from /usr/bin/time:\n${r.stderr}`);
  return { ms, rssMb: Number(rss[1]) / 1024 };
}

withLoadedSandbox('bench-scale', hosts, engine, services, (graphFile, inventoryDir) => {
  const plan = [HOIST, 'plan', '--graph', graphFile, '--detailed-exitcode'];
  const floorArgs = [path.join(ROOT, 'bench', 'plan-floor.cjs'), path.join(inventoryDir, 'inventory.json')];
  timedWithRss(plan);
  const plans: { ms: number; rssMb: number }[] = [];
  const floors: number[] = [];
  for (let i = 0; i < runs; i++) {
    plans.push(timedWithRss(plan));
    floors.push(timed(process.execPath, floorArgs));
  }
  const wall = median(plans.map((p) => p.ms));
  const floor = median(floors);
  console.log(`scale: no-op hoist plan --graph, ${hosts} ${engine} hosts x ${services} services (${hosts * services} containers), ${runs} runs, medians of whole processes:`);
  console.log(`  hoist plan --graph  ${wall.toFixed(0)} ms, peak RSS ${median(plans.map((p) => p.rssMb)).toFixed(0)} MB (max ${Math.max(...plans.map((p) => p.rssMb)).toFixed(0)} MB)  (${(wall / floor).toFixed(2)}x plan-floor)`);
  console.log(`  plan-floor          ${floor.toFixed(0)} ms (start Node, ${hosts} SSH connections at once, one container list each)`);
}).catch((error) => {
  console.error(error);
  process.exit(1);
});
