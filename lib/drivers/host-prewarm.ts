import type { HostSpec } from '../graph/graph-document';
import { DEFAULT_SSH_TIMEOUTS } from '../transport/ssh-connection';
import { type HostOpener, openHost, type OpenHost, type OpenHostOptions } from './open-host';

/**
 * Connections opened ahead of need: while the user's program runs (a third of a second or
 * more), the hosts its previous graph named are connected to, so that when the new graph is
 * ready its hosts are already reached. The program's own graph decides what is used: a warm
 * connection is handed out only for a host whose spec is exactly the one it was opened with,
 * once; every other host is opened as usual, and what was not handed out is closed.
 *
 * Warm connections never trust a new host key (a guess must not write known_hosts), and only
 * connect and open the engine: nothing is read from or done on a host before the command asks.
 */
export class HostPrewarm {
  /** Starts opening every host of `hosts` (distinct by spec), each independently. */
  public static start(hosts: readonly HostSpec[], options: OpenHostOptions, opener: HostOpener = openHost): HostPrewarm {
    return new HostPrewarm(hosts, { ...options, trustNewHosts: false }, opener);
  }

  private readonly warm = new Map<string, { readonly opening: Promise<OpenHost>; readonly cancel: AbortController }>();
  private closed = false;

  private constructor(hosts: readonly HostSpec[], private readonly options: OpenHostOptions, private readonly fallback: HostOpener) {
    for (const spec of hosts) {
      const key = specKey(spec);
      if (this.warm.has(key)) continue;
      const cancel = new AbortController();
      const opening = fallback(spec, { ...this.options, signal: cancel.signal });
      // Used later or never: a failure here is only the guess's.
      opening.catch(() => undefined);
      this.warm.set(key, { opening, cancel });
    }
  }

  /**
   * Opens a host: with its warm connection when there is one for exactly this spec and these
   * options, else as `fallback` would. A warm attempt that failed answers for the host (the
   * same attempt again would fail alike), unless the request trusts new host keys, which the
   * warm attempt did not.
   */
  public readonly opener: HostOpener = async (spec, options) => {
    const key = specKey(spec);
    const warm = this.warm.get(key);
    if (this.closed || !warm || !this.sameSession(options)) return this.fallback(spec, options);
    this.warm.delete(key);
    try {
      return await warm.opening;
    } catch (error) {
      if (options.trustNewHosts) return this.fallback(spec, options);
      throw error;
    }
  };

  /**
   * Closes the warm connections not handed out and cancels those still opening (a host that
   * does not answer must not keep the process waiting for its connect timeout).
   */
  public close(): void {
    this.closed = true;
    for (const { opening, cancel } of this.warm.values()) {
      cancel.abort();
      opening.then((open) => open.close(), () => undefined);
    }
    this.warm.clear();
  }

  /** Whether a request's options give the same session as the warm one (connect time no longer matters). */
  private sameSession(options: OpenHostOptions): boolean {
    const keepalive = (o: OpenHostOptions) => (o.timeouts ?? DEFAULT_SSH_TIMEOUTS).keepaliveMs;
    return options.projectDir === this.options.projectDir
      && options.sshConfigFile === this.options.sshConfigFile
      && options.requestTimeoutMs === this.options.requestTimeoutMs
      && keepalive(options) === keepalive(this.options);
  }
}

/** A host spec as a string that is equal exactly when every field is (keys in a fixed order). */
function specKey(spec: HostSpec): string {
  return JSON.stringify(spec, (_key, value: unknown) => (value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : value));
}
