import { execFile } from 'node:child_process';

/** What a finished command printed, and how it ended. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program with arguments (never through a shell, so no value is ever parsed as shell
 * syntax) and resolves with its output whatever the exit code.
 */
export function runCommand(file: string, args: string[], options: { input?: Buffer | string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(file, args, {
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
      env: options.env ?? process.env,
    }, (error, stdout, stderr) => {
      const raw = (error as { code?: unknown } | null)?.code;
      const code = !error ? 0 : typeof raw === 'number' ? raw : raw === 'ENOENT' ? 127 : 1;
      resolve({ code, stdout: String(stdout ?? ''), stderr: String(stderr ?? (error?.message ?? '')) });
    });
    if (options.input !== undefined) {
      child.stdin?.end(options.input);
    }
  });
}

/** Runs a program and throws, with its stderr, when it fails. */
export async function mustRun(file: string, args: string[], options: { input?: Buffer | string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const result = await runCommand(file, args, options);
  if (result.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' / ')}`);
  }
  return result.stdout;
}
