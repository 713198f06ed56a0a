import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalJsonPretty } from '../graph/canonical-json';
import type { SandboxState } from './sandbox-state';

/** Where a sandbox's inventory and client credentials go in a project. */
export function projectSandboxDir(projectDir: string, name: string): string {
  return path.join(projectDir, '.hoist', 'sandbox', name);
}

/**
 * Writes what a project needs to use the sandbox: inventory.json (loaded by
 * Inventory.fromDefault), known_hosts holding exactly the hosts' generated keys, the client
 * key, and an ssh_config for `ssh -F`. Files belong to the user who ran sudo, when there is one.
 */
export function writeProjectFiles(projectDir: string, state: SandboxState, clientKey: { privateKey: string; publicKey: string }, hostKeys: Map<string, string>): string {
  const dir = projectSandboxDir(projectDir, state.name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: [string, string, number][] = [
    ['id_ed25519', clientKey.privateKey, 0o600],
    ['id_ed25519.pub', clientKey.publicKey, 0o644],
    ['known_hosts', state.hosts.map((h) => `${h.address} ${hostKeys.get(h.name)!.split(' ').slice(0, 2).join(' ')}`).join('\n') + '\n', 0o644],
    ['inventory.json', canonicalJsonPretty({
      hosts: state.hosts.map((h) => ({
        name: h.name,
        address: h.address,
        port: 22,
        user: 'root',
        identityFile: 'id_ed25519',
        knownHostsFile: 'known_hosts',
        engine: h.engine,
        roles: h.roles,
        labels: { sandbox: state.name },
      })),
    }), 0o644],
    ['ssh_config', state.hosts.map((h) => [
      `Host ${h.name} ${h.address}`,
      `  HostName ${h.address}`,
      '  User root',
      `  IdentityFile ${path.join(dir, 'id_ed25519')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${path.join(dir, 'known_hosts')}`,
      '  StrictHostKeyChecking yes',
      '  ForwardAgent no',
      '',
    ].join('\n')).join('\n'), 0o644],
  ];
  const owner = sudoOwner();
  for (const [name, text, mode] of files) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode });
    fs.chmodSync(file, mode);
    if (owner) fs.chownSync(file, owner.uid, owner.gid);
  }
  if (owner) {
    for (let d = dir; d.startsWith(projectDir) && d !== projectDir; d = path.dirname(d)) fs.chownSync(d, owner.uid, owner.gid);
  }
  return dir;
}

/** The user behind sudo, who should own the project's files. */
function sudoOwner(): { uid: number; gid: number } | undefined {
  const uid = Number(process.env.SUDO_UID);
  const gid = Number(process.env.SUDO_GID);
  return Number.isInteger(uid) && uid > 0 && Number.isInteger(gid) ? { uid, gid } : undefined;
}
