import type { EngineProfile } from '../engine-profile';

/** Docker Engine: records what it is asked as asked. */
export const DOCKER_PROFILE: EngineProfile = {
  displayName: 'Docker Engine',
  defaultSocket: '/var/run/docker.sock',
  updatesInPlace: true,
  buildSecrets: true,
  localImagePrefix: null,
  injectedEnv: [],
  readOnlyRootTmpfs: [],
  lifecycleConcurrency: 2,
  keepsLogOptions: true,
  healthTest: (test) => [...test],
};
