import type { Algorithms } from 'ssh2';

/**
 * The only algorithms Hoist negotiates: modern key exchange, host keys, ciphers and MACs.
 * A server that offers only legacy ones (ssh-dss, ssh-rsa with SHA-1, diffie-hellman-group1,
 * CBC ciphers, hmac-sha1) is refused during the handshake.
 */
export const SSH_ALGORITHMS: Algorithms = {
  kex: [
    'curve25519-sha256', 'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521',
    'diffie-hellman-group16-sha512', 'diffie-hellman-group18-sha512', 'diffie-hellman-group14-sha256',
  ],
  serverHostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'],
  cipher: ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-gcm@openssh.com', 'aes256-ctr', 'aes192-ctr', 'aes128-ctr'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  compress: ['none'],
};

/** A part of the SSH handshake where client and server must agree on one algorithm. */
export type AlgorithmCategory = 'kex' | 'serverHostKey' | 'cipher' | 'hmac' | 'compress';

/** What each category is called in messages, and the sshd_config option that sets it. */
const CATEGORY: Record<AlgorithmCategory, { readonly label: string; readonly option: string }> = {
  kex: { label: 'key exchange', option: 'KexAlgorithms' },
  serverHostKey: { label: 'host key algorithms', option: 'HostKeyAlgorithms (and a HostKey of that type)' },
  cipher: { label: 'ciphers', option: 'Ciphers' },
  hmac: { label: 'MACs', option: 'MACs' },
  compress: { label: 'compression', option: 'Compression' },
};

/**
 * Algorithms Hoist refuses because they are broken or weak: SHA-1 key exchange and
 * signatures, DSA host keys, CBC-mode and RC4 ciphers, SHA-1 and MD5 MACs.
 */
const LEGACY: Record<AlgorithmCategory, RegExp> = {
  kex: /^diffie-hellman-group(1|14)-sha1$|^diffie-hellman-group-exchange-sha1$/,
  serverHostKey: /^ssh-(dss|rsa)(-cert-v01@openssh\.com)?$/,
  cipher: /-cbc(@.*)?$|^arcfour/,
  hmac: /^hmac-(sha1|md5|ripemd160)/,
  compress: /^$/,
};

/** Names a server lists in its key exchange offer that are signals, not algorithms (RFC 8308, strict kex). */
const PSEUDO_KEX = /^ext-info-[cs]$|^kex-strict-[cs]-v00@openssh\.com$/;

/**
 * Says why no algorithm of `category` could be agreed with a server that offers `offered`:
 * "offers only legacy ..." when every offered one is on Hoist's legacy list, else "offers
 * no ... that Hoist accepts". Names the sshd_config option to change and what Hoist accepts.
 */
export function describeNoCommonAlgorithm(category: AlgorithmCategory, offered: string[] | undefined): string {
  const { label, option } = CATEGORY[category];
  const real = offered?.filter((a) => a && !(category === 'kex' && PSEUDO_KEX.test(a)));
  const fix = `enable one Hoist accepts in the server's sshd_config ${option}: ${(SSH_ALGORITHMS[category] as string[]).join(', ')}`;
  if (real && real.length > 0 && real.every((a) => LEGACY[category].test(a))) {
    return `offers only legacy ${label} (${real.join(',')}), which Hoist refuses; ${fix}`;
  }
  return `offers no ${label} that Hoist accepts${real ? ` (it offers ${real.join(',') || 'none'})` : ''}; ${fix}`;
}
