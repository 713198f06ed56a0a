import type { ComposeDependency, ComposeNetworkAttachment, ComposeSecretUse } from './compose-model';
import type { ComposeReader, FindingOwner } from './compose-reader';
import { asBoolean, asText, isRecord } from './compose-values';
import type { KeyPath } from './read-compose';

/** depends_on conditions, as Hoist's dependency conditions. */
const CONDITIONS: Record<string, ComposeDependency['condition']> = {
  service_started: 'started',
  service_healthy: 'healthy',
  service_completed_successfully: 'completed',
};

/**
 * A service's depends_on, short (a list: started) or long (conditions; `required: false`
 * ignores a service the file lacks). `restart` needs nothing: Hoist always replaces a
 * service's containers when one it depends on is replaced.
 */
export function normalizeDependsOn(r: ComposeReader, value: unknown, at: KeyPath, owner: FindingOwner, services: Set<string>): ComposeDependency[] {
  if (value === undefined || value === null) return [];
  const out: ComposeDependency[] = [];
  const add = (name: string, dat: KeyPath, condition: ComposeDependency['condition'], required: boolean) => {
    if (!services.has(name)) {
      if (required) r.error(dat, `depends on ${JSON.stringify(name)}, which is not a service of the file`);
      else r.note(dat, `${name} is not a service of the file and not required; ignored, as Compose does`, owner);
      return;
    }
    out.push({ where: r.where(dat), service: name, condition });
  };
  if (Array.isArray(value)) {
    for (const item of r.list(value, at)) add(item.value, item.at, 'started', true);
    return out;
  }
  if (!isRecord(value)) {
    r.error(at, 'expected a list or a mapping of services');
    return out;
  }
  for (const [name, options] of Object.entries(value)) {
    const dat = [...at, name];
    if (!isRecord(options)) {
      r.error(dat, 'expected a mapping with condition');
      continue;
    }
    // restart: Hoist always replaces a service's containers when a dependency is replaced.
    r.otherKeys(options, dat, ['condition', 'restart', 'required'], {}, owner);
    const text = asText(options.condition) ?? 'service_started';
    const condition = CONDITIONS[text];
    if (condition === undefined) {
      r.error([...dat, 'condition'], `${JSON.stringify(text)} is not a condition (service_started, service_healthy or service_completed_successfully)`);
      continue;
    }
    add(name, dat, condition, asBoolean(options.required) ?? true);
  }
  return out;
}

/** A service's networks, as a list or a mapping with aliases; addresses and priorities are reported. */
export function normalizeNetworkAttachments(r: ComposeReader, value: unknown, at: KeyPath, owner: FindingOwner, declared: Set<string>): ComposeNetworkAttachment[] {
  const out: ComposeNetworkAttachment[] = [];
  const add = (name: string, nat: KeyPath, aliases: string[]) => {
    if (!declared.has(name) && name !== 'default') return r.error(nat, `the network ${JSON.stringify(name)} is not declared under the top-level networks`);
    out.push({ where: r.where(nat), network: name, aliases });
  };
  if (Array.isArray(value)) {
    for (const item of r.list(value, at)) add(item.value, item.at, []);
    return out;
  }
  if (!isRecord(value)) {
    r.error(at, 'expected a list or a mapping of networks');
    return out;
  }
  for (const [name, options] of Object.entries(value)) {
    const nat = [...at, name];
    if (options === null || options === undefined) {
      add(name, nat, []);
      continue;
    }
    if (!isRecord(options)) {
      r.error(nat, 'expected a mapping (or nothing)');
      continue;
    }
    r.otherKeys(options, nat, ['aliases'], {
      ipv4_address: 'Hoist lets the engine assign addresses',
      ipv6_address: 'Hoist lets the engine assign addresses',
      link_local_ips: 'Hoist lets the engine assign addresses',
      mac_address: 'Hoist lets the engine pick MAC addresses',
      priority: 'Hoist attaches networks in name order',
      gw_priority: 'Hoist keeps the engine\'s choice of default gateway',
      driver_opts: 'Hoist sets no endpoint driver options',
      interface_name: 'Hoist keeps the engine\'s interface names',
    }, owner);
    add(name, nat, options.aliases === undefined ? [] : r.list(options.aliases, [...nat, 'aliases']).map((a) => a.value));
  }
  return out;
}

/** A service's secrets: names (at /run/secrets/<name>) or { source, target }; uid, gid and mode are reported. */
export function normalizeSecretUses(r: ComposeReader, value: unknown, at: KeyPath, owner: FindingOwner, declared: Set<string>): ComposeSecretUse[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    r.error(at, 'expected a list');
    return [];
  }
  const out: ComposeSecretUse[] = [];
  value.forEach((item, i) => {
    const sat: KeyPath = [...at, i];
    let name: string | undefined;
    let target: string | undefined;
    if (isRecord(item)) {
      r.otherKeys(item, sat, ['source', 'target'], {
        uid: 'Hoist writes secret files owned by the container\'s user',
        gid: 'Hoist writes secret files owned by the container\'s user',
        mode: 'Hoist writes secret files with mode 0600',
      }, owner);
      name = asText(item.source);
      target = asText(item.target);
    } else {
      name = asText(item);
    }
    if (name === undefined) return r.error(sat, 'expected a secret name or { source, target }');
    if (!declared.has(name)) return r.error(sat, `the secret ${JSON.stringify(name)} is not declared under the top-level secrets`);
    const file = target === undefined ? `/run/secrets/${name}` : target.startsWith('/') ? target : `/run/secrets/${target}`;
    out.push({ where: r.where(sat), secret: name, target: file });
  });
  return out;
}
