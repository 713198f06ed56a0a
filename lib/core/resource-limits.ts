/** Cgroup limits for each container of a service. */
export interface ResourceLimits {
  /**
   * CPU limit in cores, e.g. 0.5 for half a core.
   *
   * @default - no limit
   */
  readonly cpus?: number;

  /**
   * Memory limit: a size such as "512MiB", "1g" or "256m" (binary units, as Docker reads them).
   *
   * @default - no limit
   */
  readonly memory?: string;

  /**
   * Soft memory reservation, a size as for `memory`; at most `memory`.
   *
   * @default - none
   */
  readonly memoryReservation?: string;

  /**
   * Maximum number of processes (pids cgroup); a fork bomb stops there.
   *
   * @default - no limit
   */
  readonly pids?: number;
}
