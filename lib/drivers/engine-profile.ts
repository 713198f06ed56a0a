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
  /**
   * How many container creates and starts Hoist asks of one host's engine at once. The engine
   * does that work itself (layers, namespaces, cgroups, the runtime), so more at once only
   * makes each slower; the waits that follow a start (readiness, health) are not limited.
   * Two keeps the engine busy while a request crosses SSH. Measured on 4 sandbox Docker hosts
   * x 25 containers (a cold `hoist apply`, HOIST_ENGINE_CONCURRENCY set): 1: 13.0-15.2 s,
   * 2: 13.8-15.3 s, 4 and 8: 16.4 s, 25 (all at once, as before): 16.2-17.8 s; `docker run
   * -d` in a loop on each host: 12.3 s.
   */
  readonly lifecycleConcurrency: number;
  /** A health check's test as it must be sent so that the engine runs exactly that argv. */
  healthTest(test: readonly string[]): string[];
}
