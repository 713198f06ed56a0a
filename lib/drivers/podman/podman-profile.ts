import type { EngineProfile } from '../engine-profile';
import { podmanHealthTest } from './podman-health-test';

/** Podman 4's Docker-compatible API, and the ways it differs from Docker Engine. */
export const PODMAN_PROFILE: EngineProfile = {
  displayName: 'Podman',
  defaultSocket: '/run/podman/podman.sock',
  // Podman 4's compatible API has no container update endpoint, and `podman update` does not
  // show in inspect (so the change would read as drift forever): replace instead.
  updatesInPlace: false,
  // Its API cannot serve a BuildKit session.
  buildSecrets: false,
  // A name without a registry is stored as `localhost/<name>` and found by either.
  localImagePrefix: 'localhost/',
  injectedEnv: ['TERM', 'container', 'HOSTNAME', 'HOME', 'PATH'],
  // Its --read-only-tmpfs default.
  readOnlyRootTmpfs: ['/run', '/tmp', '/var/tmp'],
  // It keeps a log driver's name but not its options (max-size becomes its own size field,
  // max-file is dropped), and reports its default file driver as no setting at all.
  lifecycleConcurrency: 2,
  keepsLogOptions: false,
  healthTest: podmanHealthTest,
};
