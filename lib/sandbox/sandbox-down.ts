import * as fs from 'node:fs';
import * as path from 'node:path';
import { stopHost } from './host-lifecycle';
import { requireLinuxRoot } from './prerequisites';
import { projectSandboxDir } from './project-files';
import { stopRegistry } from './sandbox-registry';
import { linkExists, removeRules } from './sandbox-network';
import { listStates, readState, sandboxDir, SandboxHostState } from './sandbox-state';
import { runCommand } from './system-command';

/** What `down` removed. */
export interface DownResult {
  readonly existed: boolean;
  readonly removed: string[];
  readonly seconds: number;
}

/**
 * Removes everything a sandbox created: processes (every process of a host dies with its
 * init), network namespaces, veths, the bridge, the iptables rules carrying its comment,
 * mounts, data and the project's inventory. Works from the state file alone, so it also
 * cleans up after a sandbox whose processes died or whose `up` crashed half way, and it
 * finds namespaces and rules of the sandbox's name even without a state file.
 */
export async function sandboxDown(name: string, log: (line: string) => void): Promise<DownResult> {
  const started = Date.now();
  requireLinuxRoot('down');
  const state = readState(name);
  const removed: string[] = [];
  const netnsPrefix = `hoist-${name}-`;
  const leftoverNetns = (await runCommand('ip', ['netns', 'list'])).stdout.split('\n')
    .map((line) => line.split(' ')[0]).filter((ns) => ns.startsWith(netnsPrefix));
  const hosts: Pick<SandboxHostState, 'name' | 'netns' | 'veth' | 'dir' | 'engine'>[] = state ? [...state.hosts] : [];
  for (const ns of leftoverNetns) {
    if (!hosts.some((h) => h.netns === ns)) {
      hosts.push({ name: ns.slice(netnsPrefix.length), netns: ns, veth: '', dir: path.join(sandboxDir(name), 'hosts', ns.slice(netnsPrefix.length)), engine: 'docker' });
    }
  }

  await Promise.all(hosts.map(async (host) => {
    await stopHost(host as SandboxHostState);
    if (fs.existsSync(`/var/run/netns/${host.netns}`)) {
      await runCommand('ip', ['netns', 'del', host.netns]);
      removed.push(`netns ${host.netns}`);
    }
    if (host.veth && await linkExists(host.veth)) {
      await runCommand('ip', ['link', 'del', host.veth]);
      removed.push(`veth ${host.veth}`);
    }
  }));
  if (state) {
    stopRegistry(name);
    if (await linkExists(state.bridge)) {
      await runCommand('ip', ['link', 'del', state.bridge]);
      removed.push(`bridge ${state.bridge}`);
    }
  }
  const rules = await removeRules(name);
  if (rules) removed.push(`${rules} iptables rules`);
  removeContainerCgroups(hosts.map((h) => h.dir));

  if (listStates().every((s) => s.name === name)) {
    removed.push(...restoreMachine(state?.ipForwardBefore));
  }
  await unmountUnder(sandboxDir(name));
  if (fs.existsSync(sandboxDir(name))) {
    fs.rmSync(sandboxDir(name), { recursive: true, force: true });
    removed.push(`state ${sandboxDir(name)}`);
  }
  for (const projectDir of state?.projectDirs ?? []) {
    const dir = projectSandboxDir(projectDir, name);
    if (fs.existsSync(dir)) {
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(`inventory ${dir}`);
    }
  }
  if (removed.length) log(`sandbox ${name}: removed ${removed.length} items`);
  return { existed: state !== undefined || removed.length > 0, removed, seconds: (Date.now() - started) / 1000 };
}

/** Unmounts whatever is still mounted below `dir` (deepest first), e.g. after a crash. */
async function unmountUnder(dir: string): Promise<void> {
  let mountinfo: string;
  try {
    mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return;
  }
  const points = mountinfo.split('\n').map((line) => line.split(' ')[4]).filter((p) => p && (p === dir || p.startsWith(dir + '/')));
  for (const point of points.sort((a, b) => b.length - a.length)) {
    await runCommand('umount', ['-l', point]);
  }
}

/**
 * Engines create a cgroup per container; killed with their host, they leave the (empty)
 * cgroups behind. Remove those of the containers the hosts' engines knew.
 */
function removeContainerCgroups(hostDirs: string[]): void {
  const ids = new Set<string>();
  for (const dir of hostDirs) {
    for (const id of readDir(path.join(dir, 'docker', 'containers'))) ids.add(id);
    try {
      const podman = JSON.parse(fs.readFileSync(path.join(dir, 'podman', 'root', 'overlay-containers', 'containers.json'), 'utf8')) as { id: string }[];
      for (const c of podman) ids.add(c.id);
    } catch {
      // No Podman containers.
    }
  }
  if (ids.size === 0) return;
  for (const controller of readDir('/sys/fs/cgroup')) {
    for (const parent of ['docker', 'libpod_parent']) {
      const base = path.join('/sys/fs/cgroup', controller, parent);
      for (const entry of readDir(base)) {
        const id = entry.replace(/^libpod-(conmon-)?/, '').replace(/\.scope$/, '');
        if (ids.has(id)) removeCgroup(path.join(base, entry));
      }
    }
  }
}

/**
 * After the last sandbox: put back what sandboxes changed on the machine itself, when nothing
 * else uses it: ip_forward, the (empty) CNI state directory Podman hosts bind over, and the
 * engines' (empty) parent cgroups.
 */
function restoreMachine(ipForwardBefore: string | undefined): string[] {
  const restored: string[] = [];
  if (ipForwardBefore === '0') {
    fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '0\n');
    restored.push('ip_forward 0');
  }
  try {
    fs.rmdirSync('/var/lib/cni');
    restored.push('/var/lib/cni');
  } catch {
    // Not empty or not there: someone else's, or never made.
  }
  for (const controller of readDir('/sys/fs/cgroup')) {
    for (const parent of ['docker', 'libpod_parent/conmon', 'libpod_parent']) {
      const dir = path.join('/sys/fs/cgroup', controller, parent);
      if (fs.existsSync(dir) && readDir(dir).every((entry) => !fs.statSync(path.join(dir, entry)).isDirectory())) {
        try {
          fs.rmdirSync(dir);
        } catch {
          // In use by an engine outside the sandboxes.
        }
      }
    }
  }
  return restored;
}

function removeCgroup(dir: string): void {
  for (const child of readDir(dir)) {
    if (fs.statSync(path.join(dir, child), { throwIfNoEntry: false })?.isDirectory()) removeCgroup(path.join(dir, child));
  }
  try {
    fs.rmdirSync(dir);
  } catch {
    // Still in use or already gone; nothing more to do.
  }
}

function readDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

