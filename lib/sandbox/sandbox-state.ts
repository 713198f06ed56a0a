import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineMode } from './sandbox-names';
import { SANDBOX_ROOT } from './sandbox-names';
import type { EngineKind } from '../values/engine-kind';

/** One sandbox host as recorded on disk. */
export interface SandboxHostState {
  readonly name: string;
  readonly index: number;
  readonly address: string;
  readonly engine: EngineKind;
  readonly roles: string[];
  readonly netns: string;
  readonly veth: string;
  /** Directory of the host's state (keys, engine data, its /run). */
  readonly dir: string;
}

/**
 * What `up` created, written before it creates anything further, so `down` can remove all of
 * it even after a crash, and `status` can check it. Holds no secret.
 */
export interface SandboxState {
  readonly formatVersion: 1;
  readonly name: string;
  readonly slot: number;
  readonly subnet: string;
  readonly gateway: string;
  readonly bridge: string;
  readonly engineMode: EngineMode;
  readonly hosts: SandboxHostState[];
  readonly createdAt: string;
  /** Project directories that got an inventory (removed on down). */
  readonly projectDirs: string[];
  /** ip_forward before the first sandbox turned it on, to restore after the last one. */
  readonly ipForwardBefore: string;
  readonly registry: boolean;
}

export function sandboxDir(name: string): string {
  return path.join(SANDBOX_ROOT, name);
}

export function stateFile(name: string): string {
  return path.join(sandboxDir(name), 'state.json');
}

export function readState(name: string): SandboxState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(name), 'utf8')) as SandboxState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`sandbox ${name}: ${stateFile(name)} is unreadable (${(error as Error).message}); remove it by hand if the sandbox is gone`);
  }
}

export function writeState(state: SandboxState): void {
  fs.mkdirSync(sandboxDir(state.name), { recursive: true, mode: 0o755 });
  const file = stateFile(state.name);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n', { mode: 0o644 });
  fs.renameSync(`${file}.tmp`, file);
}

/** Every sandbox recorded on this machine. */
export function listStates(): SandboxState[] {
  let names: string[];
  try {
    names = fs.readdirSync(SANDBOX_ROOT);
  } catch {
    return [];
  }
  return names.map((n) => {
    try {
      return readState(n);
    } catch {
      return undefined;
    }
  }).filter((s): s is SandboxState => s !== undefined).sort((a, b) => a.slot - b.slot);
}
