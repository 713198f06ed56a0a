import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { HostError } from './host-error';
import type { IHostConnection } from './host-connection';

/** A host marked local: the engine socket on this machine, without SSH. */
export class LocalConnection implements IHostConnection {
  constructor(public readonly host: string) {}

  public openStream(socketPath: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      socket.once('connect', () => resolve(socket));
      socket.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EACCES') {
          reject(new HostError(this.host, 'socket-permission', `permission denied on the engine socket ${socketPath}; run as a user who may use it (root, or a member of the docker group)`));
        } else if (error.code === 'ENOENT' || !fs.existsSync(socketPath)) {
          reject(new HostError(this.host, 'socket-missing', `the engine socket ${socketPath} does not exist: is the engine running? (or set engineSocket)`));
        } else {
          reject(new HostError(this.host, 'socket-missing', `cannot connect to the engine socket ${socketPath} (${error.code ?? error.message})`));
        }
      });
    });
  }

  public close(): void {
    // Streams close with their requests; nothing is held open.
  }
}
