import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SecretOrigin } from '../graph/graph-document';

/** The outcome of reading a secret's value: the bytes, or why they could not be read (never the value). */
export type SecretRead = { ok: true; value: Buffer } | { ok: false; reason: string };

/**
 * Reads a secret's value from its origin. Messages on failure never include the command's
 * output: a failing secret command may have printed the secret.
 */
export function readSecretValue(origin: SecretOrigin, projectDir: string): SecretRead {
  switch (origin.kind) {
    case 'env': {
      const value = process.env[origin.variable];
      return value === undefined
        ? { ok: false, reason: `environment variable ${origin.variable} is not set; export it before running hoist` }
        : { ok: true, value: Buffer.from(value, 'utf8') };
    }
    case 'file': {
      try {
        return { ok: true, value: fs.readFileSync(path.resolve(projectDir, origin.path)) };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return { ok: false, reason: `secret file ${origin.path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}` };
      }
    }
    case 'command': {
      try {
        const out = execFileSync(origin.argv[0], origin.argv.slice(1), {
          cwd: projectDir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000, maxBuffer: 1024 * 1024,
        });
        // Like the shell's $(...), drop the one trailing newline commands print.
        return { ok: true, value: out.length > 0 && out[out.length - 1] === 0x0a ? out.subarray(0, out.length - 1) : out };
      } catch (error) {
        const e = error as NodeJS.ErrnoException & { status?: number; signal?: string };
        const why = e.code === 'ENOENT' ? `command ${JSON.stringify(origin.argv[0])} was not found`
          : e.code === 'ETIMEDOUT' || e.signal ? `command ${JSON.stringify(origin.argv[0])} did not finish within 30s`
            : `command ${JSON.stringify(origin.argv[0])} exited with code ${e.status ?? 'unknown'}`;
        return { ok: false, reason: `${why} (its output is not shown, since it may hold the secret)` };
      }
    }
  }
}
