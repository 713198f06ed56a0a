/**
 * Sandbox benchmark: `hoist sandbox up --hosts 3` with a warm image cache, and `down`,
 * timed as whole commands (process start included). Needs root.
 * Run: node --import tsx bench/sandbox.bench.ts [--engine docker|podman|mixed] [--runs N]
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { arg } from './bench-sandbox';

const engine = arg('--engine', 'mixed');
const runs = Number(arg('--runs', '3'));
const hoist = path.join(__dirname, '..', 'bin', 'hoist.js');
const name = 'bench';

function timed(command: string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [hoist, ...command], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command.join(' ')} failed:\n${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} s, min ${sorted[0].toFixed(1)} s, max ${sorted[sorted.length - 1].toFixed(1)} s (${values.length} runs)`;
}

// Warm the image cache (debootstrap happens at most once).
timed(['sandbox', 'up', '--name', name, '--hosts', '1', '--engine', engine]);
timed(['sandbox', 'down', '--name', name]);

const up: number[] = [];
const again: number[] = [];
const down: number[] = [];
for (let i = 0; i < runs; i++) {
  up.push(timed(['sandbox', 'up', '--name', name, '--hosts', '3', '--engine', engine]));
  again.push(timed(['sandbox', 'up', '--name', name, '--hosts', '3', '--engine', engine]));
  down.push(timed(['sandbox', 'down', '--name', name]));
}
console.log(`sandbox up --hosts 3 --engine ${engine} (warm cache, busybox + debian imported): ${stats(up)}`);
console.log(`sandbox up again (healthy, no-op):                         ${stats(again)}`);
console.log(`sandbox down:                                              ${stats(down)}`);
