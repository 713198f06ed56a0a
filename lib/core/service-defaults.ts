import type { LoggingOptions } from './logging-options';
import type { ResourceLimits } from './resource-limits';
import type { RestartPolicy } from './restart-policy';
import type { UpdateStrategy } from './update-strategy';

/**
 * Settings a {@link Stack} gives all its services; a service's own value wins, field by field
 * for `resources` and `update`.
 */
export interface ServiceDefaults {
  /**
   * Default cgroup limits.
   *
   * @default - no limits
   */
  readonly resources?: ResourceLimits;

  /**
   * Default restart policy.
   *
   * @default RestartPolicy.UNLESS_STOPPED
   */
  readonly restart?: RestartPolicy;

  /**
   * Default log driver.
   *
   * @default - the engine's default
   */
  readonly logging?: LoggingOptions;

  /**
   * Default update strategy.
   *
   * @default - see {@link UpdateStrategy}
   */
  readonly update?: UpdateStrategy;

  /**
   * Default for `noNewPrivileges`.
   *
   * @default false
   */
  readonly noNewPrivileges?: boolean;

  /**
   * Default for `readOnlyRootFilesystem`.
   *
   * @default false
   */
  readonly readOnlyRootFilesystem?: boolean;

  /**
   * Default capabilities to drop, e.g. ["ALL"].
   *
   * @default - none
   */
  readonly capDrop?: string[];

  /**
   * Default stop grace period.
   *
   * @default "10s"
   */
  readonly stopGracePeriod?: string;

  /**
   * Default severities of the service lint rules, by rule id, e.g. { "no-cpu-limit": "off" };
   * a service's own `lintRules` win rule by rule.
   *
   * @default - each rule's default severity
   */
  readonly lintRules?: Record<string, string>;
}
