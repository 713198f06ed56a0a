/**
 * Status benchmark: `hoist status` of 4 hosts x 25 containers, wall time including process
 * start, against `docker --host ssh://HOST ps` on each host, in the same run. Needs root
 * (it brings up its own sandbox, "bench-status", and removes it at the end).
 * Run: node --import tsx bench/status.bench.ts [--runs N]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Image, Inventory, Service, Stack, Testing } from '../lib';
import type { GraphDocument } from '../lib/graph/graph-document';
import { openHost } from '../lib/transport/open-host';
import { createOnHost } from '../test/helpers/roundtrip';

const ROOT = path.resolve(__dirname, '..');
const HOIST = path.join(ROOT, 'bin', 'hoist.js');
const NAME = 'bench-status';
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 5);

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(file, args, { encoding: 'utf8', cwd: ROOT, env });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed:\n${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

async function main(): Promise<void> {
  run(process.execPath, [HOIST, 'sandbox', 'up', '--name', NAME, '--hosts', '4', '--engine', 'docker', '--images', 'busybox']);
  try {
    const inventoryDir = path.join(ROOT, '.hoist', 'sandbox', NAME);
    const app = Testing.app({ projectDir: ROOT });
    const stack = new Stack(app, 'rt');
    const hosts = Inventory.fromFile(stack, 'hosts', path.join(inventoryDir, 'inventory.json'));
    new Service(stack, 'app', { image: Image.fromRegistry('busybox:latest'), command: ['sleep', '86400'], replicas: 25 * hosts.hosts.length, placement: { maxPerHost: 25 } });
    const graph: GraphDocument = Testing.synth(app);
    const graphFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-bench-')), 'graph.json');
    fs.writeFileSync(graphFile, JSON.stringify(graph));
    await Promise.all(graph.stacks[0].hosts.map(async (spec) => {
      const open = await openHost(spec, { projectDir: ROOT, trustNewHosts: false });
      try {
        await createOnHost(open, graph.stacks[0]);
      } finally {
        open.close();
      }
    }));

    // docker CLI over ssh:// runs the system ssh client; a wrapper first in PATH gives it the
    // sandbox's ssh_config (ssh reads ~/.ssh/config from the passwd entry, not $HOME).
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-bench-bin-'));
    fs.writeFileSync(path.join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F '${path.join(inventoryDir, 'ssh_config')}' "$@"\n`, { mode: 0o755 });
    const dockerEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const names = graph.stacks[0].hosts.map((h) => h.name);

    run(process.execPath, [HOIST, 'status', '--graph', graphFile]);
    const hoist: number[] = [];
    const dockerSequential: number[] = [];
    const dockerParallel: number[] = [];
    for (let i = 0; i < runs; i++) {
      hoist.push(run(process.execPath, [HOIST, 'status', '--graph', graphFile]));
      dockerSequential.push(names.reduce((sum, host) => sum + run('docker', ['--host', `ssh://${host}`, 'ps', '-a'], dockerEnv), 0));
      const started = process.hrtime.bigint();
      spawnSync('sh', ['-c', names.map((h) => `docker --host ssh://${h} ps -a >/dev/null &`).join(' ') + ' wait'], { env: dockerEnv });
      dockerParallel.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const h = median(hoist);
    console.log(`4 hosts x 25 containers, ${runs} runs, medians (whole processes, start included):`);
    console.log(`  hoist status --graph:                        ${h.toFixed(0)} ms`);
    console.log(`  docker --host ssh://HOST ps -a, 4 in a row:  ${median(dockerSequential).toFixed(0)} ms (${(median(dockerSequential) / h).toFixed(1)}x hoist)`);
    console.log(`  docker --host ssh://HOST ps -a, 4 at once:   ${median(dockerParallel).toFixed(0)} ms (${(median(dockerParallel) / h).toFixed(1)}x hoist)`);
  } finally {
    run(process.execPath, [HOIST, 'sandbox', 'down', '--name', NAME]);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
