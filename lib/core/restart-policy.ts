/** When the engine restarts a service's containers. */
export enum RestartPolicy {
  /** Never restart. */
  NO = 'no',
  /** Always restart, also after the engine restarts. */
  ALWAYS = 'always',
  /** Restart unless someone stopped the container on purpose. */
  UNLESS_STOPPED = 'unless-stopped',
  /** Restart only after a non-zero exit, up to `restartMaxRetries` times. */
  ON_FAILURE = 'on-failure',
}
