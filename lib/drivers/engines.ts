import type { EngineKind } from '../graph/graph-document';
import type { IHostConnection } from '../transport/host-connection';
import { DOCKER_PROFILE } from './docker/docker-profile';
import type { EngineDriver } from './engine-driver';
import type { EngineProfile } from './engine-profile';
import { PODMAN_PROFILE } from './podman/podman-profile';

/** How to reach one kind of engine: its profile (pure) and how to connect a driver to it. */
export interface EngineRegistration {
  readonly profile: EngineProfile;
  /**
   * Connects to the engine at `socketPath` on a host. Engines that serve the same API may
   * answer for each other (Podman's Docker-compatible socket): the driver returned is the
   * one for the engine that answered, which the caller checks against what was declared.
   */
  connect(connection: IHostConnection, socketPath: string, requestTimeoutMs: number): Promise<EngineDriver>;
}

/** Docker Engine and Podman both serve the Engine API; the ping says which one answered. */
const engineApi = async (connection: IHostConnection, socketPath: string, requestTimeoutMs: number): Promise<EngineDriver> => {
  // Loaded on connect: dockerode is not needed by a command that never reaches a host.
  const { openEngineApi } = require('./engine-api/connect-engine-api') as typeof import('./engine-api/connect-engine-api');
  const api = await openEngineApi(connection, socketPath, requestTimeoutMs);
  const { DockerDriver } = require('./docker/docker-driver') as typeof import('./docker/docker-driver');
  const { PodmanDriver } = require('./podman/podman-driver') as typeof import('./podman/podman-driver');
  return api.info.kind === 'podman' ? new PodmanDriver(api) : new DockerDriver(api);
};

/**
 * Every engine Hoist drives, by kind: the one place a new engine is registered (its folder
 * holds the driver and profile). Detection tries them in this order.
 */
export const ENGINES: Readonly<Record<EngineKind, EngineRegistration>> = {
  docker: { profile: DOCKER_PROFILE, connect: engineApi },
  podman: { profile: PODMAN_PROFILE, connect: engineApi },
};

/** The profile of an engine kind: what pure code needs to know about it. */
export function engineProfile(kind: EngineKind): EngineProfile {
  return ENGINES[kind].profile;
}
