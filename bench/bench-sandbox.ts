import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Image, Inventory, Service, Stack, Testing } from '../lib';
import type { GraphDocument } from '../lib/graph/graph-document';
import { openHost } from '../lib/drivers/open-host';
import { createOnHost } from '../test/helpers/roundtrip';

export const ROOT = path.resolve(__dirname, '..');
export const HOIST = path.join(ROOT, 'bin', 'hoist.js');

/** The value after `name` on the benchmark's command line (`--runs 5`), else `fallback`. */
export function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

/** Runs a command to completion and returns its wall time in ms (throws on failure). */
export function timed(file: string, args: string[], env: NodeJS.ProcessEnv = process.env, okCodes = [0], cwd = ROOT): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(file, args, { encoding: 'utf8', cwd, env });
  if (!okCodes.includes(r.status ?? -1)) throw new Error(`${file} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/**
 * Brings up a benchmark sandbox, puts `services` services with one container per host on it
 * (created from the graph, as apply would), runs `work` with the graph file, and always
 * removes the sandbox.
 */
export async function withLoadedSandbox(name: string, hostCount: number, engine: string, services: number, work: (graphFile: string, inventoryDir: string, graph: GraphDocument) => Promise<void> | void): Promise<void> {
  timed(process.execPath, [HOIST, 'sandbox', 'up', '--name', name, '--hosts', String(hostCount), '--engine', engine, '--images', 'busybox']);
  try {
    const inventoryDir = path.join(ROOT, '.hoist', 'sandbox', name);
    const app = Testing.app({ projectDir: ROOT });
    const stack = new Stack(app, 'bench');
    const hosts = Inventory.fromFile(stack, 'hosts', path.join(inventoryDir, 'inventory.json'));
    for (let i = 0; i < services; i++) {
      new Service(stack, `svc-${i}`, { image: Image.fromRegistry('busybox:latest'), command: ['sleep', '86400'], replicas: hosts.hosts.length, placement: { maxPerHost: 1 } });
    }
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
    await work(graphFile, inventoryDir, graph);
  } finally {
    timed(process.execPath, [HOIST, 'sandbox', 'down', '--name', name]);
  }
}
