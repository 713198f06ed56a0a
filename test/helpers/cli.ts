import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const HOIST_BIN = path.join(REPO_ROOT, 'bin', 'hoist.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `hoist` command as a user would, in `cwd`. */
export function runHoist(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {}): CliResult {
  const result = spawnSync(process.execPath, [HOIST_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A `hoist` process running in the background: its output so far, signals, and its end. */
export interface RunningHoist {
  readonly child: import('node:child_process').ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the output matches, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  finished: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Starts `hoist` without waiting for it, so a test can act while it runs (poll, interrupt, kill). */
export function startHoist(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): RunningHoist {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const child = spawn(process.execPath, [HOIST_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); listeners.forEach((l) => l()); });
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); listeners.forEach((l) => l()); });
  const finished = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (status, signal) => resolve({ status, signal, stdout: out, stderr: err }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern, timeoutMs = 120_000) => new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(out) || pattern.test(err)) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`hoist never printed ${pattern}:\n${out}\n${err}`));
      }, timeoutMs);
      listeners.add(check);
      void finished.then(() => setTimeout(() => {
        if (listeners.has(check)) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`hoist ended without printing ${pattern}:\n${out}\n${err}`));
        }
      }, 10));
      check();
    }),
    finished,
  };
}
