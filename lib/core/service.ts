import { Construct } from 'constructs';
import { brand, hasBrand } from './private/brand';
import { DependencyCondition } from './dependency-condition';
import type { HealthCheck } from './health-check';
import type { Image } from './image';
import type { ServiceRoute } from './ingress';
import type { LoggingOptions } from './logging-options';
import type { Mount } from './mount';
import type { INetworkAttachment } from './network';
import type { Placement } from './placement';
import type { PortMapping } from './port-mapping';
import type { ResourceLimits } from './resource-limits';
import type { RestartPolicy } from './restart-policy';
import type { ISecretDelivery } from './secret';
import type { UpdateStrategy } from './update-strategy';

const SERVICE_SYMBOL = Symbol.for('hoist.Service');

/** A dependency on a service, with the condition to wait for. */
export interface IServiceDependency {
  /** The service depended on. */
  readonly dependencyService: Service;

  /** What to wait for. */
  readonly dependencyCondition: DependencyCondition;
}

/** Options for a {@link Service}. */
export interface ServiceProps {
  /** The image the containers run. */
  readonly image: Image;

  /**
   * Name of the service: containers are `<stack>-<serviceName>-<n>`, and other services on
   * a shared network reach it by this name.
   *
   * @default - the construct id
   */
  readonly serviceName?: string;

  /**
   * Replaces the image's CMD (argv, no shell).
   *
   * @default - the image's CMD
   */
  readonly command?: string[];

  /**
   * Replaces the image's ENTRYPOINT (argv, no shell).
   *
   * @default - the image's ENTRYPOINT
   */
  readonly entrypoint?: string[];

  /**
   * Environment variables. Values reach the container byte for byte; never put secrets
   * here (use `secrets`).
   *
   * @default - none beyond the image's
   */
  readonly environment?: Record<string, string>;

  /**
   * Secrets given to the containers: a {@link Secret} (as `/run/secrets/<name>`), or
   * `secret.asFile(path)` / `secret.asEnv(variable)`.
   *
   * @default - none
   */
  readonly secrets?: ISecretDelivery[];

  /**
   * Ports the containers expose or publish on the host.
   *
   * @default - none
   */
  readonly ports?: PortMapping[];

  /**
   * Volumes, host paths and tmpfs mounted into the containers.
   *
   * @default - none
   */
  readonly mounts?: Mount[];

  /**
   * Networks to join: a {@link Network}, or `network.withAliases(...)`.
   *
   * @default - the engine's default bridge network
   */
  readonly networks?: INetworkAttachment[];

  /**
   * Number of containers across all hosts.
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Which hosts the replicas may run on.
   *
   * @default - all hosts of the stack
   */
  readonly placement?: Placement;

  /**
   * CPU, memory and process limits.
   *
   * @default - the stack's defaults, else no limits
   */
  readonly resources?: ResourceLimits;

  /**
   * Health check; rolling updates wait for it.
   *
   * @default - the image's HEALTHCHECK, if any
   */
  readonly healthCheck?: HealthCheck;

  /**
   * Restart policy.
   *
   * @default - the stack's default, else RestartPolicy.UNLESS_STOPPED
   */
  readonly restart?: RestartPolicy;

  /**
   * Restart attempts for RestartPolicy.ON_FAILURE.
   *
   * @default 0 (unlimited)
   */
  readonly restartMaxRetries?: number;

  /**
   * User (name or uid[:gid]) the process runs as.
   *
   * @default - the image's USER
   */
  readonly user?: string;

  /**
   * Working directory inside the container.
   *
   * @default - the image's WORKDIR
   */
  readonly workingDirectory?: string;

  /**
   * Mount the container's root filesystem read-only.
   *
   * @default - the stack's default, else false
   */
  readonly readOnlyRootFilesystem?: boolean;

  /**
   * Linux capabilities to add, e.g. ["NET_BIND_SERVICE"].
   *
   * @default - none
   */
  readonly capAdd?: string[];

  /**
   * Linux capabilities to drop, e.g. ["ALL"].
   *
   * @default - the stack's default, else none
   */
  readonly capDrop?: string[];

  /**
   * Forbid gaining privileges through setuid binaries.
   *
   * @default - the stack's default, else false
   */
  readonly noNewPrivileges?: boolean;

  /**
   * Log driver.
   *
   * @default - the stack's default, else the engine's
   */
  readonly logging?: LoggingOptions;

  /**
   * Time between the stop signal and SIGKILL.
   *
   * @default - the stack's default, else "10s"
   */
  readonly stopGracePeriod?: string;

  /**
   * Services that must be ready first: a {@link Service} (started), or
   * `service.whenHealthy()` / `service.whenCompleted()`.
   *
   * @default - none
   */
  readonly dependsOn?: IServiceDependency[];

  /**
   * How containers are replaced when their spec changes.
   *
   * @default - the stack's default, else see {@link UpdateStrategy}
   */
  readonly update?: UpdateStrategy;

  /**
   * Labels on the containers. Keys starting with `hoist.` are reserved.
   *
   * @default - none
   */
  readonly labels?: Record<string, string>;

  /**
   * Routes from ingresses to this service: requests for a host name and/or path prefix on
   * an {@link Ingress}'s port reach the service's containers on `port`. The service joins
   * the ingress's network; its replicas on the ingress's hosts are the proxy's upstreams,
   * several per host if you like; and its start-first rollouts switch traffic through the
   * proxy (the new container in once ready, the old one drained before it stops).
   *
   * @default - none
   */
  readonly routes?: ServiceRoute[];

  /**
   * Name of a container not made by Hoist (started by `docker run` or Compose) that this
   * service takes over, as `hoist import host` writes it. On each host where that container
   * exists, the plan replaces it by the service's first replica there, stop-first: the old
   * container stops, the new one starts under Hoist's name with the old one's anonymous data
   * volumes, and once it is ready the old container is removed (its volumes are kept). If
   * the new one does not become ready, it is removed and the old one starts again. Where no
   * such container exists, this does nothing; once adopted, the prop can be removed.
   *
   * @default - none: a container of another name is never touched
   */
  readonly adoptContainer?: string;

  /**
   * Severities of the service lint rules for this service ("error", "warning", "info" or
   * "off"), by rule id, e.g. { "writable-rootfs": "off" }; they win over the stack's
   * `defaults.lintRules`, and `hoist lint --rule` overrides both for one run. Image rules
   * (such as "no-user") are set on the image instead. An error-level finding stops
   * `hoist apply` from creating or replacing the service's containers.
   *
   * @default - the stack's default, else each rule's default severity (see the README's lint rules)
   */
  readonly lintRules?: Record<string, string>;
}

/**
 * A long-running process in containers: one per replica, placed on the stack's hosts.
 *
 * @example
 * new Service(stack, 'web', {
 *   image: Image.fromRegistry('busybox:1.36'),
 *   command: ['httpd', '-f', '-p', '8080'],
 *   ports: [{ container: 8080, host: 80 }],
 *   replicas: 2,
 * });
 */
export class Service extends Construct implements IServiceDependency {
  /** Whether `x` is a Service, also across duplicate copies of this library. */
  public static isService(x: any): x is Service {
    return hasBrand(x, SERVICE_SYMBOL);
  }

  /** @internal */
  public readonly _props: ServiceProps;

  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id);
    brand(this, SERVICE_SYMBOL);
    this._props = props ?? ({} as ServiceProps);
  }

  /** Name of the service. */
  public get serviceName(): string {
    return this._props.serviceName ?? this.node.id;
  }

  /** This service as a dependency: wait until it has started. */
  public get dependencyService(): Service {
    return this;
  }

  /** Started. */
  public get dependencyCondition(): DependencyCondition {
    return DependencyCondition.STARTED;
  }

  /** A dependency on this service that waits until its containers have started. */
  public whenStarted(): IServiceDependency {
    return { dependencyService: this, dependencyCondition: DependencyCondition.STARTED };
  }

  /** A dependency on this service that waits until its containers are healthy. */
  public whenHealthy(): IServiceDependency {
    return { dependencyService: this, dependencyCondition: DependencyCondition.HEALTHY };
  }

  /** A dependency on this service that waits until its containers have exited with code 0. */
  public whenCompleted(): IServiceDependency {
    return { dependencyService: this, dependencyCondition: DependencyCondition.COMPLETED };
  }
}
