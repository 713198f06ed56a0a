import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { engineVersion, EngineVersion } from './engine-socket';
import { HOST_INIT_SCRIPT, hostPaths, writeHostConfig } from './host-files';
import { processesIn } from './sandbox-network';
import { registryAddress } from './sandbox-names';
import type { SandboxHostState, SandboxState } from './sandbox-state';
import { mustRun } from './system-command';

/** Generates the host's SSH host key once; a re-run of `up` keeps it, so known_hosts stays valid. */
export async function ensureHostKey(host: SandboxHostState, clientPublicKey: string): Promise<string> {
  const p = hostPaths(host);
  fs.mkdirSync(p.ssh, { recursive: true, mode: 0o755 });
  if (!fs.existsSync(p.hostKey)) {
    await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `hoist-sandbox-${host.name}`, '-f', p.hostKey]);
  }
  fs.writeFileSync(p.authorizedKeys, clientPublicKey.trim() + '\n', { mode: 0o600 });
  return fs.readFileSync(`${p.hostKey}.pub`, 'utf8').trim();
}

/**
 * Whether the host's init is alive: the recorded pid runs and started when it was recorded
 * (so a reused pid is not mistaken for it, and a check right after spawning, before the
 * child has exec'd, does not see the parent's command line and give up).
 */
export function hostInitAlive(host: SandboxHostState): boolean {
  const recorded = readPid(host);
  if (recorded === undefined) return false;
  const now = processStart(recorded.pid);
  return now !== undefined && now === recorded.start;
}

function readPid(host: SandboxHostState): { pid: number; start: string } | undefined {
  try {
    const [pid, start] = fs.readFileSync(hostPaths(host).pidFile, 'utf8').trim().split(' ');
    const n = Number(pid);
    return Number.isInteger(n) && n > 1 && start ? { pid: n, start } : undefined;
  } catch {
    return undefined;
  }
}

/** A process's start time (clock ticks since boot, from /proc/PID/stat), or undefined if it is gone or a zombie. */
function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** Starts the host's init (engine + sshd) in its network namespace, detached from this process. */
export function startHost(state: SandboxState, host: SandboxHostState): void {
  const p = hostPaths(host);
  writeHostConfig(state, host);
  // A fresh /run: stale pid files from a crashed run would stop dockerd from starting.
  fs.rmSync(p.run, { recursive: true, force: true });
  fs.mkdirSync(p.run, { mode: 0o755 });
  if (host.engine === 'podman') fs.mkdirSync('/var/lib/cni', { recursive: true });
  const log = fs.openSync(path.join(p.logs, 'init.log'), 'a');
  const child = spawn('nsenter', [
    `--net=/var/run/netns/${host.netns}`,
    'unshare', '--mount', '--uts', '--pid', '--kill-child', '--mount-proc', '--propagation', 'private',
    'sh', '-c', HOST_INIT_SCRIPT, 'hoist-host-init',
    p.run, host.name, p.sshdConfig, path.join(p.logs, 'sshd.log'), host.engine, path.join(p.logs, 'engine.log'), p.dir, registryAddress(state.slot),
  ], { detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const start = child.pid === undefined ? undefined : processStart(child.pid);
  if (child.pid === undefined || start === undefined) {
    throw new Error(`sandbox host ${host.name}: could not start its init (nsenter/unshare); see ${path.join(p.logs, 'init.log')}`);
  }
  fs.writeFileSync(p.pidFile, `${child.pid} ${start}`);
  child.unref();
}

/** What a health check of one host found. */
export interface HostHealth {
  readonly sshOk: boolean;
  readonly engine?: EngineVersion;
}

export async function hostHealth(host: SandboxHostState): Promise<HostHealth> {
  const [sshOk, engine] = await Promise.all([sshAnswers(host.address), engineVersion(hostPaths(host).engineSocket)]);
  return { sshOk, engine };
}

/** Waits until sshd greets and the engine answers, or fails naming what did not come up and its log. */
export async function waitForHost(host: SandboxHostState, timeoutMs: number): Promise<EngineVersion> {
  const deadline = Date.now() + timeoutMs;
  let health: HostHealth = { sshOk: false };
  while (Date.now() < deadline) {
    health = await hostHealth(host);
    if (health.sshOk && health.engine) return health.engine;
    if (!hostInitAlive(host)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const p = hostPaths(host);
  const what = !health.engine ? `${host.engine} (log: ${path.join(p.logs, 'engine.log')})` : `sshd (log: ${path.join(p.logs, 'sshd.log')})`;
  const tail = lastLines(path.join(p.logs, !health.engine ? 'engine.log' : 'sshd.log'), 5) || lastLines(path.join(p.logs, 'init.log'), 5);
  const why = hostInitAlive(host) ? `did not come up within ${Math.round(timeoutMs / 1000)}s` : 'stopped: the host\'s init exited';
  throw new Error(`sandbox host ${host.name}: ${what} ${why}${tail ? `; last lines:\n${tail}` : ''}`);
}

/** Kills the host's init, which takes every process of the host with it, then any straggler in its netns. */
export async function stopHost(host: SandboxHostState): Promise<void> {
  const recorded = readPid(host);
  if (recorded !== undefined && hostInitAlive(host)) {
    try {
      process.kill(recorded.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const left = await processesIn(host.netns);
    if (left.length === 0) return;
    for (const p of left) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // Exited meanwhile.
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sandbox host ${host.name}: processes ${(await processesIn(host.netns)).join(', ')} survive SIGKILL in netns ${host.netns}`);
}

function sshAnswers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port: 22, timeout: 1000 });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString('latin1').startsWith('SSH-'));
    });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(false));
  });
}

function lastLines(file: string, count: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).map((l) => `    ${l}`).join('\n');
  } catch {
    return '';
  }
}
