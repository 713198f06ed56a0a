import * as fs from 'node:fs';
import * as path from 'node:path';
import { BaseImage, BUSYBOX_IMAGE, DEBIAN_IMAGE, HAPROXY_IMAGE, importImage } from './base-images';
import { ensureHostKey, hostHealth, hostInitAlive, startHost, stopHost, waitForHost } from './host-lifecycle';
import { hostPaths } from './host-files';
import { missingPackages, requireLinuxRoot } from './prerequisites';
import { writeProjectFiles } from './project-files';
import { startRegistry } from './sandbox-registry';
import { createBridge, createHostNetwork, readIpForward, subnetInUse } from './sandbox-network';
import {
  bridgeName, engineOf, hostAddress, hostName, MAX_SLOTS, netnsName, rolesOf, subnetOf, vethName,
} from './sandbox-names';
import type { UpOptions } from './sandbox-options';
import { listStates, readState, sandboxDir, SandboxState, writeState } from './sandbox-state';
import { mustRun } from './system-command';

/** What `up` did, for the CLI to report. */
export interface UpResult {
  readonly state: SandboxState;
  readonly created: boolean;
  readonly restartedHosts: string[];
  readonly inventoryDir: string;
  readonly seconds: number;
}

/**
 * Brings a sandbox up, or repairs it: every step checks what exists first, so running `up`
 * again restarts only hosts whose processes died. The state file is written before anything
 * is created, so `down` can always clean up, even after a crash half way.
 */
export async function sandboxUp(options: UpOptions, log: (line: string) => void): Promise<UpResult> {
  const started = Date.now();
  requireLinuxRoot('up');
  const existing = readState(options.name);
  if (existing && (existing.hosts.length !== options.hosts || existing.engineMode !== options.engine)) {
    throw new Error(`sandbox ${options.name} already exists with ${existing.hosts.length} ${existing.engineMode} host(s); ` +
      `run "hoist sandbox down --name ${options.name}" first, or use another --name`);
  }
  const needsPodman = options.engine !== 'docker';
  const missing = await missingPackages({ docker: options.engine !== 'podman', podman: needsPodman, registry: options.registry, debian: options.images.includes('debian') });
  if (missing.length) {
    throw new Error(`missing Debian packages: ${missing.join(' ')}; run "sudo npx hoist sandbox install" (or apt-get install them)`);
  }

  const slot = existing?.slot ?? await allocateSlot();
  const { subnet, gateway } = subnetOf(slot);
  const dir = sandboxDir(options.name);
  // Asking an existing sandbox for a registry adds one; it is never taken away by omission.
  const state: SandboxState = existing ? { ...existing, registry: existing.registry || options.registry } : {
    formatVersion: 1,
    name: options.name,
    slot,
    subnet,
    gateway,
    bridge: bridgeName(slot),
    engineMode: options.engine,
    hosts: Array.from({ length: options.hosts }, (_, i) => {
      const index = i + 1;
      const name = hostName(index);
      return {
        name,
        index,
        address: hostAddress(slot, index),
        engine: engineOf(options.engine, index),
        roles: rolesOf(index),
        netns: netnsName(options.name, name),
        veth: vethName(slot, index),
        dir: path.join(dir, 'hosts', name),
      };
    }),
    createdAt: new Date().toISOString(),
    projectDirs: [],
    ipForwardBefore: listStates().length > 0 ? listStates()[0].ipForwardBefore : readIpForward(),
    registry: options.registry,
  };
  writeState(state);
  log(`sandbox ${state.name}: ${state.subnet} on bridge ${state.bridge}`);

  await createBridge(state);
  const clientKey = await ensureClientKey(dir);

  const restartedHosts: string[] = [];
  const hostKeys = new Map<string, string>();
  await Promise.all(state.hosts.map(async (host) => {
    await createHostNetwork(state, host);
    hostKeys.set(host.name, await ensureHostKey(host, clientKey.publicKey));
    const health = await hostHealth(host);
    if (!hostInitAlive(host) || !health.sshOk || !health.engine) {
      await stopHost(host);
      startHost(state, host);
      restartedHosts.push(host.name);
    }
    const engine = await waitForHost(host, 90_000);
    log(`  ${host.name} ${host.address} ${host.engine} ${engine.version}: up`);
  }));

  // The inventory first: if an image step fails, the hosts are already usable and inspectable.
  const inventoryDir = writeProjectFiles(options.projectDir, state, clientKey, hostKeys);
  const final: SandboxState = { ...state, projectDirs: [...new Set([...state.projectDirs, path.resolve(options.projectDir)])] };
  writeState(final);

  const images: BaseImage[] = [];
  if (options.images.includes('busybox')) images.push(BUSYBOX_IMAGE);
  if (options.images.includes('debian')) images.push(DEBIAN_IMAGE);
  if (options.images.includes('haproxy')) images.push(HAPROXY_IMAGE);
  for (const image of images) {
    const tar = await image.prepare(log);
    const imported = await Promise.all(state.hosts.map((host) => importImage(hostPaths(host).engineSocket, image, tar)));
    const count = imported.filter(Boolean).length;
    log(`  ${image.reference}: ${count ? `imported into ${count} host(s)` : 'present on every host'}`);
  }

  if (final.registry) {
    const address = await startRegistry(final);
    log(`  registry: http://${address} (insecure, sandbox bridge only)`);
  }

  return { state: final, created: !existing, restartedHosts: restartedHosts.sort(), inventoryDir, seconds: (Date.now() - started) / 1000 };
}

/** The lowest slot no sandbox uses whose subnet no route on this machine covers. */
async function allocateSlot(): Promise<number> {
  const used = new Set(listStates().map((s) => s.slot));
  for (let slot = 0; slot < MAX_SLOTS; slot++) {
    if (used.has(slot)) continue;
    if (await subnetInUse(subnetOf(slot).prefix, bridgeName(slot))) continue;
    return slot;
  }
  throw new Error(`no free sandbox subnet among 10.213.0.0/24 to 10.213.${MAX_SLOTS - 1}.0/24; run "hoist sandbox list" and remove unused sandboxes`);
}

/** The key the project's SSH connections authenticate with; generated once per sandbox. */
async function ensureClientKey(dir: string): Promise<{ privateKey: string; publicKey: string }> {
  const file = path.join(dir, 'client', 'id_ed25519');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hoist-sandbox-client', '-f', file]);
  }
  return { privateKey: fs.readFileSync(file, 'utf8'), publicKey: fs.readFileSync(`${file}.pub`, 'utf8') };
}
