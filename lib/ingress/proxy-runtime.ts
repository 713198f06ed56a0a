import type { EngineDriver } from '../drivers/engine-driver';
import { isNotFound } from '../drivers/engine-error';
import type { ProxyUpstream } from '../graph/graph-document';
import { RUNTIME_API_PORT, spareServerName } from './haproxy-config';

/** A server of a backend as the proxy reports it. */
export interface ProxyServerState {
  /** Requests it is serving now. */
  readonly current: number;
  /** UP, DOWN, MAINT, DRAIN, NOLB, ... */
  readonly status: string;
  readonly address: string;
}

/**
 * One running proxy's runtime API (HAProxy's stats socket, on the proxy container's
 * loopback), reached by running bash in the proxy container through the engine's exec: no
 * port is published and nothing runs on the host. Commands are built from the graph's names
 * and engine-reported addresses, and reach bash as an argument, never as shell text.
 *
 * The switch of a replica from its old container to its new one, without dropping a request:
 * 1. {@link divert}: the replica's spare server points at the new container and takes
 *    requests; the main server, still on the old container, drains (no new requests; the
 *    ones in flight finish) and goes into maintenance;
 * 2. the caller stops the old container and gives the new one the replica's name;
 * 3. {@link settle}: the main server points at the new container and takes requests again;
 *    the spare drains and goes back into maintenance, as the configuration has it.
 */
export class ProxyRuntime {
  /**
   * The runtime API of the proxy container `proxy`, or undefined when it is not running (a
   * proxy that is not running sends no requests anywhere, so there is nothing to switch).
   */
  public static async open(client: EngineDriver, proxy: string): Promise<ProxyRuntime | undefined> {
    try {
      const inspect = await client.inspectContainer(proxy);
      return inspect.State.Running ? new ProxyRuntime(client, proxy) : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * The runtime API of a proxy container the caller has just seen running (its inspect in
   * hand), without reading it again; a command to one that stopped since fails.
   */
  public static ofRunning(client: EngineDriver, proxy: string): ProxyRuntime {
    return new ProxyRuntime(client, proxy);
  }

  private constructor(private readonly client: EngineDriver, public readonly proxy: string) {}

  /**
   * Runs runtime API commands (joined with ";", HAProxy's separator) and returns the answer;
   * throws on an answer that reports an error.
   */
  public async command(...commands: string[]): Promise<string> {
    const result = await this.send(commands.join('; '));
    const answer = result.stdout.toString('utf8');
    if (result.exitCode !== 0) {
      throw new Error(`the runtime API of proxy ${this.proxy} on ${this.client.host} did not answer (${result.timedOut ? 'timed out' : `exit ${result.exitCode}`}): ${result.stderr.toString('utf8').trim().slice(0, 300)}`);
    }
    // "set" commands answer nothing, or a note that an address or port changed; anything
    // else is a refusal ("No such server.", "Update for the current server address family
    // is only supported through configuration file", ...).
    if (commands.every((c) => c.startsWith('set '))) {
      const refused = answer.split('\n').map((l) => l.trim()).find((l) => l !== '' && !/^(IP changed from|no need to change|port changed from)/i.test(l));
      if (refused) throw new Error(`proxy ${this.proxy} on ${this.client.host} refused "${commands.join('; ')}": ${refused}`);
    }
    return answer;
  }

  /**
   * Sends one line to the runtime API through bash in the proxy container; the answer comes
   * back as the exec's output, or goes to `outputFile` in the container. The line and the
   * file name reach bash as arguments, never as shell text.
   */
  private send(line: string, outputFile?: string): ReturnType<EngineDriver['exec']> {
    return this.client.exec(this.proxy, [
      'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${RUNTIME_API_PORT} && printf '%s\\n' "$1" >&3 && cat <&3${outputFile === undefined ? '' : ' > "$2"'}`,
      'hoist', line, ...(outputFile === undefined ? [] : [outputFile]),
    ], { timeoutMs: 15_000, maxOutputBytes: 4 * 1024 * 1024 });
  }

  /** The process id of the worker that answers (a reload starts a new one). */
  public async workerPid(): Promise<number> {
    const info = await this.command('show info');
    const pid = /^Pid: (\d+)$/m.exec(info);
    if (!pid) throw new Error(`proxy ${this.proxy} on ${this.client.host} did not say its process id`);
    return Number(pid[1]);
  }

  /** Saves every server's address and state to a file in the proxy container (for a reload to take over). */
  public async saveServerStates(path: string): Promise<void> {
    const result = await this.send('show servers state', path);
    if (result.exitCode !== 0) throw new Error(`proxy ${this.proxy} on ${this.client.host}: saving its server states failed: ${result.stderr.toString('utf8').trim().slice(0, 300)}`);
  }

  /** The servers of one backend, by name; empty when the proxy has no such backend. */
  public async servers(backend: string): Promise<Map<string, ProxyServerState>> {
    const servers = new Map<string, ProxyServerState>();
    for (const [key, state] of await this.allServers()) {
      if (key.startsWith(`${backend}/`)) servers.set(key.slice(backend.length + 1), state);
    }
    return servers;
  }

  /** Every server of every backend, by `<backend>/<server>`. */
  public async allServers(): Promise<Map<string, ProxyServerState>> {
    const csv = await this.command('show stat');
    const lines = csv.split('\n').filter((l) => l.trim() !== '');
    const header = (lines.shift() ?? '').replace(/^#\s*/, '').split(',');
    const at = (name: string) => header.indexOf(name);
    const servers = new Map<string, ProxyServerState>();
    for (const line of lines) {
      const fields = line.split(',');
      if (fields[at('svname')] === 'BACKEND' || fields[at('svname')] === 'FRONTEND') continue;
      servers.set(`${fields[at('pxname')]}/${fields[at('svname')]}`, { current: Number(fields[at('scur')]) || 0, status: fields[at('status')] ?? '', address: fields[at('addr')] ?? '' });
    }
    return servers;
  }

  /** Whether the proxy's configuration has this replica's main and spare servers. */
  public async knows(upstream: ProxyUpstream): Promise<boolean> {
    const servers = await this.servers(upstream.backend);
    return servers.has(upstream.server) && servers.has(spareServerName(upstream.server));
  }

  /**
   * Step 1 of a switch: requests go to `address` (the new container, ready) through the
   * spare server, and the main server drains; returns once it serves nothing, or after
   * `drainMs` (then what is still in flight is cut when the old container stops, as it
   * would be without a proxy).
   */
  public async divert(upstream: ProxyUpstream, address: string, drainMs: number): Promise<{ drained: boolean }> {
    const { backend, server, port } = upstream;
    const spare = spareServerName(server);
    await this.command(`set server ${backend}/${spare} addr ${address} port ${port}`, `set server ${backend}/${spare} state ready`, `set server ${backend}/${server} state drain`);
    const drained = await this.waitIdle(backend, server, drainMs);
    await this.command(`set server ${backend}/${server} state maint`);
    return { drained };
  }

  /**
   * Step 3 of a switch: the main server points at `address` and takes requests again (its
   * health checks go on from "up": the container was just checked ready); the spare drains
   * and goes back into maintenance.
   */
  public async settle(upstream: ProxyUpstream, address: string, drainMs: number): Promise<void> {
    const { backend, server, port } = upstream;
    const spare = spareServerName(server);
    await this.command(`set server ${backend}/${server} addr ${address} port ${port}`, `set server ${backend}/${server} state ready`, `set server ${backend}/${server} health up`, `set server ${backend}/${spare} state drain`);
    await this.waitIdle(backend, spare, drainMs);
    await this.command(`set server ${backend}/${spare} state maint`);
  }

  /**
   * Points a replica's main server at `address` and lets it take requests: at once when
   * `ready` (Hoist checked the container), else once its health checks pass. For a replica
   * or a proxy that Hoist just started, so the proxy does not depend on the engine's DNS.
   */
  public async register(upstream: ProxyUpstream, address: string, ready: boolean): Promise<void> {
    await this.registerAll([{ upstream, address, ready }]);
  }

  /** {@link register} for many servers, in one batch of commands. */
  public async registerAll(registrations: readonly { readonly upstream: ProxyUpstream; readonly address: string; readonly ready: boolean }[]): Promise<void> {
    // A container Hoist saw ready serves at once: its health checks go on from "up" instead
    // of failing requests (503) until they pass twice.
    const commands = registrations.flatMap(({ upstream: { backend, server, port }, address, ready }) => [
      `set server ${backend}/${server} addr ${address} port ${port}`, `set server ${backend}/${server} state ready`, ...(ready ? [`set server ${backend}/${server} health up`] : []),
    ]);
    // The runtime API reads one line into a buffer of 16 kB (HAProxy's default bufsize).
    for (let i = 0; i < commands.length; i += 60) await this.command(...commands.slice(i, i + 60));
  }

  /** Undoes step 1 after a failure before the old container stopped: the main server serves again. */
  public async undivert(upstream: ProxyUpstream): Promise<void> {
    const { backend, server } = upstream;
    await this.command(`set server ${backend}/${server} state ready`, `set server ${backend}/${spareServerName(server)} state maint`);
  }

  private async waitIdle(backend: string, server: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = (await this.servers(backend)).get(server);
      if (!state || state.current === 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A container's address on one network, as its engine reports it; undefined when it is not on it. */
export async function addressOn(client: EngineDriver, container: string, network: string): Promise<string | undefined> {
  return (await upstreamState(client, container, network))?.address;
}

/**
 * Where a replica is on a proxy's network and whether it is ready (running, and healthy if it
 * has a health check); undefined when it is not there or not on that network.
 */
export async function upstreamState(client: EngineDriver, container: string, network: string): Promise<{ address: string; ready: boolean } | undefined> {
  let inspect;
  try {
    inspect = await client.inspectContainer(container);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const endpoint = (inspect.NetworkSettings.Networks ?? {})[network] as { IPAddress?: string } | undefined;
  if (!endpoint?.IPAddress) return undefined;
  const health = (inspect.State as { Health?: { Status?: string } }).Health?.Status;
  return { address: endpoint.IPAddress, ready: inspect.State.Running === true && (health === undefined || health === '' || health === 'healthy') };
}
