import { hostHealth, hostInitAlive } from './host-lifecycle';
import { projectSandboxDir } from './project-files';
import { readState, SandboxState } from './sandbox-state';

/** One host's state, as `hoist sandbox status` shows it. */
export interface HostStatus {
  readonly name: string;
  readonly address: string;
  readonly engine: string;
  readonly roles: string[];
  readonly running: boolean;
  readonly ssh: boolean;
  readonly engineVersion: string | null;
  readonly apiVersion: string | null;
  readonly healthy: boolean;
}

export interface SandboxStatus {
  readonly name: string;
  readonly subnet: string;
  readonly bridge: string;
  readonly inventories: string[];
  readonly hosts: HostStatus[];
  readonly healthy: boolean;
}

/** Checks every host of a sandbox: its init alive, sshd greeting, engine answering. */
export async function sandboxStatus(name: string): Promise<SandboxStatus | undefined> {
  const state = readState(name);
  if (!state) return undefined;
  const hosts = await Promise.all(state.hosts.map(async (host) => {
    const health = await hostHealth(host);
    const running = hostInitAlive(host);
    return {
      name: host.name,
      address: host.address,
      engine: host.engine,
      roles: host.roles,
      running,
      ssh: health.sshOk,
      engineVersion: health.engine?.version ?? null,
      apiVersion: health.engine?.apiVersion ?? null,
      healthy: running && health.sshOk && health.engine !== undefined,
    };
  }));
  return {
    name: state.name,
    subnet: state.subnet,
    bridge: state.bridge,
    inventories: inventories(state),
    hosts,
    healthy: hosts.every((h) => h.healthy),
  };
}

function inventories(state: SandboxState): string[] {
  return state.projectDirs.map((dir) => `${projectSandboxDir(dir, state.name)}/inventory.json`);
}
