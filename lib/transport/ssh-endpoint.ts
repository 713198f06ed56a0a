import * as fs from 'node:fs';
import * as path from 'node:path';
import { utils } from 'ssh2';
import type { HostSpec } from '../graph/graph-document';
import { HostError } from './host-error';
import type { HostKeyPolicy } from './host-key-check';
import { expandHome, lookupSshConfig, SshConfigEntry } from './ssh-config-lookup';

/** The known_hosts file of a Host that names none (as synth writes it). */
const DEFAULT_KNOWN_HOSTS = '~/.ssh/known_hosts';

/** Everything needed to open one SSH connection, resolved and checked. */
export interface SshEndpoint {
  readonly host: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly privateKey?: Buffer;
  readonly passphrase?: string;
  /** ssh-agent socket; used when no key file is given (never forwarded to the host). */
  readonly agent?: string;
  readonly hostKey: HostKeyPolicy;
  /** Bastion to go through (ProxyJump). */
  readonly jump?: SshEndpoint;
}

/** Options that apply to every host of a run. */
export interface EndpointOptions {
  /** Directory relative paths in the graph are relative to. */
  readonly projectDir: string;
  readonly trustNewHosts: boolean;
  /** OpenSSH client config to honour; default ~/.ssh/config. */
  readonly sshConfigFile?: string;
}

/**
 * Resolves a host of the graph into connection settings. Explicit Host props win; what the
 * Host leaves open comes from ~/.ssh/config for its address (HostName, User, Port,
 * IdentityFile, ProxyJump), then from defaults (port 22, user root, the ssh-agent).
 */
export function resolveEndpoint(spec: HostSpec, options: EndpointOptions): SshEndpoint {
  const config = lookupSshConfig(spec.address, options.sshConfigFile);
  const resolve = (p: string) => path.resolve(options.projectDir, expandHome(p));
  const address = config.hostName ?? spec.address;
  const port = spec.port ?? config.port ?? 22;
  // Synth writes the default as this literal path; like ssh, the address's UserKnownHostsFile
  // replaces the default, never a file the Host names.
  const named = spec.hostKey.knownHostsFile;
  const knownHostsFile = named !== null && !(named === DEFAULT_KNOWN_HOSTS && config.userKnownHostsFile) ? resolve(named)
    : spec.hostKey.fingerprint === null && config.userKnownHostsFile ? config.userKnownHostsFile : null;
  const keyFile = spec.identity.kind === 'file' ? resolve(spec.identity.path) : config.identityFiles.find((f) => fs.existsSync(f));
  const passphraseEnv = spec.identity.kind === 'file' ? spec.identity.passphraseEnv : null;
  const agentEnv = spec.identity.kind === 'agent' ? spec.identity.socketEnv : 'SSH_AUTH_SOCK';
  const endpoint: SshEndpoint = {
    host: spec.name,
    address,
    port,
    user: spec.user ?? config.user ?? 'root',
    ...loadKey(spec.name, keyFile, passphraseEnv),
    agent: keyFile === undefined ? process.env[agentEnv] : undefined,
    hostKey: {
      host: spec.name,
      // The HostName first: a newly trusted key is recorded under it, as OpenSSH records it.
      names: [...new Set([address, spec.address])],
      port,
      knownHostsFile,
      fingerprint: spec.hostKey.fingerprint,
      trustNewHosts: options.trustNewHosts,
    },
    jump: config.proxyJump ? resolveJump(spec, config, options) : undefined,
  };
  if (!endpoint.privateKey && !endpoint.agent) {
    throw new HostError(spec.name, 'auth', `no identity: the host names no identityFile, ~/.ssh/config gives none, and ${agentEnv} is not set (no ssh-agent); set identityFile or start an agent`);
  }
  return endpoint;
}

function loadKey(host: string, file: string | undefined, passphraseEnv: string | null): { privateKey?: Buffer; passphrase?: string } {
  if (file === undefined) return {};
  let privateKey: Buffer;
  try {
    privateKey = fs.readFileSync(file);
  } catch (error) {
    throw new HostError(host, 'key-file', `cannot read identity file ${file} (${(error as NodeJS.ErrnoException).code}); check identityFile`);
  }
  const passphrase = passphraseEnv ? process.env[passphraseEnv] : undefined;
  if (passphraseEnv && passphrase === undefined) {
    throw new HostError(host, 'key-file', `identity file ${file} needs the passphrase in ${passphraseEnv}, which is not set`);
  }
  const parsed = utils.parseKey(privateKey, passphrase);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message);
    throw new HostError(host, 'key-file', encrypted
      ? `identity file ${file} is encrypted; put its passphrase in an environment variable and name it in identityPassphraseEnv`
      : `identity file ${file} is not a usable private key (${parsed.message})`);
  }
  return { privateKey, passphrase };
}

/** ProxyJump `[user@]host[:port]` (the first hop of a chain); the bastion's key is checked like any host's. */
function resolveJump(spec: HostSpec, config: SshConfigEntry, options: EndpointOptions): SshEndpoint {
  const first = config.proxyJump!.split(',')[0].trim();
  const match = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(first);
  if (!match) throw new HostError(spec.name, 'unreachable', `ProxyJump "${config.proxyJump}" in ~/.ssh/config is not [user@]host[:port]`);
  const [, user, hostPart, port] = match;
  const jumpAddress = hostPart.replace(/^\[|\]$/g, '');
  const jumpSpec: HostSpec = {
    ...spec,
    // Errors about the bastion (its key above all) must not read as errors about the host behind it.
    name: `${spec.name}: bastion ${jumpAddress}`,
    address: jumpAddress,
    port: port ? Number(port) : null,
    user: user ?? null,
    identity: spec.identity,
    // The bastion's key is checked in the Host's known_hosts file, or where ssh would look for
    // the bastion (its own UserKnownHostsFile, else ~/.ssh/known_hosts). A fingerprint pinned
    // for the host behind says nothing about the bastion.
    hostKey: { knownHostsFile: spec.hostKey.knownHostsFile ?? DEFAULT_KNOWN_HOSTS, fingerprint: null },
  };
  const jump = resolveEndpoint(jumpSpec, options);
  if (jump.address === jumpAddress) return jump;
  const named = `${jumpSpec.name} (${jump.address})`;
  return { ...jump, host: named, hostKey: { ...jump.hostKey, host: named } };
}
