import type { EngineDriver } from '../../drivers/engine-driver';
import type { ContainerResource, ProxyUpstream, StackGraph } from '../../graph/graph-document';
import { addressOn, ProxyRuntime, upstreamState } from '../../ingress/proxy-runtime';

/** One proxy's part of a switch: where the new container is, as that proxy reaches it. */
interface Diverted {
  readonly runtime: ProxyRuntime;
  readonly upstream: ProxyUpstream;
  readonly address: string;
}

/**
 * A replica's traffic moving from its old container to a new one through the ingress proxies
 * that route to it (the replica's `policy.proxies`): {@link divertTraffic} once the new one is
 * ready and before the old one stops, {@link TrafficSwitch.settle} once the new one has the
 * replica's name, {@link TrafficSwitch.undo} if the switch is abandoned before the old one
 * stopped. A proxy that is not running, or whose configuration does not have the replica yet
 * (a proxy this apply replaces too), is left out: it sends the replica nothing to protect.
 */
export class TrafficSwitch {
  public static readonly NONE = new TrafficSwitch([], 0);

  public constructor(private readonly diverted: readonly Diverted[], private readonly drainMs: number) {}

  /** Whether any proxy's traffic was moved. */
  public get active(): boolean {
    return this.diverted.length > 0;
  }

  /** The replica's main servers point at the new container again; the spares go back to rest. */
  public async settle(): Promise<void> {
    for (const d of this.diverted) await d.runtime.settle(d.upstream, d.address, this.drainMs);
  }

  /** The main servers (still on the old container) serve again; the spares go back to rest. */
  public async undo(): Promise<void> {
    for (const d of this.diverted) await d.runtime.undivert(d.upstream);
  }
}

/**
 * Moves the replica's traffic in every proxy that routes to it to `container` (ready, not yet
 * under the replica's name), draining the old container within its stop grace period.
 */
export async function divertTraffic(client: EngineDriver, resource: ContainerResource, container: string): Promise<TrafficSwitch> {
  const upstreams = resource.policy.proxies ?? [];
  if (upstreams.length === 0) return TrafficSwitch.NONE;
  const drainMs = resource.spec.stopTimeoutSeconds * 1000;
  const diverted: Diverted[] = [];
  try {
    for (const upstream of upstreams) {
      const runtime = await ProxyRuntime.open(client, upstream.proxy);
      if (!runtime || !(await runtime.knows(upstream))) continue;
      const address = await addressOn(client, container, upstream.network);
      if (!address) throw new Error(`container ${container} on ${client.host} has no address on network ${upstream.network}, where proxy ${upstream.proxy} reaches it`);
      // Recorded before the switch: an error in the middle of it is undone like the rest.
      diverted.push({ runtime, upstream, address });
      await runtime.divert(upstream, address, drainMs);
    }
  } catch (error) {
    await new TrafficSwitch(diverted, drainMs).undo().catch(() => undefined);
    throw error;
  }
  return new TrafficSwitch(diverted, drainMs);
}

/** The networks a replica's proxies reach it on: its name there must not move while they do. */
export function proxyNetworks(resource: ContainerResource): Set<string> {
  return new Set((resource.policy.proxies ?? []).map((p) => p.network));
}

/**
 * Tells the proxies that route to a replica where it now is: after Hoist created, replaced
 * (stop-first) or restarted it. A proxy that is not running, or does not have the replica in
 * its configuration yet, is left out.
 */
export async function registerReplica(client: EngineDriver, resource: ContainerResource): Promise<void> {
  for (const upstream of resource.policy.proxies ?? []) {
    const runtime = await ProxyRuntime.open(client, upstream.proxy);
    if (!runtime || !(await runtime.knows(upstream))) continue;
    const state = await upstreamState(client, upstream.server, upstream.network);
    if (state) await runtime.register(upstream, state.address, state.ready);
  }
}

/**
 * Tells a proxy that Hoist just started where each replica it routes to is, so it serves
 * them at once, whether or not the engine's DNS knows their names (Podman's CNI DNS forgets
 * containers that were renamed after they started, as rollouts do).
 */
export async function registerUpstreams(client: EngineDriver, stack: StackGraph, proxy: ContainerResource): Promise<void> {
  const upstreams = stack.resources.flatMap((r) => (r.kind === 'container' && r.host === proxy.host ? (r.policy.proxies ?? []).filter((u) => u.proxy === proxy.spec.name) : []));
  if (upstreams.length === 0) return;
  const runtime = await ProxyRuntime.open(client, proxy.spec.name);
  if (!runtime) return;
  // One read of the proxy's servers and one batch of commands, however many replicas it has.
  const known = new Set((await runtime.allServers()).keys());
  const registrations = await Promise.all(upstreams.filter((u) => known.has(`${u.backend}/${u.server}`)).map(async (upstream) => {
    const state = await upstreamState(client, upstream.server, upstream.network);
    return state ? { upstream, ...state } : undefined;
  }));
  await runtime.registerAll(registrations.filter((r) => r !== undefined));
}
