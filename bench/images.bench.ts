/**
 * Image delivery benchmark: a multi-layer image (busybox base, a 20 MB dependency layer, a
 * 5 MB asset layer, a 50 KB application file) built on host-1 and sent straight over SSH to
 * host-2, then sent again after the application file changed. Reports the bytes sent the
 * second time against the size of the one changed layer (the aim: at most 1.2x), and both
 * delivery times next to `docker save | ssh host-2 docker load` of the same images (the
 * whole image each time, as one would without Hoist). Needs root: it brings up its own
 * sandbox ("bench-img") and removes it.
 * Run: node --import tsx bench/images.bench.ts [--runs N]
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Image, Inventory, Service, Stack, Testing } from '../lib';
import type { GraphDocument } from '../lib/graph/graph-document';
import { arg, HOIST, median, ROOT, timed } from './bench-sandbox';

const runs = Number(arg('--runs', '3'));
const SANDBOX = 'bench-img';

function synth(inventoryDir: string, dir: string): { file: string; reference: string } {
  const app = Testing.app({ projectDir: dir });
  const stack = new Stack(app, 'bimg');
  const inv = Inventory.fromFile(stack, 'hosts', path.join(inventoryDir, 'inventory.json'));
  new Service(stack, 'web', {
    image: Image.fromDockerfile('app', { imageName: 'web', builder: inv.hosts[0], keepVersions: 10 }),
    command: ['sleep', '86400'],
    placement: { hosts: [inv.hosts[1]] },
    stopGracePeriod: '1s',
  });
  const graph: GraphDocument = Testing.synth(app);
  const file = path.join(dir, 'graph.json');
  fs.writeFileSync(file, JSON.stringify(graph));
  const container = graph.stacks[0].resources.find((r) => r.kind === 'container') as { spec: { image: { reference: string } } };
  return { file, reference: container.spec.image.reference };
}

/** One apply with --json: the delivery's time and bytes, from its action-done event. */
function applyAndMeasure(file: string, dir: string): { ms: number; bytes: number; layers: string } {
  const r = spawnSync(process.execPath, [HOIST, 'apply', '--graph', file, '--project', dir, '--yes', '--json'], { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`apply failed:\n${r.stdout}\n${r.stderr}`);
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line);
    if (event.type === 'action-done' && event.action?.kind === 'image' && event.sent) {
      return { ms: event.ms, bytes: event.sent.bytes, layers: `${event.sent.layers}/${event.sent.totalLayers}` };
    }
  }
  throw new Error(`no image delivery in the apply output:\n${r.stdout}`);
}

function ssh(inventoryDir: string, host: string, command: string): string {
  const r = spawnSync('ssh', ['-F', path.join(inventoryDir, 'ssh_config'), host, command], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`ssh ${host} ${command}: ${r.stderr}`);
  return r.stdout;
}

/** `docker save ref | ssh host-2 docker load`, run here like a user would; its time. */
function saveLoad(inventoryDir: string, reference: string): { ms: number } {
  const config = path.join(inventoryDir, 'ssh_config');
  const started = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', `ssh -F '${config}' host-1 'docker save ${reference}' | ssh -F '${config}' host-2 'docker load' >/dev/null`]);
  if (r.status !== 0) throw new Error(`docker save | docker load failed: ${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Size of the image's last layer as a tar, the unit every engine sends layers in. */
function lastLayerBytes(inventoryDir: string, reference: string): number {
  const listing = ssh(inventoryDir, 'host-1', `docker save ${reference} | tar -tvf - ; docker save ${reference} | tar -xOf - manifest.json`);
  const manifest = JSON.parse(listing.slice(listing.lastIndexOf('[{')));
  const last: string = manifest[0].Layers[manifest[0].Layers.length - 1];
  const row = listing.split('\n').find((l) => l.trim().endsWith(` ${last}`));
  return Number(row!.trim().split(/\s+/)[2]);
}

timed(process.execPath, [HOIST, 'sandbox', 'up', '--name', SANDBOX, '--hosts', '2', '--engine', 'docker', '--images', 'busybox']);
try {
  const inventoryDir = path.join(ROOT, '.hoist', 'sandbox', SANDBOX);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-bench-img-'));
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'app', 'Dockerfile'), 'FROM busybox:latest\nCOPY deps.bin /opt/deps.bin\nCOPY assets.bin /opt/assets.bin\nCOPY app.txt /opt/app.txt\nUSER 1000\n');
  fs.writeFileSync(path.join(dir, 'app', '.dockerignore'), '*.tmp\n');
  fs.writeFileSync(path.join(dir, 'app', 'deps.bin'), randomBytes(20_000_000));
  fs.writeFileSync(path.join(dir, 'app', 'assets.bin'), randomBytes(5_000_000));
  const first: number[] = [];
  const second: number[] = [];
  const firstRef: number[] = [];
  const secondRef: number[] = [];
  const ratios: number[] = [];
  let sample = '';
  for (let i = 0; i < runs; i++) {
    const clean = `docker ps -aq --filter label=hoist.stack=bimg | xargs -r docker rm -f -v >/dev/null; docker images -q --filter label=hoist.image.stack=bimg | xargs -r docker rmi -f >/dev/null; true`;
    ssh(inventoryDir, 'host-1', clean);
    ssh(inventoryDir, 'host-2', clean);
    fs.writeFileSync(path.join(dir, 'app', 'app.txt'), randomBytes(25_000).toString('hex'));
    const v1 = synth(inventoryDir, dir);
    const a = applyAndMeasure(v1.file, dir);
    fs.writeFileSync(path.join(dir, 'app', 'app.txt'), randomBytes(25_000).toString('hex'));
    const v2 = synth(inventoryDir, dir);
    const b = applyAndMeasure(v2.file, dir);
    const changed = lastLayerBytes(inventoryDir, v2.reference);
    first.push(a.ms);
    second.push(b.ms);
    ratios.push(b.bytes / changed);
    sample = `first ${a.layers} layers ${a.bytes} B; second ${b.layers} layers ${b.bytes} B; changed layer ${changed} B`;
    // The same two images the plain way, each as a whole, into a host that has neither.
    ssh(inventoryDir, 'host-2', clean);
    firstRef.push(saveLoad(inventoryDir, v1.reference).ms);
    secondRef.push(saveLoad(inventoryDir, v2.reference).ms);
  }
  console.log(`image delivery over SSH, 2 Docker hosts, ${runs} runs, medians (last run: ${sample}):`);
  console.log(`  second delivery bytes / changed layer:   ${median(ratios).toFixed(3)}x (aim: <= 1.2x)`);
  console.log(`  first delivery (whole image, 4 layers):  hoist ${median(first).toFixed(0)} ms   docker save | ssh docker load ${median(firstRef).toFixed(0)} ms`);
  console.log(`  second delivery (one changed layer):     hoist ${median(second).toFixed(0)} ms   docker save | ssh docker load ${median(secondRef).toFixed(0)} ms`);
} finally {
  timed(process.execPath, [HOIST, 'sandbox', 'down', '--name', SANDBOX]);
}
