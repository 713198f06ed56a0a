/**
 * CLI benchmark: the commands a user runs most, as whole processes, on 4 sandbox hosts with 25
 * services each (100 containers), next to their floors measured in the same run:
 * - `hoist --help` against `node -e 0` (starting Node);
 * - no-op `hoist plan` (runs the program), `hoist plan --graph`, `hoist status --graph` and
 *   `hoist status` against bench/plan-floor.cjs (start Node, one SSH connection per host at
 *   once, one container list per host);
 * - `hoist synth` (the program alone).
 * The project is a real one: main.ts importing hoist, applied once by `hoist apply`. Needs root:
 * it brings up its own sandbox ("bench-cli") and removes it at the end.
 * With --baseline, the hoist commands are also timed with another build of Hoist (its
 * bin/hoist.js, e.g. a worktree of an earlier commit), in the same run, for before/after.
 * Run: node --import tsx bench/cli.bench.ts [--runs N] [--engine docker|podman|mixed] [--baseline DIR/bin/hoist.js]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { arg, HOIST, median, ROOT, timed } from './bench-sandbox';

const runs = Number(arg('--runs', '7'));
const engine = arg('--engine', 'docker');
const baseline = arg('--baseline', '');
const SANDBOX = 'bench-cli';
const SERVICES = 25;

const PROGRAM = (inventoryFile: string) => `import { App, Image, Inventory, Service, Stack } from 'hoist';

const app = new App();
const stack = new Stack(app, 'bench');
const hosts = Inventory.fromFile(stack, 'hosts', ${JSON.stringify(inventoryFile)});
const busybox = Image.fromRegistry('busybox:latest');
for (let i = 0; i < ${SERVICES}; i++) {
  new Service(stack, \`svc-\${i}\`, { image: busybox, command: ['sleep', '86400'], environment: { INDEX: String(i) }, replicas: hosts.hosts.length, placement: { maxPerHost: 1 } });
}
app.synth();
`;

timed(process.execPath, [HOIST, 'sandbox', 'up', '--name', SANDBOX, '--hosts', '4', '--engine', engine, '--images', 'busybox']);
try {
  const inventoryFile = path.join(ROOT, '.hoist', 'sandbox', SANDBOX, 'inventory.json');
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-bench-cli-'));
  fs.mkdirSync(path.join(project, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(project, 'node_modules', 'hoist'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', 'constructs'), path.join(project, 'node_modules', 'constructs'));
  fs.writeFileSync(path.join(project, 'main.ts'), PROGRAM(inventoryFile));
  const graph = path.join(project, 'hoist.out', 'graph.json');
  const inProject = (args: string[], bin = HOIST) => timed(process.execPath, [bin, ...args], { ...process.env, NO_COLOR: '1' }, [0], project);
  inProject(['apply', '--yes']);
  // A no-op plan exits 0 with --detailed-exitcode (2 would mean the hosts drifted).
  const hoistCommands: [string, string, string[]][] = [
    ['hoist --help', 'node -e 0', ['--help']],
    ['hoist plan (runs the program)', 'plan-floor', ['plan', '--detailed-exitcode']],
    ['hoist plan --graph', 'plan-floor', ['plan', '--graph', graph, '--detailed-exitcode']],
    ['hoist status (runs the program)', 'plan-floor', ['status']],
    ['hoist status --graph', 'plan-floor', ['status', '--graph', graph]],
    ['hoist synth', 'node -e 0', ['synth']],
  ];
  const measures: [string, string, () => number][] = [
    ['node -e 0', '', () => timed(process.execPath, ['-e', '0'])],
    ['plan-floor', '', () => timed(process.execPath, [path.join(ROOT, 'bench', 'plan-floor.cjs'), inventoryFile])],
    ...hoistCommands.map(([name, floor, args]): [string, string, () => number] => [name, floor, () => inProject(args)]),
    ...(baseline ? hoistCommands.map(([name, floor, args]): [string, string, () => number] => [`baseline ${name}`, floor, () => inProject(args, baseline)]) : []),
  ];
  const times = new Map<string, number[]>(measures.map(([name]) => [name, []]));
  for (const [, , run] of measures) run();
  // Interleaved, so a busy moment of the machine falls on every command alike.
  for (let i = 0; i < runs; i++) for (const [name, , run] of measures) times.get(name)!.push(run());
  const medianOf = (name: string) => median(times.get(name)!);
  console.log('plan-floor: start Node, one SSH connection per host at once, one container list per host (bench/plan-floor.cjs)');
  console.log(`CLI, 4 ${engine} hosts x ${SERVICES} services (100 containers), ${runs} runs, medians of whole processes:`);
  for (const [name, floor] of measures) {
    const ratio = floor ? `  (${(medianOf(name) / medianOf(floor)).toFixed(2)}x ${floor})` : '';
    console.log(`  ${name.padEnd(58)} ${medianOf(name).toFixed(0).padStart(6)} ms${ratio}`);
  }
} finally {
  timed(process.execPath, [HOIST, 'sandbox', 'down', '--name', SANDBOX]);
}
