import { createHash } from 'node:crypto';
import { compareStrings } from './problems';

/** One replica's place: a host and its slot number on that host (1, 2, ...). */
export interface ReplicaPlacement {
  readonly host: string;
  readonly slot: number;
}

/**
 * Spreads `replicas` over `hosts` as evenly as possible. Which hosts get a replica (and which
 * get one more, when they do not divide evenly) follows rendezvous hashing of the service
 * path and host name: the result never depends on declaration order, and adding or removing
 * a host moves only the replicas that must move. Slots number a service's containers per
 * host, so a container's id and name stay put while its host keeps it.
 */
export function placeReplicas(servicePath: string, hosts: string[], replicas: number, maxPerHost: number): ReplicaPlacement[] {
  if (replicas === 0 || hosts.length === 0) {
    return [];
  }
  const ranked = [...new Set(hosts)]
    .map((host) => ({ host, score: createHash('sha256').update(`${servicePath}\0${host}`).digest('hex') }))
    .sort((a, b) => compareStrings(b.score, a.score) || compareStrings(a.host, b.host));
  const base = Math.floor(replicas / ranked.length);
  const extra = replicas % ranked.length;
  const placements: ReplicaPlacement[] = [];
  ranked.forEach(({ host }, rank) => {
    const count = Math.min(maxPerHost, base + (rank < extra ? 1 : 0));
    for (let slot = 1; slot <= count; slot++) {
      placements.push({ host, slot });
    }
  });
  return placements.sort((a, b) => compareStrings(a.host, b.host) || a.slot - b.slot);
}
