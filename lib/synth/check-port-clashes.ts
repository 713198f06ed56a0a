import type { ContainerResource } from '../graph/graph-document';
import type { Problems } from './problems';

const WILDCARDS = new Set(['0.0.0.0', '::']);

/**
 * Reports two containers on one host that publish the same host port and protocol on
 * overlapping addresses (the same address, or either one on all addresses). Each clash is
 * reported once, on the container that sorts later, naming the other.
 */
export function checkPortClashes(containers: ContainerResource[], problems: Problems): void {
  const taken = new Map<string, { source: string; name: string; ip: string }[]>();
  for (const container of containers) {
    for (const port of container.spec.ports) {
      if (port.hostPort === null) continue;
      const key = `${container.host}:${port.hostPort}/${port.protocol}`;
      const holders = taken.get(key) ?? [];
      const clash = holders.find((h) => h.ip === port.hostIp || WILDCARDS.has(h.ip) || WILDCARDS.has(port.hostIp));
      if (clash) {
        const who = clash.source === container.source ? `another replica of this service (${clash.name})` : `${clash.source} (${clash.name})`;
        problems.add(container.source, `ports: host port ${port.hostPort}/${port.protocol} on host ${container.host} is also published by ${who}; use another host port, or placement to keep them apart`);
      }
      holders.push({ source: container.source, name: container.spec.name, ip: port.hostIp });
      taken.set(key, holders);
    }
  }
}
