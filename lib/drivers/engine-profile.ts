/**
 * What an engine can do and how it records what it is asked, as plain data and pure
 * functions: read by code that has no connection (the planner deciding between an update in
 * place and a replacement, synth refusing build secrets on a builder that cannot serve them,
 * the normalizer reading a container back). Each driver folder exports its engine's profile;
 * engines.ts registers it.
 */
export interface EngineProfile {
  /** The engine's name in messages ("Docker Engine", "Podman"). */
  readonly displayName: string;
  /** Where the engine's API listens on a host by default. */
  readonly defaultSocket: string;
  /** Whether a running container's limits and restart policy can change without a replacement. */
  readonly updatesInPlace: boolean;
  /** Whether a build on this engine can mount build secrets (a BuildKit session). */
  readonly buildSecrets: boolean;
  /**
   * The registry prefix the engine gives a name without a registry (`localhost/` on Podman),
   * under which it also lists and reports such an image; null when it keeps the name as given.
   */
  readonly localImagePrefix: string | null;
  /** Environment variables the engine sets on every container by itself. */
  readonly injectedEnv: readonly string[];
  /** Paths the engine mounts as tmpfs by itself in a container with a read-only root filesystem. */
  readonly readOnlyRootTmpfs: readonly string[];
  /**
   * Whether the engine reads back a log driver's options as given; false where it keeps only
   * the driver (and reports its own file driver as no setting).
   */
  readonly keepsLogOptions: boolean;
  /** A health check's test as it must be sent so that the engine runs exactly that argv. */
  healthTest(test: readonly string[]): string[];
}
