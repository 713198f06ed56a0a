import type { Duplex } from 'node:stream';

/**
 * An open connection to one host, through which engine API streams are opened. SSH and
 * local connections implement it; the engine drivers know nothing else about transport.
 */
export interface IHostConnection {
  /** Host name, for messages. */
  readonly host: string;
  /** A new byte stream to the unix socket at `socketPath` as the host sees it. */
  openStream(socketPath: string): Promise<Duplex>;
  /** Closes the connection and every stream on it. */
  close(): void;
}
