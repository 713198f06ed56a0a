import type { Network, Secret, Service } from 'hoist';

/**
 * How to reach a database: what a client service needs, typed, so that wiring a web service
 * to its database is one prop instead of five environment variables kept in step by hand.
 */
export interface DatabaseConnection {
  /** The name clients connect to: the database's alias on `network`. */
  readonly host: string;

  /** The port the database listens on. */
  readonly port: number;

  /** The user to connect as. */
  readonly user: string;

  /** The database to open. */
  readonly database: string;

  /** The password; clients get it as a file at `passwordFile`. */
  readonly password: Secret;

  /** Where a client finds the password inside its container. */
  readonly passwordFile: string;

  /** The network the database is reachable on. */
  readonly network: Network;

  /** The database's service, for `dependsOn: [connection.service.whenHealthy()]`. */
  readonly service: Service;
}
