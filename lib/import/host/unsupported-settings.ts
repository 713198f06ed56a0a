import type { ContainerInspect } from '../../drivers/engine-objects';

/** A container setting Hoist cannot express: the inspect key and why. */
export interface UnsupportedSetting {
  readonly key: string;
  readonly reason: string;
}

/** Docker's and Podman's default /dev/shm sizes. */
const DEFAULT_SHM_SIZES = new Set([0, 64 * 1024 * 1024, 65_536_000]);

/**
 * The settings of a container's inspect data that a Hoist service cannot reproduce, each
 * only where it differs from what the engines do by default, so that the import lists what
 * the new container would lose instead of dropping it silently.
 */
export function unsupportedHostSettings(inspect: ContainerInspect): UnsupportedSetting[] {
  const host = (inspect.HostConfig ?? {}) as Record<string, any>;
  const config = inspect.Config as Record<string, any>;
  const found: UnsupportedSetting[] = [];
  const add = (key: string, reason: string) => found.push({ key, reason });
  const nonEmpty = (value: unknown) => (Array.isArray(value) ? value.length > 0 : value !== null && typeof value === 'object' ? Object.keys(value).length > 0 : false);

  if (host.Privileged === true) add('HostConfig.Privileged', 'Hoist never runs privileged containers');
  const mode = String(host.NetworkMode ?? '');
  if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) add('HostConfig.NetworkMode', `network mode ${mode} (the new container joins the engine's default network instead)`);
  if (nonEmpty(host.Devices)) add('HostConfig.Devices', 'devices from the host are not supported');
  if (host.PidMode && host.PidMode !== 'private') add('HostConfig.PidMode', `pid mode ${host.PidMode}`);
  if (host.IpcMode && !['private', 'shareable', ''].includes(host.IpcMode)) add('HostConfig.IpcMode', `ipc mode ${host.IpcMode}`);
  if (host.UTSMode && host.UTSMode !== 'private') add('HostConfig.UTSMode', `uts mode ${host.UTSMode}`);
  if (nonEmpty(host.Sysctls)) add('HostConfig.Sysctls', 'sysctls');
  if (nonEmpty(host.Ulimits)) add('HostConfig.Ulimits', 'ulimits');
  if (nonEmpty(host.ExtraHosts)) add('HostConfig.ExtraHosts', 'extra /etc/hosts entries');
  if (nonEmpty(host.Dns) || nonEmpty(host.DnsSearch) || nonEmpty(host.DnsOptions)) add('HostConfig.Dns', 'custom DNS settings');
  if (typeof host.ShmSize === 'number' && !DEFAULT_SHM_SIZES.has(host.ShmSize)) add('HostConfig.ShmSize', `a /dev/shm of ${host.ShmSize} bytes`);
  const securityOptions = ((host.SecurityOpt ?? []) as string[]).filter((o) => !/^no-new-privileges(?:[:=]true)?$/.test(o) && !/^label[:=]disable$/.test(o));
  if (securityOptions.length) add('HostConfig.SecurityOpt', `security options ${securityOptions.join(', ')}`);
  if (nonEmpty(host.GroupAdd)) add('HostConfig.GroupAdd', 'extra groups');
  if (host.Init === true) add('HostConfig.Init', 'an init process (docker run --init)');
  if (host.Runtime && !['runc', 'crun', 'oci', ''].includes(host.Runtime)) add('HostConfig.Runtime', `the runtime ${host.Runtime}`);
  if (nonEmpty(host.VolumesFrom)) add('HostConfig.VolumesFrom', 'volumes from other containers');
  if (nonEmpty(host.Links)) add('HostConfig.Links', 'legacy links');
  if (host.OomScoreAdj) add('HostConfig.OomScoreAdj', `an OOM score adjustment of ${host.OomScoreAdj}`);
  if (host.CgroupParent) add('HostConfig.CgroupParent', `the cgroup parent ${host.CgroupParent}`);
  if (typeof config.Hostname === 'string' && config.Hostname !== '' && !inspect.Id.startsWith(config.Hostname) && config.Hostname !== inspect.Name.replace(/^\//, '')) {
    add('Config.Hostname', `the host name ${config.Hostname}`);
  }
  if (config.Tty === true || config.OpenStdin === true) add('Config.Tty', 'an interactive terminal (docker run -it); the new container runs without one');
  for (const mount of inspect.Mounts ?? []) {
    if (mount.Type !== 'volume' && mount.Type !== 'bind' && mount.Type !== 'tmpfs') add(`Mounts[${mount.Destination}]`, `a mount of type ${mount.Type}`);
    else if (mount.Type === 'bind' && mount.Propagation && !['rprivate', 'private', ''].includes(String(mount.Propagation))) add(`Mounts[${mount.Destination}]`, `bind propagation ${mount.Propagation}`);
  }
  return found;
}
