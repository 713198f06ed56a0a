import * as path from 'node:path';
import type { ComposeNetwork, ComposeSecret, ComposeVolume } from './compose-model';
import { expandHome, type ComposeReader, type FindingOwner } from './compose-reader';
import { asBoolean, asEntries, asText, isRecord } from './compose-values';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A top-level volume: driver and driver_opts; external ones and labels are reported. */
export function normalizeVolume(r: ComposeReader, name: string, value: unknown): ComposeVolume {
  const at = ['volumes', name];
  const owner: FindingOwner = { kind: 'volume', name };
  const volume: Mutable<ComposeVolume> = { name, where: r.where(at), external: false, driverOptions: {} };
  if (value === null || value === undefined) return volume;
  if (!isRecord(value)) {
    r.error(at, 'expected a mapping (or nothing)');
    return volume;
  }
  r.otherKeys(value, at, ['driver', 'driver_opts', 'external', 'name', 'labels'], {}, owner);
  if (value.external !== undefined) volume.external = asBoolean(value.external) ?? isRecord(value.external);
  if (value.name !== undefined) volume.engineName = asText(value.name);
  if (value.driver !== undefined) volume.driver = asText(value.driver);
  if (value.driver_opts !== undefined) {
    for (const entry of asEntries(value.driver_opts) ?? []) if (entry.value !== undefined) volume.driverOptions[entry.key] = entry.value;
  }
  if (value.labels !== undefined) r.skip([...at, 'labels'], 'Hoist labels the volumes it creates itself', owner);
  return volume;
}

/** A top-level network: driver, internal and one subnet; external ones, IPAM details, IPv6 and labels are reported. */
export function normalizeNetwork(r: ComposeReader, name: string, value: unknown): ComposeNetwork {
  const at = ['networks', name];
  const owner: FindingOwner = { kind: 'network', name };
  const network: Mutable<ComposeNetwork> = { name, where: r.where(at), external: false, internal: false };
  if (value === null || value === undefined) return network;
  if (!isRecord(value)) {
    r.error(at, 'expected a mapping (or nothing)');
    return network;
  }
  r.otherKeys(value, at, ['driver', 'external', 'name', 'internal', 'ipam'], {
    attachable: 'it applies to Swarm overlay networks only',
    driver_opts: 'Hoist sets no network driver options',
    enable_ipv4: 'Hoist keeps the engine\'s IPv4 setting',
    enable_ipv6: 'Hoist creates IPv4 networks only',
    labels: 'Hoist labels the networks it creates itself',
  }, owner);
  if (value.external !== undefined) network.external = asBoolean(value.external) ?? isRecord(value.external);
  if (value.name !== undefined) network.engineName = asText(value.name);
  if (value.driver !== undefined) network.driver = asText(value.driver);
  if (value.internal !== undefined) network.internal = asBoolean(value.internal) ?? false;
  if (value.ipam !== undefined) {
    const ipam = value.ipam;
    if (!isRecord(ipam)) {
      r.error([...at, 'ipam'], 'expected a mapping');
    } else {
      r.otherKeys(ipam, [...at, 'ipam'], ['config'], { driver: 'Hoist uses the default IPAM driver', options: 'Hoist sets no IPAM options' }, owner);
      const configs = Array.isArray(ipam.config) ? ipam.config : [];
      configs.forEach((config, i) => {
        const cat = [...at, 'ipam', 'config', i];
        if (!isRecord(config)) return r.error(cat, 'expected a mapping');
        if (i > 0) return r.skip(cat, 'Hoist gives a network one subnet', owner);
        r.otherKeys(config, cat, ['subnet'], { ip_range: 'Hoist lets the engine allocate from the whole subnet', gateway: 'Hoist lets the engine pick the gateway', aux_addresses: 'Hoist reserves no addresses' }, owner);
        network.subnet = asText(config.subnet);
      });
    }
  }
  return network;
}

/** A top-level secret from a file (resolved against the Compose file's directory) or an environment variable. */
export function normalizeSecret(r: ComposeReader, name: string, value: unknown): ComposeSecret {
  const at = ['secrets', name];
  const owner: FindingOwner = { kind: 'secret', name };
  const secret: Mutable<ComposeSecret> = { name, where: r.where(at), source: { kind: 'external' } };
  if (!isRecord(value)) {
    r.error(at, 'expected a mapping with "file" or "environment"');
    return secret;
  }
  r.otherKeys(value, at, ['file', 'environment', 'external', 'name'], {
    driver: 'Hoist reads secrets from files, the environment or commands, not from drivers',
    driver_opts: 'Hoist reads secrets from files, the environment or commands, not from drivers',
    labels: 'Hoist\'s secrets carry no labels',
    template_driver: 'Hoist delivers secret values as they are',
    content: 'Hoist secrets come from a file, an environment variable or a command, never from text in the program',
  }, owner);
  const file = asText(value.file);
  const variable = asText(value.environment);
  if (file !== undefined) {
    secret.source = { kind: 'file', path: path.resolve(r.source.directory, expandHome(file)) };
  } else if (variable !== undefined) {
    secret.source = { kind: 'env', variable };
  } else if (asBoolean(value.external) === true || isRecord(value.external)) {
    secret.source = { kind: 'external' };
    r.skip([...at, 'external'], 'Hoist reads secret values itself (from a file, the environment or a command), never from an engine\'s secret store', owner);
  } else {
    r.error(at, 'a secret needs "file" or "environment"');
  }
  if (value.name !== undefined && secret.source.kind !== 'external') r.skip([...at, 'name'], 'only Swarm uses a secret\'s name; the file in the container is named after the key', owner);
  return secret;
}
