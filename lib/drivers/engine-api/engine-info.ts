import type { EngineDetails, EngineInfo } from '../engine-driver';

/** The oldest Engine API Hoist speaks: Docker 19.03 (1.40); Podman 4 serves 1.41. */
export const MIN_API_VERSION = '1.40';

/** Compares dotted API versions numerically ("1.9" < "1.41"). */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Reads kind, version and API version from /_ping headers (`Server: Docker/20.10 (linux)`, `Libpod-Api-Version`). */
export function engineInfoFromPing(headers: Record<string, string | string[] | undefined>, socketPath: string): EngineInfo | undefined {
  const header = (name: string) => {
    const value = headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const apiVersion = header('Api-Version');
  if (!apiVersion) return undefined;
  const server = header('Server') ?? '';
  const libpod = header('Libpod-Api-Version');
  const serverMatch = /^(?:Docker|Libpod)\/(\S+)(?: \((\w+)\))?/.exec(server);
  return {
    kind: libpod ? 'podman' : 'docker',
    version: libpod ?? serverMatch?.[1] ?? 'unknown',
    apiVersion,
    os: header('Ostype') ?? serverMatch?.[2] ?? 'linux',
    socketPath,
  };
}

/** Builds EngineDetails from the engine's /version and /info answers. */
export function engineDetailsFrom(version: Record<string, any>, info: Record<string, any>): EngineDetails {
  return {
    arch: String(version.Arch ?? info.Architecture ?? 'unknown'),
    kernel: String(version.KernelVersion ?? info.KernelVersion ?? ''),
    cgroupVersion: String(info.CgroupVersion ?? '1'),
    storageDriver: String(info.Driver ?? 'unknown'),
    // Podman's compatible /info leaves LoggingDriver empty; its containers report json-file.
    loggingDriver: String(info.LoggingDriver || 'json-file'),
  };
}
