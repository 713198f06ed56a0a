import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { registryAddress } from './sandbox-names';
import { sandboxDir, SandboxState } from './sandbox-state';

/** Paths of the sandbox's registry. */
export function registryPaths(name: string) {
  const dir = path.join(sandboxDir(name), 'registry');
  return { dir, config: path.join(dir, 'config.yml'), data: path.join(dir, 'data'), pidFile: path.join(dir, 'registry.pid'), log: path.join(dir, 'registry.log') };
}

/** Starts Debian's docker-registry on the sandbox bridge (plain HTTP: it never leaves the bridge). */
export async function startRegistry(state: SandboxState): Promise<string> {
  const address = registryAddress(state.slot);
  if (await answers(address)) return address;
  const p = registryPaths(state.name);
  fs.mkdirSync(p.data, { recursive: true });
  fs.writeFileSync(p.config, [
    'version: 0.1',
    'log: { level: info }',
    `storage: { filesystem: { rootdirectory: ${JSON.stringify(p.data)} }, delete: { enabled: true } }`,
    `http: { addr: ${JSON.stringify(address)} }`,
    '',
  ].join('\n'));
  const log = fs.openSync(p.log, 'a');
  const child = spawn('docker-registry', ['serve', p.config], { detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  fs.writeFileSync(p.pidFile, String(child.pid));
  child.unref();
  for (let i = 0; i < 50; i++) {
    if (await answers(address)) return address;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sandbox ${state.name}: the registry did not start on ${address}; see ${p.log}`);
}

/** Stops the registry, if it runs. */
export function stopRegistry(name: string): void {
  const p = registryPaths(name);
  try {
    const pid = Number(fs.readFileSync(p.pidFile, 'utf8'));
    if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('registry')) process.kill(pid, 'SIGKILL');
  } catch {
    // Not running.
  }
}

function answers(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port), timeout: 500 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(false));
  });
}
