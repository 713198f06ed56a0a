/** What a service waits for in a service it depends on, before its own containers start. */
export enum DependencyCondition {
  /** The dependency's containers are running. */
  STARTED = 'started',
  /** The dependency's containers pass their health check. */
  HEALTHY = 'healthy',
  /** The dependency's containers ran to completion with exit code 0 (a migration, say). */
  COMPLETED = 'completed',
}
