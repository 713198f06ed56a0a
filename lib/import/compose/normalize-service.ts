import { definedOnly } from '../../values/defined-only';
import { parseDuration } from '../../values/duration';
import { NOT_A_COMPOSE_KEY, UNSUPPORTED_SERVICE_KEYS } from './compose-keys';
import type { ComposeService } from './compose-model';
import type { ComposeReader, FindingOwner } from './compose-reader';
import { asBoolean, asEntries, asInteger, asStringList, asText, isRecord } from './compose-values';
import { normalizeBuild } from './normalize-build';
import { normalizeDeploy } from './normalize-deploy';
import { normalizeEnvironment } from './normalize-environment';
import { normalizeHealthCheck } from './normalize-health-check';
import { normalizeMounts, normalizeTmpfs } from './normalize-mounts';
import { normalizePorts } from './normalize-ports';
import { normalizeDependsOn, normalizeNetworkAttachments, normalizeSecretUses } from './normalize-references';
import type { KeyPath } from './read-compose';
import { splitShellWords } from './split-shell-words';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The names a service may refer to: what the file declares. */
export interface DeclaredNames {
  readonly volumes: Set<string>;
  readonly networks: Set<string>;
  readonly secrets: Set<string>;
  readonly services: Set<string>;
}

/** The service keys read here or by the normalizers it calls; the others are reported. */
const HANDLED_SERVICE_KEYS = new Set([
  'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'volumes', 'tmpfs', 'networks', 'secrets',
  'healthcheck', 'depends_on', 'restart', 'deploy', 'scale', 'cpus', 'mem_limit', 'mem_reservation', 'pids_limit', 'user',
  'working_dir', 'read_only', 'cap_add', 'cap_drop', 'security_opt', 'logging', 'labels', 'profiles', 'stop_grace_period',
  'platform', 'pull_policy', 'network_mode',
]);

/**
 * One service: every key it has either read into the model or reported, with the file's
 * line, as not imported (see compose-keys.ts for why).
 */
export function normalizeService(r: ComposeReader, name: string, value: unknown, known: DeclaredNames): ComposeService {
  const at = ['services', name];
  const owner: FindingOwner = { kind: 'service', name };
  const service: Mutable<ComposeService> = {
    name, where: r.where(at), profiles: [], environment: {}, environmentWhere: {}, ports: [], mounts: [], ownNetworkMode: false,
    secrets: [], dependsOn: [], resources: {}, update: {}, capAdd: [], capDrop: [], labels: [],
  };
  if (!isRecord(value)) {
    r.error(at, 'expected a mapping');
    return service;
  }
  const s = value;
  const key = (k: string): KeyPath => [...at, k];
  for (const k of Object.keys(s)) {
    if (k.startsWith('x-') || HANDLED_SERVICE_KEYS.has(k)) continue;
    r.skip(key(k), UNSUPPORTED_SERVICE_KEYS[k] ?? NOT_A_COMPOSE_KEY, owner);
  }

  if (s.profiles !== undefined) service.profiles = asStringList(s.profiles) ?? [];
  if (s.image !== undefined) {
    const reference = asText(s.image);
    if (reference === undefined || reference === '') r.error(key('image'), 'expected an image reference');
    else service.image = { where: r.where(key('image')), reference };
  }
  if (s.build !== undefined) service.build = normalizeBuild(r, s.build, key('build'), owner, known.secrets);
  if (!service.image && !service.build) {
    r.error(at, `the service has neither image nor build${s.extends !== undefined ? ' (it uses extends, which the import does not follow)' : ''}`);
  }
  if (service.build && service.image) {
    r.note(key('image'), `the image is built from build; Hoist tags it hoist/<stack>/${name.toLowerCase()}:<content tag> instead of ${service.image.reference}`, owner);
  }
  if (s.platform !== undefined) {
    const platform = asText(s.platform);
    if (service.build) service.build = { ...service.build, platform: service.build.platform ?? platform };
    else r.skip(key('platform'), 'Hoist runs the registry image built for the host\'s platform', owner);
  }
  if (s.pull_policy !== undefined) {
    const policy = asText(s.pull_policy);
    const same = policy === 'missing' || policy === 'if_not_present' || (policy === 'build' && service.build !== undefined);
    if (!same) r.skip(key('pull_policy'), 'Hoist pulls an image when a host lacks it', owner);
  }

  service.command = argv(r, s.command, key('command'), owner);
  service.entrypoint = argv(r, s.entrypoint, key('entrypoint'), owner);
  normalizeEnvironment(r, s, at, service, owner);
  service.ports = normalizePorts(r, s.ports, key('ports'), owner);
  service.mounts = [...normalizeMounts(r, s.volumes, key('volumes'), owner, known.volumes), ...normalizeTmpfs(r, s.tmpfs, key('tmpfs'), owner)];
  if (s.network_mode !== undefined) {
    service.ownNetworkMode = true;
    r.skip(key('network_mode'), UNSUPPORTED_SERVICE_KEYS.network_mode, owner);
  }
  if (s.networks !== undefined) service.networks = normalizeNetworkAttachments(r, s.networks, key('networks'), owner, known.networks);
  service.secrets = normalizeSecretUses(r, s.secrets, key('secrets'), owner, known.secrets);
  if (s.healthcheck !== undefined) service.healthcheck = normalizeHealthCheck(r, s.healthcheck, key('healthcheck'), owner);
  service.dependsOn = normalizeDependsOn(r, s.depends_on, key('depends_on'), owner, known.services);
  if (s.restart !== undefined) service.restart = restart(r, s.restart, key('restart'));
  if (s.scale !== undefined) {
    const scale = asInteger(s.scale);
    if (scale === undefined || scale < 0) r.error(key('scale'), 'expected a number of containers');
    else service.replicas = scale;
  }
  const resources: Mutable<ComposeService['resources']> = {};
  if (s.cpus !== undefined) resources.cpus = r.cpus(s.cpus, key('cpus'), owner);
  if (s.mem_limit !== undefined) resources.memory = r.size(s.mem_limit, key('mem_limit'), owner);
  if (s.mem_reservation !== undefined) resources.memoryReservation = r.size(s.mem_reservation, key('mem_reservation'), owner);
  if (s.pids_limit !== undefined) resources.pids = r.pids(s.pids_limit, key('pids_limit'), owner);
  if (s.deploy !== undefined) normalizeDeploy(r, s.deploy, key('deploy'), owner, service, resources);
  service.resources = { ...definedOnly(resources), where: r.where(at) };

  if (s.user !== undefined) {
    const user = asText(s.user);
    if (user === undefined) r.error(key('user'), 'expected a user name or uid[:gid]');
    else service.user = { where: r.where(key('user')), value: user };
  }
  if (s.working_dir !== undefined) service.workingDir = asText(s.working_dir);
  if (s.read_only !== undefined) {
    service.readOnly = asBoolean(s.read_only);
    if (service.readOnly === undefined) r.error(key('read_only'), 'expected true or false');
  }
  service.capAdd = r.list(s.cap_add, key('cap_add')).map((v) => ({ where: r.where(v.at), value: v.value }));
  service.capDrop = r.list(s.cap_drop, key('cap_drop')).map((v) => ({ where: r.where(v.at), value: v.value }));
  for (const { at: oat, value: option } of r.list(s.security_opt, key('security_opt'))) {
    const match = /^no-new-privileges(?:[:=](.*))?$/.exec(option);
    if (match) {
      const on = match[1] === undefined ? true : asBoolean(match[1]);
      if (on === undefined) r.error(oat, `${JSON.stringify(option)}: expected no-new-privileges:true or :false`);
      else service.noNewPrivileges = on;
    } else {
      r.skip(oat, 'Hoist keeps the engine\'s default AppArmor, seccomp and SELinux profiles', owner);
    }
  }
  if (s.logging !== undefined) service.logging = logging(r, s.logging, key('logging'), owner);
  if (s.labels !== undefined) {
    const entries = asEntries(s.labels);
    if (entries === undefined) r.error(key('labels'), 'expected a mapping or a list of "key=value"');
    for (const entry of entries ?? []) service.labels.push({ where: r.where([...at, 'labels', entry.index]), key: entry.key, value: entry.value ?? '' });
  }
  if (s.stop_grace_period !== undefined) {
    const text = asText(s.stop_grace_period);
    if (text !== undefined && parseDuration(text).ok) service.stopGracePeriod = text;
    else r.skip(key('stop_grace_period'), `${JSON.stringify(s.stop_grace_period)} is not a duration Hoist reads (e.g. "30s", "1m30s")`, owner);
  }
  return service;
}

/** command and entrypoint: a list, or a string split as a shell would (without one). */
function argv(r: ComposeReader, value: unknown, at: KeyPath, owner: FindingOwner): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  let argv: string[] | undefined;
  if (typeof value === 'string') {
    argv = splitShellWords(value);
    if (argv === undefined) {
      r.error(at, `${JSON.stringify(value)} has an unclosed quote`);
      return undefined;
    }
  } else {
    argv = asStringList(value);
    if (argv === undefined) {
      r.error(at, 'expected a string or a list of strings');
      return undefined;
    }
  }
  if (argv.length === 0) {
    r.skip(at, 'clearing the image\'s default is not expressible: Hoist takes a non-empty argv or the image\'s', owner);
    return undefined;
  }
  return argv;
}

function restart(r: ComposeReader, value: unknown, at: KeyPath): ComposeService['restart'] {
  const text = value === false ? 'no' : asText(value);
  const match = text === undefined ? null : /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(text);
  if (!match || (match[2] !== undefined && match[1] !== 'on-failure')) {
    r.error(at, `${JSON.stringify(value)} is not a restart policy (no, always, on-failure[:N] or unless-stopped)`);
    return undefined;
  }
  return { where: r.where(at), policy: match[1] as 'no', maxRetries: match[2] === undefined ? undefined : Number(match[2]) };
}

function logging(r: ComposeReader, value: unknown, at: KeyPath, owner: FindingOwner): ComposeService['logging'] {
  if (!isRecord(value)) {
    r.error(at, 'expected a mapping');
    return undefined;
  }
  r.otherKeys(value, at, ['driver', 'options'], {}, owner);
  const driver = asText(value.driver);
  const options: Record<string, string> = {};
  for (const entry of asEntries(value.options) ?? []) if (entry.value !== undefined) options[entry.key] = entry.value;
  if (driver === undefined) {
    r.skip(at, 'options for the engine\'s default log driver: Hoist needs the driver named (driver: json-file, say)', owner);
    return undefined;
  }
  return { where: r.where(at), driver, options };
}
