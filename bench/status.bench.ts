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
import { HOIST, median, timed, withLoadedSandbox } from './bench-sandbox';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 5);

withLoadedSandbox('bench-status', 4, 'docker', 25, (graphFile, inventoryDir, graph) => {
  // docker CLI over ssh:// runs the system ssh client; a wrapper first in PATH gives it the
  // sandbox's ssh_config (ssh reads ~/.ssh/config from the passwd entry, not $HOME).
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-bench-bin-'));
  fs.writeFileSync(path.join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F '${path.join(inventoryDir, 'ssh_config')}' "$@"\n`, { mode: 0o755 });
  const dockerEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const names = graph.stacks[0].hosts.map((h) => h.name);

  timed(process.execPath, [HOIST, 'status', '--graph', graphFile]);
  const hoist: number[] = [];
  const dockerSequential: number[] = [];
  const dockerParallel: number[] = [];
  for (let i = 0; i < runs; i++) {
    hoist.push(timed(process.execPath, [HOIST, 'status', '--graph', graphFile]));
    dockerSequential.push(names.reduce((sum, host) => sum + timed('docker', ['--host', `ssh://${host}`, 'ps', '-a'], dockerEnv), 0));
    const started = process.hrtime.bigint();
    spawnSync('sh', ['-c', names.map((h) => `docker --host ssh://${h} ps -a >/dev/null &`).join(' ') + ' wait'], { env: dockerEnv });
    dockerParallel.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const h = median(hoist);
  console.log(`4 hosts x 25 containers, ${runs} runs, medians (whole processes, start included):`);
  console.log(`  hoist status --graph:                        ${h.toFixed(0)} ms`);
  console.log(`  docker --host ssh://HOST ps -a, 4 in a row:  ${median(dockerSequential).toFixed(0)} ms (${(median(dockerSequential) / h).toFixed(1)}x hoist)`);
  console.log(`  docker --host ssh://HOST ps -a, 4 at once:   ${median(dockerParallel).toFixed(0)} ms (${(median(dockerParallel) / h).toFixed(1)}x hoist)`);
}).catch((error) => {
  console.error(error);
  process.exit(1);
});
