import * as fs from 'node:fs';
import { runCommand } from './system-command';

/** A program the sandbox runs, and the Debian package that brings it. */
interface Requirement {
  readonly path: string;
  readonly pkg: string;
  readonly when: (needs: Needs) => boolean;
}

/** What this sandbox will use. */
export interface Needs {
  readonly docker: boolean;
  readonly podman: boolean;
  readonly registry: boolean;
  readonly debian: boolean;
}

const REQUIREMENTS: Requirement[] = [
  { path: '/usr/sbin/ip', pkg: 'iproute2', when: () => true },
  { path: '/usr/sbin/iptables', pkg: 'iptables', when: () => true },
  { path: '/usr/bin/nsenter', pkg: 'util-linux', when: () => true },
  { path: '/usr/sbin/sshd', pkg: 'openssh-server', when: () => true },
  { path: '/usr/bin/ssh-keygen', pkg: 'openssh-client', when: () => true },
  { path: '/usr/bin/ssh', pkg: 'openssh-client', when: () => true },
  { path: '/usr/bin/tar', pkg: 'tar', when: () => true },
  // Self-signed certificates for the ingress's TLS in tests and on sandbox hosts.
  { path: '/usr/bin/openssl', pkg: 'openssl', when: () => true },
  { path: '/usr/sbin/dockerd', pkg: 'docker.io', when: (n) => n.docker },
  { path: '/usr/bin/podman', pkg: 'podman', when: (n) => n.podman },
  { path: '/usr/sbin/runc', pkg: 'runc', when: (n) => n.podman },
  { path: '/usr/lib/cni/bridge', pkg: 'containernetworking-plugins', when: (n) => n.podman },
  // Without it Podman's CNI networks have no DNS: network aliases and container names do not resolve.
  { path: '/usr/lib/cni/dnsname', pkg: 'golang-github-containernetworking-plugin-dnsname', when: (n) => n.podman },
  { path: '/usr/sbin/debootstrap', pkg: 'debootstrap', when: (n) => n.debian },
  { path: '/usr/bin/docker-registry', pkg: 'docker-registry', when: (n) => n.registry },
];

/** Every Debian package the sandbox can use; `hoist sandbox install` installs them all. */
export const ALL_PACKAGES = [...new Set([...REQUIREMENTS.map((r) => r.pkg), 'busybox-static'])].sort();

/** Debian packages missing for `needs`. busybox must be the static build: it goes into an image without a libc. */
export async function missingPackages(needs: Needs): Promise<string[]> {
  const missing = new Set(REQUIREMENTS.filter((r) => r.when(needs) && !isExecutable(r.path)).map((r) => r.pkg));
  const busybox = await runCommand('dpkg-query', ['-W', '-f', '${Status}', 'busybox-static']);
  if (!busybox.stdout.includes('install ok installed')) missing.add('busybox-static');
  return [...missing].sort();
}

function isExecutable(path: string): boolean {
  try {
    fs.accessSync(path, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Checks for Linux and root, with a plain message otherwise. */
export function requireLinuxRoot(action: string): void {
  if (process.platform !== 'linux') {
    throw new Error(`hoist sandbox ${action} needs Linux (network namespaces, veth and a container engine); this is ${process.platform}`);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`hoist sandbox ${action} needs root (it manages network namespaces, a bridge, iptables rules and engines); run it with sudo`);
  }
}
