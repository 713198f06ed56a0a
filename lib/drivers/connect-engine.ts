import type { EngineKind } from '../graph/graph-document';
import { HostError } from '../transport/host-error';
import type { IHostConnection } from '../transport/host-connection';
import type { EngineDriver } from './engine-driver';
import { ENGINES } from './engines';

/** Options for {@link connectEngine}. */
export interface ConnectEngineOptions {
  /** 'detect' tries each registered engine's default socket in turn. */
  readonly engine: EngineKind | 'detect';
  /** Socket path on the host; default: the engine's standard path. */
  readonly socketPath: string | null;
  /**
   * How long a request may go without any data from the engine before it fails. Long enough
   * for a container stop within its grace period; it exists so an engine that accepts a request
   * and never answers cannot stall a run.
   * @default 120000
   */
  readonly requestTimeoutMs?: number;
}

/**
 * Connects to a host's engine over its connection and returns its driver: the declared
 * engine's, or with 'detect' the first registered engine that answers at its default socket.
 */
export async function connectEngine(connection: IHostConnection, options: ConnectEngineOptions): Promise<EngineDriver> {
  const kinds = options.engine === 'detect' ? Object.keys(ENGINES) as EngineKind[] : [options.engine];
  const candidates = kinds.map((kind) => ({ kind, socketPath: options.socketPath ?? ENGINES[kind].profile.defaultSocket }));
  const timeout = options.requestTimeoutMs ?? 120_000;
  let lastError: unknown;
  for (const candidate of options.socketPath ? candidates.slice(0, 1) : candidates) {
    try {
      const driver = await ENGINES[candidate.kind].connect(connection, candidate.socketPath, timeout);
      if (options.engine !== 'detect' && driver.kind !== options.engine) {
        driver.close();
        throw new HostError(connection.host, 'engine', `the host is declared as ${options.engine} but ${candidate.socketPath} is served by ${driver.kind} ${driver.info.version}; fix engine (or use detect)`);
      }
      return driver;
    } catch (error) {
      if (error instanceof HostError && error.kind !== 'socket-missing') throw error;
      lastError = error;
    }
  }
  const tried = (options.socketPath ? [options.socketPath] : candidates.map((c) => c.socketPath)).join(' or ');
  if (lastError instanceof HostError) throw lastError;
  throw new HostError(connection.host, 'engine', `the engine at ${tried} did not answer (${(lastError as Error)?.message}); is it an Engine API socket?`);
}
