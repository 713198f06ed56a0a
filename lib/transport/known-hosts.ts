import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  readonly marker: '' | '@revoked' | '@cert-authority';
  /** Host patterns, plain or hashed (`|1|salt|hash`). */
  readonly patterns: string[];
  readonly keyType: string;
  /** The key blob (SSH wire format). */
  readonly key: Buffer;
  readonly line: number;
}

/** What known_hosts says about a host's presented key. */
export type KnownHostVerdict =
  | { readonly result: 'match' }
  | { readonly result: 'revoked' }
  | { readonly result: 'mismatch'; readonly recorded: string[] }
  | { readonly result: 'unknown' };

/** Parses known_hosts text; malformed lines are skipped, as OpenSSH does. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = '';
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields.shift() as KnownHostEntry['marker'];
    }
    if (fields.length < 3) return;
    const [hosts, keyType, keyBase64] = fields;
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length === 0) return;
    entries.push({ marker, patterns: hosts.split(','), keyType, key, line: index + 1 });
  });
  return entries;
}

/** The name known_hosts records for a host and port: `host`, or `[host]:port` off port 22. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Whether one host pattern (plain, wildcard, negated or hashed) matches `name`. */
function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  const regex = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, (c) => '\\' + c).replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  return regex.test(name);
}

/** Whether an entry applies to `name`: some pattern matches and no negated pattern does. */
function entryMatches(entry: KnownHostEntry, name: string): boolean {
  let matched = false;
  for (const pattern of entry.patterns) {
    if (pattern.startsWith('!')) {
      if (patternMatches(pattern.slice(1), name)) return false;
    } else if (patternMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * Checks a presented host key against known_hosts entries for any of `names`. A revoked
 * key is refused; a key listed for the host matches; a host listed with other keys only is
 * a mismatch (a changed key, refused, whatever its type); a host not listed is unknown.
 */
export function checkKnownHost(entries: KnownHostEntry[], names: string[], presented: Buffer): KnownHostVerdict {
  const relevant = entries.filter((e) => e.marker !== '@cert-authority' && names.some((n) => entryMatches(e, n)));
  if (relevant.some((e) => e.marker === '@revoked' && e.key.equals(presented))) return { result: 'revoked' };
  const keys = relevant.filter((e) => e.marker === '');
  if (keys.some((e) => e.key.equals(presented))) return { result: 'match' };
  if (keys.length > 0) return { result: 'mismatch', recorded: keys.map((e) => fingerprintOf(e.key)) };
  return { result: 'unknown' };
}

/** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` prints. */
export function fingerprintOf(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** The key type named inside an SSH wire-format key blob (e.g. `ssh-ed25519`). */
export function keyTypeOf(key: Buffer): string {
  const length = key.readUInt32BE(0);
  return key.subarray(4, 4 + length).toString('latin1');
}

/** Records a newly trusted key (only with an explicit trust-new-hosts). */
export function appendKnownHost(file: string, name: string, key: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const separator = existing && !existing.endsWith('\n') ? '\n' : '';
  fs.appendFileSync(file, `${separator}${name} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}
