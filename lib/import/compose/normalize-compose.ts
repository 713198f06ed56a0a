import { ComposeImportError } from './compose-import-error';
import { NOT_A_COMPOSE_KEY, UNSUPPORTED_TOP_LEVEL_KEYS } from './compose-keys';
import type { ComposeModel } from './compose-model';
import { ComposeReader } from './compose-reader';
import { asText, isRecord } from './compose-values';
import { normalizeNetwork, normalizeSecret, normalizeVolume } from './normalize-resources';
import { normalizeService } from './normalize-service';
import type { ComposeSource } from './read-compose';

/**
 * Reads the keys of a Compose file into a {@link ComposeModel}: every syntax of a key into one
 * shape, relative paths resolved against the file's directory, env_files read. What the
 * model leaves out goes to its `unsupported` list with the line and why; what Compose itself
 * would refuse (a service without image or build, an undeclared volume, a bad port) is thrown
 * as a {@link ComposeImportError} listing every such problem.
 */
export function normalizeCompose(source: ComposeSource): ComposeModel {
  const r = new ComposeReader(source);
  const root = source.data;
  if (!isRecord(root)) throw new ComposeImportError([`${source.displayFile}:1: expected a mapping with a "services" key`]);
  for (const note of source.notes) r.note(note.path, note.message, undefined);

  let name: string | undefined;
  for (const key of Object.keys(root)) {
    if (key.startsWith('x-') || ['services', 'volumes', 'networks', 'secrets'].includes(key)) continue;
    if (key === 'name') name = asText(root.name);
    else if (key === 'version') r.note([key], 'obsolete; ignored, as Compose does', undefined);
    else r.skip([key], UNSUPPORTED_TOP_LEVEL_KEYS[key] ?? NOT_A_COMPOSE_KEY, undefined);
  }
  const volumes = r.entriesOf(root.volumes, ['volumes']).map(([n, v]) => normalizeVolume(r, n, v));
  const networks = r.entriesOf(root.networks, ['networks']).map(([n, v]) => normalizeNetwork(r, n, v));
  const secrets = r.entriesOf(root.secrets, ['secrets']).map(([n, v]) => normalizeSecret(r, n, v));
  const serviceEntries = r.entriesOf(root.services, ['services']);
  if (serviceEntries.length === 0 && r.errors.length === 0) r.error(['services'], 'the file defines no services');
  const declared = {
    volumes: new Set(volumes.map((v) => v.name)),
    networks: new Set(networks.map((n) => n.name)),
    secrets: new Set(secrets.map((s) => s.name)),
    services: new Set(serviceEntries.map(([n]) => n)),
  };
  const services = serviceEntries.map(([n, v]) => normalizeService(r, n, v, declared));
  if (r.errors.length) throw new ComposeImportError(r.errors);
  return { name, services, volumes, networks, secrets, unsupported: r.unsupported, notes: r.notes };
}
