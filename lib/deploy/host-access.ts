import type { HostSpec } from '../graph/graph-document';
import { openHost as openHostOverSsh, type HostOutcome, type OpenHost, type OpenHostOptions } from '../drivers/open-host';

/**
 * How the deploy functions reach a host: connect (SSH, or locally) and open its engine. The
 * default is Hoist's own ({@link openHostOverSsh}); tests pass one that returns an in-memory
 * engine. The returned `engine` is handed, as it is, to Hoist's engine, lock and apply code.
 */
export type HostOpener = (spec: HostSpec, options: OpenHostOptions) => Promise<OpenHost>;

/** The default {@link HostOpener}: SSH (or a local connection for hosts marked local). */
export const defaultHostOpener: HostOpener = openHostOverSsh;

/**
 * Opens every host at once (for work that needs them together, such as locking a stack on
 * all its hosts). If any fails, the others are closed and the failures are thrown together.
 */
export async function openAll(open: HostOpener, hosts: readonly HostSpec[], options: OpenHostOptions): Promise<OpenHost[]> {
  const results = await Promise.allSettled(hosts.map((spec) => open(spec, options)));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const opened = results.filter((r): r is PromiseFulfilledResult<OpenHost> => r.status === 'fulfilled').map((r) => r.value);
  if (failures.length) {
    for (const host of opened) host.close();
    throw new Error(failures.map((f) => (f.reason as Error).message).join('\n'));
  }
  return opened;
}

/**
 * Runs `work` on every host, at most `parallelism` at a time, each host opened for it and
 * closed after. A host that fails yields its error; it never stops or stalls the others.
 */
export async function forEachOpened<T>(open: HostOpener, hosts: readonly HostSpec[], options: OpenHostOptions & { readonly parallelism: number }, work: (host: OpenHost) => Promise<T>): Promise<HostOutcome<T>[]> {
  const outcomes: HostOutcome<T>[] = new Array(hosts.length);
  let next = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const index = next++;
      const spec = hosts[index];
      let host: OpenHost | undefined;
      try {
        host = await open(spec, options);
        outcomes[index] = { host: spec.name, ok: true, value: await work(host) };
      } catch (error) {
        outcomes[index] = { host: spec.name, ok: false, error: error as Error };
      } finally {
        host?.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.parallelism, hosts.length) }, worker));
  return outcomes;
}
