import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import SSHConfig from 'ssh-config';

/** What ~/.ssh/config says about a host alias (only the options Hoist honours). */
export interface SshConfigEntry {
  readonly hostName?: string;
  readonly user?: string;
  readonly port?: number;
  readonly identityFiles: string[];
  readonly proxyJump?: string;
  readonly userKnownHostsFile?: string;
}

// ssh-config (npm) parses OpenSSH's config format, Host patterns and first-match-wins
// semantics included; a well-kept parser, so Hoist does not carry its own.

/** Looks `alias` up in an OpenSSH client config file (default ~/.ssh/config; missing file: nothing). */
export function lookupSshConfig(alias: string, file = path.join(os.homedir(), '.ssh', 'config')): SshConfigEntry {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { identityFiles: [] };
  }
  const computed = SSHConfig.parse(text).compute(alias) as Record<string, string | string[] | undefined>;
  const one = (key: string): string | undefined => {
    const value = computed[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const expand = (value: string | undefined) => value?.replace(/%h/g, alias).replace(/%%/g, '%');
  const port = one('Port');
  const identity = computed.IdentityFile;
  return {
    hostName: expand(one('HostName')),
    user: one('User'),
    port: port === undefined ? undefined : Number(port),
    identityFiles: (Array.isArray(identity) ? identity : identity ? [identity] : []).map((f) => expandHome(expand(f)!)),
    proxyJump: one('ProxyJump') === 'none' ? undefined : one('ProxyJump'),
    userKnownHostsFile: one('UserKnownHostsFile') ? expandHome(one('UserKnownHostsFile')!.split(/\s+/)[0]) : undefined,
  };
}

/** `~/x` -> `<home>/x`. */
export function expandHome(p: string): string {
  return p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}
