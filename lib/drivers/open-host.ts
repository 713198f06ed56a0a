import type { HostSpec } from '../graph/graph-document';
import type { IHostConnection } from '../transport/host-connection';
import { HostError } from '../transport/host-error';
import { LocalConnection } from '../transport/local-connection';
import { DEFAULT_SSH_TIMEOUTS, SshConnection, SshTimeouts } from '../transport/ssh-connection';
import { EndpointOptions, resolveEndpoint } from '../transport/ssh-endpoint';
import { connectEngine } from './connect-engine';
import type { EngineDriver } from './engine-driver';

/** A host reached: its connection and its engine's driver. */
export interface OpenHost {
  readonly spec: HostSpec;
  readonly connection: IHostConnection;
  readonly engine: EngineDriver;
  close(): void;
}

export interface OpenHostOptions extends EndpointOptions {
  readonly timeouts?: SshTimeouts;
  readonly requestTimeoutMs?: number;
  /** Gives up on connecting when it fires (the host is then not opened, and nothing is left open). */
  readonly signal?: AbortSignal;
}

/** Connects to a host (SSH, or locally when marked local) and opens its engine API. */
export async function openHost(spec: HostSpec, options: OpenHostOptions): Promise<OpenHost> {
  const { signal } = options;
  const connection: IHostConnection = spec.local
    ? new LocalConnection(spec.name)
    : await SshConnection.open(resolveEndpoint(spec, options), options.timeouts ?? DEFAULT_SSH_TIMEOUTS, signal);
  // Closing the connection ends an engine handshake still under way.
  const onAbort = () => connection.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const engine = await connectEngine(connection, { engine: spec.engine, socketPath: spec.engineSocket, requestTimeoutMs: options.requestTimeoutMs });
    if (signal?.aborted) {
      engine.close();
      throw new HostError(spec.name, 'cancelled', 'connecting was cancelled before the engine was reached');
    }
    return { spec, connection, engine, close: () => { engine.close(); connection.close(); } };
  } catch (error) {
    connection.close();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * How a host is reached: connect and open its engine. {@link openHost} by default; the deploy
 * API's tests pass one that returns an in-memory engine.
 */
export type HostOpener = (spec: HostSpec, options: OpenHostOptions) => Promise<OpenHost>;

/** The outcome for one host of work done on many: its result, or the error that stopped it. */
export type HostOutcome<T> = { readonly host: string; readonly ok: true; readonly value: T } | { readonly host: string; readonly ok: false; readonly error: Error };

/**
 * Runs `work` on every host, at most `parallelism` at a time. A host that fails (down,
 * refused, wrong key) yields its error; it never stops or stalls the others.
 */
export async function forEachHost<T>(hosts: readonly HostSpec[], options: OpenHostOptions & { parallelism?: number }, work: (host: OpenHost) => Promise<T>, opener: HostOpener = openHost): Promise<HostOutcome<T>[]> {
  const outcomes: HostOutcome<T>[] = new Array(hosts.length);
  let next = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const index = next++;
      const spec = hosts[index];
      let open: OpenHost | undefined;
      try {
        open = await opener(spec, options);
        outcomes[index] = { host: spec.name, ok: true, value: await work(open) };
      } catch (error) {
        outcomes[index] = { host: spec.name, ok: false, error: error as Error };
      } finally {
        open?.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.parallelism ?? 10, hosts.length) }, worker));
  return outcomes;
}

/**
 * Opens every host at once (for work that needs them together, such as locking a stack on
 * all its hosts). If any fails, the others are closed and the failures are thrown together.
 */
export async function openAllHosts(hosts: readonly HostSpec[], options: OpenHostOptions, opener: HostOpener = openHost): Promise<OpenHost[]> {
  const results = await Promise.allSettled(hosts.map((spec) => opener(spec, options)));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const opened = results.filter((r): r is PromiseFulfilledResult<OpenHost> => r.status === 'fulfilled').map((r) => r.value);
  if (failures.length) {
    for (const open of opened) open.close();
    throw new Error(failures.map((f) => (f.reason as Error).message).join('\n'));
  }
  return opened;
}
