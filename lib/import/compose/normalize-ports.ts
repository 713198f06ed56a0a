import type { ComposePort } from './compose-model';
import type { ComposeReader, FindingOwner } from './compose-reader';
import { asInteger, asText, isRecord } from './compose-values';
import type { KeyPath } from './read-compose';

/**
 * A service's `ports`: the short syntax (`[HOST_IP:][HOST:]CONTAINER[/PROTOCOL]`, with port
 * ranges, one mapping per port) and the long one (`target`, `published`, `host_ip`,
 * `protocol`). `mode` is left out as `docker compose` leaves it (it matters to Swarm only).
 */
export function normalizePorts(r: ComposeReader, value: unknown, at: KeyPath, owner: FindingOwner): ComposePort[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    r.error(at, 'expected a list');
    return [];
  }
  const out: ComposePort[] = [];
  value.forEach((item, i) => {
    const pat: KeyPath = [...at, i];
    const where = r.where(pat);
    if (isRecord(item)) {
      r.otherKeys(item, pat, ['target', 'published', 'host_ip', 'protocol', 'mode'], {
        name: 'Hoist ports carry no names',
        app_protocol: 'Hoist ports carry no application protocol',
      }, owner);
      const target = asInteger(item.target);
      const protocol = asText(item.protocol) ?? 'tcp';
      const hostIp = asText(item.host_ip);
      if (target === undefined || !isPort(target)) return r.error([...pat, 'target'], 'expected a container port');
      if (protocol !== 'tcp' && protocol !== 'udp') return r.skip([...pat, 'protocol'], `Hoist publishes tcp and udp ports, not ${protocol}`, owner);
      const published = item.published === undefined || item.published === null ? undefined : asText(item.published);
      const range = published === undefined || published === '' ? undefined : portRange(published);
      if (published !== undefined && published !== '' && range === undefined) return r.error([...pat, 'published'], `${JSON.stringify(published)} is not a port or a port range`);
      if (range && range[0] !== range[1]) return r.skip(pat, 'a range of host ports for one container port lets the engine pick one; Hoist publishes fixed ports or lets the engine pick any', owner);
      out.push({ where, container: target, host: range?.[0], protocol, hostIp: hostIp || undefined });
      return;
    }
    const text = asText(item);
    if (text === undefined) return r.error(pat, 'expected a port mapping');
    const parsed = parseShortPort(text);
    if (typeof parsed === 'string') {
      if (parsed.startsWith('!')) return r.skip(pat, parsed.slice(1), owner);
      return r.error(pat, parsed);
    }
    for (const port of parsed) out.push({ where, ...port });
  });
  return out;
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** "8080" or "8080-8081" as [first, last]; undefined when it is neither. */
function portRange(text: string): [number, number] | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  return isPort(first) && isPort(last) && last >= first ? [first, last] : undefined;
}

/**
 * The short port syntax, `[[HOST_IP:]HOST:]CONTAINER[/PROTOCOL]` with port ranges; an error
 * message when it is not one, or "!"+reason when it is one Hoist cannot express.
 */
function parseShortPort(text: string): Omit<ComposePort, 'where'>[] | string {
  let rest = text.trim();
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (bracketed) {
    hostIp = bracketed[1];
    rest = bracketed[2];
  }
  const parts = rest.split(':');
  if (!bracketed && parts.length === 3) hostIp = parts.shift();
  if (parts.length > 2 || (bracketed && parts.length !== 2)) return `${JSON.stringify(text)} is not a port mapping ([HOST_IP:][HOST:]CONTAINER[/PROTOCOL])`;
  const containerRange = portRange(parts[parts.length - 1]);
  const hostText = parts.length === 2 ? parts[0] : '';
  const hostRange = hostText === '' ? undefined : portRange(hostText);
  if (!containerRange || (hostText !== '' && !hostRange)) return `${JSON.stringify(text)} is not a port mapping ([HOST_IP:][HOST:]CONTAINER[/PROTOCOL])`;
  if (protocol !== 'tcp' && protocol !== 'udp') return `!Hoist publishes tcp and udp ports, not ${protocol}`;
  const count = containerRange[1] - containerRange[0] + 1;
  if (hostRange && hostRange[1] - hostRange[0] + 1 !== count) {
    if (count === 1) return '!a range of host ports for one container port lets the engine pick one; Hoist publishes fixed ports or lets the engine pick any';
    return `${JSON.stringify(text)}: the host and container ranges differ in length`;
  }
  return Array.from({ length: count }, (_, i) => ({
    container: containerRange[0] + i,
    host: hostRange ? hostRange[0] + i : undefined,
    protocol: protocol as 'tcp' | 'udp',
    hostIp: hostIp || undefined,
  }));
}

