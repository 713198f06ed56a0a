import * as fs from 'node:fs';
import { appendKnownHost, checkKnownHost, fingerprintOf, knownHostName, parseKnownHosts } from './known-hosts';
import { HostError } from './host-error';

/** How a host's key is to be trusted. */
export interface HostKeyPolicy {
  /** Host name in messages. */
  readonly host: string;
  /** Names the key may be recorded under (the address as given, the resolved host name). */
  readonly names: string[];
  readonly port: number;
  /** Absolute path of the known_hosts file, or null when only a fingerprint is pinned. */
  readonly knownHostsFile: string | null;
  /** Pinned `SHA256:` fingerprint, or null. */
  readonly fingerprint: string | null;
  /** Accept (and record) a key for a host not in known_hosts. Never accepts a changed key. */
  readonly trustNewHosts: boolean;
}

/**
 * Decides whether to trust a presented host key. Runs inside the SSH handshake, before any
 * authentication is sent: a refused key means the server never sees a user name or key.
 * Returns undefined to accept, or the error that refuses.
 */
export function checkHostKey(policy: HostKeyPolicy, presented: Buffer): HostError | undefined {
  const presentedFingerprint = fingerprintOf(presented);
  if (policy.fingerprint !== null) {
    if (presentedFingerprint === policy.fingerprint.replace(/=+$/, '')) return undefined;
    return new HostError(policy.host, 'changed-host-key',
      `host key does not match the pinned fingerprint (pinned ${policy.fingerprint}, presented ${presentedFingerprint}); ` +
      'if the host was rebuilt, update hostKeyFingerprint; otherwise someone may be intercepting the connection: do not proceed');
  }
  if (policy.knownHostsFile === null) {
    return new HostError(policy.host, 'unknown-host-key', 'no known_hosts file and no pinned fingerprint: nothing to check the host key against; set knownHostsFile or hostKeyFingerprint');
  }
  const file = policy.knownHostsFile;
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return new HostError(policy.host, 'unknown-host-key', `cannot read known_hosts file ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  const names = [...new Set(policy.names.map((n) => knownHostName(n, policy.port)))];
  const verdict = checkKnownHost(parseKnownHosts(text), names, presented);
  switch (verdict.result) {
    case 'match':
      return undefined;
    case 'revoked':
      return new HostError(policy.host, 'revoked-host-key', `host key ${presentedFingerprint} is marked @revoked in ${file}; refusing to connect`);
    case 'mismatch':
      return new HostError(policy.host, 'changed-host-key',
        `host key changed since it was recorded in ${file} (recorded ${verdict.recorded.join(', ')}, presented ${presentedFingerprint}); ` +
        `if the host was rebuilt, remove its line (ssh-keygen -R ${names[0]} -f ${file}) and run again with --trust-new-hosts; ` +
        'otherwise someone may be intercepting the connection: do not proceed');
    case 'unknown':
      if (policy.trustNewHosts) {
        appendKnownHost(file, names[0], presented);
        return undefined;
      }
      return new HostError(policy.host, 'unknown-host-key',
        `host key ${presentedFingerprint} is not in ${file}; check the fingerprint with the host's owner (ssh-keygen -lf on the host), ` +
        'then run once with --trust-new-hosts to record it, or pin it as hostKeyFingerprint');
  }
}
