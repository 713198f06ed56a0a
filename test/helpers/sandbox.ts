import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runHoist, REPO_ROOT } from './cli';

/** The sandbox the integration suite shares; scripts/test.sh brings it up and tears it down. */
export const IT_SANDBOX = process.env.HOIST_IT_SANDBOX ?? 'it';

export interface SandboxInventory {
  readonly dir: string;
  readonly hosts: { name: string; address: string; engine: 'docker' | 'podman'; roles: string[] }[];
}

/** Integration tests need real hosts, so root; say so instead of skipping. */
export function requireRoot(): void {
  assert.equal(process.getuid?.(), 0, 'integration tests create network namespaces and need root: run scripts/test.sh as root (CI does)');
}

/**
 * Brings the sandbox up (idempotent: a no-op when it is healthy) and returns its inventory.
 */
export function ensureSandbox(name: string, args: string[] = ['--hosts', '3', '--engine', 'mixed', '--registry']): SandboxInventory {
  requireRoot();
  const result = runHoist(['sandbox', 'up', '--name', name, ...args], { timeoutMs: 10 * 60_000 });
  assert.equal(result.status, 0, `hoist sandbox up --name ${name} failed:\n${result.stderr}\n${result.stdout}`);
  return readInventory(name);
}

export function readInventory(name: string): SandboxInventory {
  const dir = path.join(REPO_ROOT, '.hoist', 'sandbox', name);
  return { dir, hosts: JSON.parse(fs.readFileSync(path.join(dir, 'inventory.json'), 'utf8')).hosts };
}

/** Runs a command on a sandbox host with the system ssh client and the sandbox's ssh_config. */
export function sshRun(inventory: SandboxInventory, host: string, command: string, extra: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('ssh', ['-F', path.join(inventory.dir, 'ssh_config'), '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', ...extra, host, command], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

