/**
 * Synth benchmark: a generated stack of 1,000 services on 20 hosts.
 *
 * Measures (1) construct tree + validation + graph + canonical JSON in-process, and (2) the
 * whole `hoist synth` command on a generated program (process start, tsx, writing the file).
 * Run: npm run bench   (prints median and min of several runs; compare as ratios in one run)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, HealthCheck, Host, Image, Network, Service, Stack, Volume } from '../lib';
import { canonicalJsonPretty } from '../lib/graph/canonical-json';
import { synthesize } from '../lib/synth/synthesize';
import { fingerprintKeyOf } from '../lib/secrets/secret-fingerprint';

const SERVICES = 1000;
const HOSTS = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** Builds the benchmark stack; the same code is written out as a program for the CLI run. */
export function buildStack(app: App): void {
  const stack = new Stack(app, 'bench', { defaults: { resources: { memory: '128MiB', pids: 100 } } });
  for (let h = 0; h < HOSTS; h++) {
    new Host(stack, `host-${h}`, { address: `10.99.0.${h + 1}`, roles: [h % 2 ? 'odd' : 'even'] });
  }
  const networks = Array.from({ length: 10 }, (_, i) => new Network(stack, `net-${i}`));
  const image = Image.fromRegistry('busybox:1.36');
  for (let s = 0; s < SERVICES; s++) {
    const volume = s % 4 === 0 ? new Volume(stack, `data-${s}`) : undefined;
    new Service(stack, `svc-${s}`, {
      image,
      command: ['httpd', '-f', '-p', '8080'],
      environment: { INDEX: String(s), MODE: 'bench', REGION: `r${s % 5}` },
      ports: [{ container: 8080, host: 20000 + s }],
      mounts: volume ? [volume.mount('/data')] : [],
      networks: [networks[s % networks.length]],
      replicas: 1 + (s % 3),
      placement: { roles: [s % 2 ? 'odd' : 'even'] },
      healthCheck: HealthCheck.http(8080, { path: '/health' }),
    });
  }
}

function inProcess(): { ms: number; bytes: number; resources: number } {
  const started = process.hrtime.bigint();
  const app = new App({ outdir: os.tmpdir() });
  buildStack(app);
  const result = synthesize(app, { fingerprintKey: fingerprintKeyOf('bench') });
  if (!result.ok) throw new Error(result.problems.slice(0, 5).join('\n'));
  const text = canonicalJsonPretty(result.graph);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, bytes: text.length, resources: result.graph.stacks[0].resources.length };
}

function viaCli(dir: string): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'bin', 'hoist.js'), 'synth', '-C', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms (${values.length} runs)`;
}

function main(): void {
  const first = inProcess(); // warm-up, also gives sizes
  const times = Array.from({ length: RUNS }, () => inProcess().ms);
  console.log(`synth in-process: ${SERVICES} services, ${HOSTS} hosts -> ${first.resources} resources, ${(first.bytes / 1e6).toFixed(1)} MB graph`);
  console.log(`  ${stats(times)}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-bench-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(path.resolve(__dirname, '..'), path.join(dir, 'node_modules', 'hoist'));
  const source = fs.readFileSync(__filename, 'utf8');
  const builder = source.slice(source.indexOf('export function buildStack'), source.indexOf('function inProcess'));
  fs.writeFileSync(path.join(dir, 'main.ts'), [
    "import { App, HealthCheck, Host, Image, Network, Service, Stack, Volume } from 'hoist';",
    `const SERVICES = ${SERVICES};`, `const HOSTS = ${HOSTS};`, builder,
    'const app = new App();', 'buildStack(app);', 'app.synth();',
  ].join('\n'));
  viaCli(dir);
  const cliTimes = Array.from({ length: RUNS }, () => viaCli(dir));
  console.log(`hoist synth (CLI, whole process, writes graph.json):`);
  console.log(`  ${stats(cliTimes)}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

main();
