import { createHash, createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SecretOrigin } from '../graph/graph-document';

/**
 * Secret fingerprints: HMAC-SHA256 under a key that is not in the graph, so a fingerprint
 * shows that a value changed without letting anyone test guesses of a short password
 * against it. The key id (a hash prefix of the key) travels with the fingerprint, so a plan
 * can tell "the secret changed" from "this machine uses another key".
 */
export interface FingerprintKey {
  readonly key: Buffer;
  readonly id: string;
}

/** Environment variable that supplies the key, e.g. in CI (keep it stable across runs). */
export const FINGERPRINT_KEY_ENV = 'HOIST_FINGERPRINT_KEY';

/** The key from HOIST_FINGERPRINT_KEY, else from `.hoist/fingerprint.key` (created, mode 0600). */
export function loadFingerprintKey(projectDir: string): FingerprintKey {
  const fromEnv = process.env[FINGERPRINT_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return fingerprintKeyOf(fromEnv);
  }
  const file = path.join(projectDir, '.hoist', 'fingerprint.key');
  try {
    return fingerprintKeyOf(fs.readFileSync(file, 'utf8').trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('hex');
  try {
    fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another synth created it first; use theirs so both agree.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return fingerprintKeyOf(fs.readFileSync(file, 'utf8').trim());
  }
  return fingerprintKeyOf(key);
}

export function fingerprintKeyOf(secret: string): FingerprintKey {
  const key = Buffer.from(secret, 'utf8');
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 8) };
}

/** `hmac-sha256:<key id>:<mac>` of a secret's value, bound to the stack and secret name. */
export function fingerprintSecret(key: FingerprintKey, stack: string, name: string, value: Buffer): string {
  const mac = createHmac('sha256', key.key).update(`${stack}\0${name}\0`).update(value).digest('hex');
  return `hmac-sha256:${key.id}:${mac}`;
}

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
