import { Construct } from 'constructs';
import { HealthCheck, Host, Image, Ingress, Service, UpdateOrder } from 'hoist';
import type { DatabaseConnection } from './database-connection';

/** Options for a {@link WebService}. */
export interface WebServiceProps {
  /** The image. */
  readonly image: Image;

  /** The port the app listens on inside the container. */
  readonly port: number;

  /** The hosts it runs on. */
  readonly hosts: Host[];

  /**
   * Containers in all.
   *
   * @default - one per host
   */
  readonly replicas?: number;

  /**
   * Publish the app on this port of each host.
   *
   * @default - not published
   */
  readonly publishPort?: number;

  /**
   * Serve the app through this ingress (several replicas per host, updates that drop no
   * request) instead of publishing a port.
   *
   * @default - not routed
   */
  readonly ingress?: Ingress;

  /**
   * With `ingress`: only requests for this host name.
   *
   * @default - any host name
   */
  readonly hostName?: string;

  /**
   * The path that answers 200 when the app is ready.
   *
   * @default "/health"
   */
  readonly healthPath?: string;

  /**
   * A database to connect to: the app gets DATABASE_HOST, DATABASE_PORT, DATABASE_USER,
   * DATABASE_NAME and PASSWORD_FILE, the password as a file, the database's network, and
   * starts after the database is healthy.
   *
   * @default - no database
   */
  readonly database?: DatabaseConnection;

  /**
   * More environment variables.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

/**
 * A stateless web app with the defaults it should have: an HTTP health check, rolling updates
 * one replica at a time (start-first, or stop-first when it publishes a host port) with
 * rollback when a new version never becomes healthy, a read-only root filesystem, and no
 * Linux capabilities.
 */
export class WebService extends Construct {
  /** The app's service. */
  public readonly service: Service;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const database = props.database;
    this.service = new Service(this, 'web', {
      image: props.image,
      ports: props.publishPort !== undefined ? [{ host: props.publishPort, container: props.port }] : undefined,
      networks: database ? [database.network] : undefined,
      secrets: database ? [database.password] : undefined,
      environment: {
        ...(database ? {
          DATABASE_HOST: database.host, DATABASE_PORT: String(database.port), DATABASE_USER: database.user,
          DATABASE_NAME: database.database, PASSWORD_FILE: database.passwordFile,
        } : {}),
        ...props.environment,
      },
      placement: { hosts: props.hosts },
      replicas: props.replicas ?? props.hosts.length,
      healthCheck: HealthCheck.http(props.port, { path: props.healthPath ?? '/health' }),
      routes: props.ingress ? [{ ingress: props.ingress, port: props.port, hostName: props.hostName, healthCheckPath: props.healthPath ?? '/health' }] : undefined,
      // Two containers cannot hold one host port: a published app is replaced stop-first.
      update: { order: props.publishPort !== undefined ? UpdateOrder.STOP_FIRST : UpdateOrder.START_FIRST },
      readOnlyRootFilesystem: true,
      capDrop: ['ALL'],
      dependsOn: database ? [database.service.whenHealthy()] : undefined,
    });
  }
}
