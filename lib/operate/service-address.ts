import type { GraphDocument, HostSpec, StackGraph } from '../graph/graph-document';
import type { ContainerSummary } from '../drivers/engine-objects';
import { LABEL } from '../engine/ownership-labels';

/** A service as the day-2 commands name it: `<stack>/<service>`, resolved in the graph. */
export interface ServiceAddress {
  readonly stack: StackGraph;
  readonly service: string;
  /** The hosts its replicas are placed on, in the graph's order. */
  readonly hosts: readonly string[];
  /** The hosts to reach: all of `hosts`, or the one asked for. */
  readonly reach: readonly HostSpec[];
}

/**
 * Resolves `<stack>/<service>` (the service's name, as in its containers' names) in the
 * graph, narrowed to `host` when given; the error lists what there is instead.
 */
export function resolveService(graph: GraphDocument, address: string, host?: string): ServiceAddress {
  const slash = address.indexOf('/');
  const stacks = graph.stacks.map((s) => s.name).join(', ') || 'none';
  if (slash <= 0 || slash === address.length - 1) throw new Error(`"${address}" is not <stack>/<service> (stacks: ${stacks})`);
  const stackName = address.slice(0, slash);
  const service = address.slice(slash + 1);
  const stack = graph.stacks.find((s) => s.name === stackName);
  if (!stack) throw new Error(`no stack named ${stackName} (stacks: ${stacks})`);
  const containers = stack.resources.filter((r) => r.kind === 'container');
  const services = [...new Set(containers.map((c) => (c.spec as { service: string }).service))].sort();
  const mine = containers.filter((c) => (c.spec as { service: string }).service === service);
  if (mine.length === 0) throw new Error(`stack ${stackName} has no service named ${service} (services: ${services.join(', ') || 'none'})`);
  const hosts = [...new Set(mine.map((c) => c.host))];
  if (host !== undefined && !hosts.includes(host)) throw new Error(`${address} has no replica on ${host} (its hosts: ${hosts.join(', ')})`);
  return { stack, service, hosts, reach: stack.hosts.filter((h) => (host !== undefined ? h.name === host : hosts.includes(h.name))) };
}

/** The service a container of `stack` belongs to, from its labels; undefined for other containers. */
export function serviceOf(labels: Readonly<Record<string, string>> | null | undefined, stack: string): string | undefined {
  if (labels?.[LABEL.stack] !== stack) return undefined;
  try {
    const spec = JSON.parse(labels[LABEL.spec] ?? '') as { service?: unknown };
    return typeof spec.service === 'string' ? spec.service : undefined;
  } catch {
    return undefined;
  }
}

/** The containers of a service on one host (rollout copies included), oldest first. */
export function serviceContainers(containers: readonly ContainerSummary[], stack: string, service: string): ContainerSummary[] {
  return containers.filter((c) => serviceOf(c.Labels, stack) === service).sort((a, b) => a.Created - b.Created || (a.Id < b.Id ? -1 : 1));
}

/** A container's name without the engine's leading slash. */
export function containerName(summary: ContainerSummary): string {
  return (summary.Names?.[0] ?? summary.Id.slice(0, 12)).replace(/^\//, '');
}
