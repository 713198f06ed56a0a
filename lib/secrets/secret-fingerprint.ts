import { createHash, createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

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
  // Written whole under a temporary name, then linked into place: a synth running at the same
  // moment sees either no key file or a complete one, never an empty one.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(temporary, key + '\n', { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(temporary, file);
  } catch (error) {
    // Another synth created it first; use theirs so both agree.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return fingerprintKeyOf(fs.readFileSync(file, 'utf8').trim());
  } finally {
    fs.rmSync(temporary, { force: true });
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
