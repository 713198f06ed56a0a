import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SandboxHostState, SandboxState } from './sandbox-state';
import { registryAddress } from './sandbox-names';

/** Paths of one sandbox host's files on this machine. */
export function hostPaths(host: SandboxHostState) {
  const dir = host.dir;
  return {
    dir,
    ssh: path.join(dir, 'ssh'),
    hostKey: path.join(dir, 'ssh', 'ssh_host_ed25519_key'),
    authorizedKeys: path.join(dir, 'ssh', 'authorized_keys'),
    sshdConfig: path.join(dir, 'ssh', 'sshd_config'),
    /** Bound over /run inside the host, so the engine socket is at its standard path there. */
    run: path.join(dir, 'run'),
    logs: path.join(dir, 'logs'),
    dockerData: path.join(dir, 'docker'),
    podman: path.join(dir, 'podman'),
    podmanConf: path.join(dir, 'podman', 'conf'),
    /** The engine socket as this machine sees it. */
    engineSocket: host.engine === 'docker' ? path.join(dir, 'run', 'docker.sock') : path.join(dir, 'run', 'podman', 'podman.sock'),
    /** The engine socket as the host (and its SSH sessions) see it. */
    engineSocketInside: host.engine === 'docker' ? '/var/run/docker.sock' : '/run/podman/podman.sock',
    pidFile: path.join(dir, 'supervisor.pid'),
  };
}

/** Writes sshd's config and, for Podman hosts, the engine's configuration files. */
export function writeHostConfig(state: SandboxState, host: SandboxHostState): void {
  const p = hostPaths(host);
  for (const dir of [p.ssh, p.run, p.logs]) fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const env = host.engine === 'podman'
    ? `SetEnv CONTAINERS_CONF=${p.podmanConf}/containers.conf CONTAINERS_STORAGE_CONF=${p.podmanConf}/storage.conf CONTAINERS_REGISTRIES_CONF=${p.podmanConf}/registries.conf\n`
    : '';
  fs.writeFileSync(p.sshdConfig, [
    `# sshd of sandbox host ${host.name} (${state.name}); written by hoist sandbox up`,
    `ListenAddress ${host.address}:22`,
    `HostKey ${p.hostKey}`,
    'PidFile /run/sshd.pid',
    `AuthorizedKeysFile ${p.authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'AllowAgentForwarding no',
    'AllowTcpForwarding yes',
    'AllowStreamLocalForwarding local',
    'X11Forwarding no',
    'PrintMotd no',
    // Plenty of room for parallel sessions, so tests can probe sshd's own limits deliberately.
    'MaxStartups 50:30:100',
    'MaxSessions 50',
    'Subsystem sftp internal-sftp',
    env,
  ].join('\n'));
  if (host.engine === 'podman') {
    const conf = p.podmanConf;
    fs.mkdirSync(conf, { recursive: true });
    for (const d of ['root', 'networks', 'cni', 'tmp']) fs.mkdirSync(path.join(p.podman, d), { recursive: true });
    // crun refuses this kind of machine's hybrid cgroup layout, and containers fail on
    // setrlimit with the default ulimits; runc and no default ulimits work (testbed notes).
    fs.writeFileSync(path.join(conf, 'containers.conf'), [
      '[containers]', 'default_ulimits = []', '',
      '[engine]', 'runtime = "runc"', 'cgroup_manager = "cgroupfs"', 'events_logger = "file"',
      `tmp_dir = "${path.join(p.podman, 'tmp')}"`, '',
      '[network]', 'network_backend = "cni"', `network_config_dir = "${path.join(p.podman, 'networks')}"`, '',
    ].join('\n'));
    fs.writeFileSync(path.join(conf, 'storage.conf'), [
      '[storage]', 'driver = "overlay"', `graphroot = "${path.join(p.podman, 'root')}"`, 'runroot = "/run/containers/storage"', '',
    ].join('\n'));
    fs.writeFileSync(path.join(conf, 'registries.conf'), [
      'unqualified-search-registries = []', 'short-name-mode = "permissive"', '',
      '[[registry]]', `location = "${registryAddress(state.slot)}"`, 'insecure = true', '',
    ].join('\n'));
  }
}

/**
 * The host's init (PID 1 of its own PID namespace): gives the host its own /run, hostname and
 * CNI state, starts the engine and sshd, and waits. Killing it kills every process of the
 * host, containers included, because the kernel ends a PID namespace with its init.
 * Values arrive as positional parameters, never spliced into the script.
 */
export const HOST_INIT_SCRIPT = [
  'set -e',
  'mount --bind "$1" /run',
  'hostname "$2"',
  'mkdir -p /run/sshd && chmod 0755 /run/sshd',
  'if [ "$5" = podman ]; then',
  '  mount --bind "$7/podman/cni" /var/lib/cni',
  '  export CONTAINERS_CONF="$7/podman/conf/containers.conf" CONTAINERS_STORAGE_CONF="$7/podman/conf/storage.conf" CONTAINERS_REGISTRIES_CONF="$7/podman/conf/registries.conf"',
  '  mkdir -p /run/podman',
  '  podman system service --time=0 unix:///run/podman/podman.sock >>"$6" 2>&1 &',
  'else',
  '  dockerd --data-root "$7/docker" --insecure-registry "$8" >>"$6" 2>&1 &',
  'fi',
  '/usr/sbin/sshd -D -f "$3" -E "$4" &',
  'wait',
].join('\n');
