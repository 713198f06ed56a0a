import type { ContainerSpec, HealthCheckSpec } from '../../graph/graph-document';
import { normalizeContainer } from '../../engine/normalize-container';
import { familiarImageReference } from '../../values/image-reference';
import { IDENTIFIER_PATTERN } from '../../values/docker-name';
import type {
  ComposeFinding, ComposeHealthCheck, ComposeModel, ComposeMount, ComposeNetwork, ComposeService, ComposeVolume, ComposeWhere,
} from '../compose/compose-model';
import { unsupportedHostSettings } from './unsupported-settings';
import type { HostContainer, HostObjects } from './read-host-objects';

/** Options for {@link hostModel}. */
export interface HostModelOptions {
  /** The stack's name: a container name it prefixes loses the prefix as a service name. */
  readonly stackName: string;
  /**
   * The containers to import, by name; named ones are imported whatever their state.
   *
   * @default - every running container Hoist did not make
   */
  readonly containers?: readonly string[];
}

/** A host's objects in the shape of a normalized Compose file, and the containers left out. */
export interface HostModel {
  readonly model: ComposeModel;
  readonly skipped: readonly ComposeFinding[];
}

/** The engines' own networks: a container on one of them joins no network of the stack. */
const ENGINE_NETWORKS = new Set(['bridge', 'host', 'none', 'podman']);
const COMPOSE_LABEL = 'com.docker.compose.';

/**
 * Describes the containers Hoist did not make on a host, and the volumes and networks they
 * use, as the model `hoist import compose` maps to a program, so both imports write programs
 * alike. Each container becomes a service that adopts it (`adoptContainer`); its named
 * volumes and user-defined networks are used as they are (`existingName`), so the data stays
 * where it is. Anonymous volumes at the paths its image declares are carried over by the
 * adoption itself. Settings Hoist cannot express are findings. Pure: no I/O.
 */
export function hostModel(objects: HostObjects, options: HostModelOptions): HostModel {
  const unsupported: ComposeFinding[] = [];
  const notes: ComposeFinding[] = [];
  const skipped: ComposeFinding[] = [];
  const services: ComposeService[] = [];
  const volumes = new Map<string, ComposeVolume>();
  const networks = new Map<string, ComposeNetwork>();
  const serviceNames = new Set<string>();
  const volumeKeys = new Set<string>();
  const networkKeys = new Set<string>();
  const unique = (taken: Set<string>, wanted: string) => {
    let name = wanted;
    for (let i = 2; taken.has(name); i++) name = `${wanted}-${i}`;
    taken.add(name);
    return name;
  };

  const sorted = [...objects.containers].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  for (const container of sorted) {
    const name = nameOf(container);
    const where: ComposeWhere = { path: name, line: 0 };
    const named = options.containers?.includes(name) ?? false;
    if (options.containers && !named) continue;
    const running = container.inspect.State.Running === true;
    if (!running && !named) {
      skipped.push({ ...where, key: name, reason: `it is not running (${container.inspect.State.Status}); name it with --container to import it anyway` });
      continue;
    }
    const image = imageReference(container);
    if (!image.ok) {
      skipped.push({ ...where, key: name, reason: image.reason });
      continue;
    }
    const inspect = container.inspect as unknown as Record<string, any>;
    const attached = Object.keys(inspect.NetworkSettings?.Networks ?? {}).filter((n) => !ENGINE_NETWORKS.has(n));
    const spec = normalizeContainer(inspect, container.imageDefaults, {
      profile: objects.profile,
      loggingDriver: objects.loggingDriver,
      networkResources: new Map(attached.map((n) => [n, ''])),
      volumeResources: new Map(),
    });
    const labels = container.inspect.Config.Labels ?? {};
    const composeService = labels[`${COMPOSE_LABEL}service`];
    const service = unique(serviceNames, serviceNameOf(composeService ?? name, options.stackName));
    const owner = { kind: 'service' as const, name: service };
    const finding = (key: string, reason: string) => ({ path: `${name}.${key}`, line: 0, key, reason, owner });

    for (const { key, reason } of unsupportedHostSettings(container.inspect)) unsupported.push(finding(key, reason));
    if (image.note) notes.push(finding('Config.Image', image.note));
    if (container.referenceImageId !== null && container.referenceImageId !== container.inspect.Image && image.note === undefined) {
      notes.push(finding('Config.Image', `${image.written} now names other image content than this container runs (${container.inspect.Image.replace(/^sha256:/, '').slice(0, 12)}); the new container runs what it names now`));
    }

    const mounts: ComposeMount[] = [];
    for (const mount of spec.mounts) {
      const at = { path: `${name}.Mounts[${mount.target}]`, line: 0 };
      if (mount.type === 'volume') {
        let volume = [...volumes.values()].find((v) => v.engineName === mount.source);
        if (!volume) {
          const summary = objects.volumes.find((v) => v.Name === mount.source);
          const key = unique(volumeKeys, volumeKeyOf(mount.source, summary?.Labels?.[`${COMPOSE_LABEL}volume`]));
          volume = {
            name: key, where: at, external: false, engineName: mount.source, adopt: true,
            ...(summary?.Driver && summary.Driver !== 'local' ? { driver: summary.Driver } : {}),
            driverOptions: { ...(summary?.Options ?? {}) },
          };
          volumes.set(key, volume);
          if (/^[0-9a-f]{64}$/.test(mount.source)) notes.push({ ...at, key: volume.name, reason: `an anonymous volume of ${name}; the program names it by its id`, owner: { kind: 'volume', name: volume.name } });
        }
        mounts.push({ where: at, type: 'volume', volume: volume.name, target: mount.target, readOnly: mount.readOnly });
      } else if (mount.type === 'bind') {
        mounts.push({ where: at, type: 'bind', source: mount.source, written: mount.source, target: mount.target, readOnly: mount.readOnly });
      } else {
        mounts.push({ where: at, type: 'tmpfs', target: mount.target, ...(mount.sizeBytes !== null ? { size: sizeText(mount.sizeBytes) } : {}) });
      }
    }

    const attachments = spec.networks.map((attachment) => {
      let network = [...networks.values()].find((n) => n.engineName === attachment.name);
      if (!network) {
        const summary = objects.networks.find((n) => n.Name === attachment.name);
        const key = unique(networkKeys, networkKeyOf(attachment.name, summary?.Labels?.[`${COMPOSE_LABEL}network`]));
        network = {
          name: key, where: { path: `${name}.NetworkSettings.Networks.${attachment.name}`, line: 0 }, external: false, engineName: attachment.name, adopt: true,
          ...(summary?.Driver && summary.Driver !== 'bridge' ? { driver: summary.Driver } : {}),
          internal: summary?.Internal === true,
        };
        networks.set(key, network);
      }
      // Other containers reached this one by its name; the new container keeps answering to it.
      const aliases = [...new Set([...attachment.aliases.filter((a) => a !== service && a !== composeService), ...(name !== service ? [name] : [])])]
        .filter((a) => IDENTIFIER_PATTERN.test(a));
      return { where: network.where, network: network.name, aliases };
    });

    const userLabels = Object.entries(spec.labels).filter(([key]) => !key.startsWith(COMPOSE_LABEL) && !key.startsWith('io.podman.'));
    if (userLabels.length < Object.keys(spec.labels).length) notes.push(finding('Config.Labels', 'the labels Compose or Podman set themselves are left out'));
    const environment = Object.fromEntries(Object.entries(spec.env).filter(([key]) => !objects.profile.injectedEnv.includes(key)));

    services.push({
      name: service,
      where,
      profiles: [],
      image: { where, reference: image.reference },
      ...(spec.command ? { command: spec.command } : {}),
      ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
      environment,
      environmentWhere: Object.fromEntries(Object.keys(environment).map((k) => [k, { path: `${name}.Config.Env.${k}`, line: 0 }])),
      ports: spec.ports.map((p) => ({
        where: { path: `${name}.HostConfig.PortBindings`, line: 0 },
        container: p.containerPort,
        ...(p.hostPort !== null ? { host: p.hostPort } : {}),
        protocol: p.protocol,
        ...(p.hostIp && p.hostIp !== '0.0.0.0' ? { hostIp: p.hostIp } : {}),
      })),
      mounts,
      networks: attachments,
      ownNetworkMode: false,
      secrets: [],
      ...(spec.healthcheck ? { healthcheck: healthCheckOf(spec.healthcheck, where) } : {}),
      dependsOn: [],
      // No restart policy is the stack's default, as for Compose files.
      ...(spec.restart.policy !== 'no' ? { restart: { where, policy: spec.restart.policy, ...(spec.restart.maxRetries > 0 ? { maxRetries: spec.restart.maxRetries } : {}) } } : {}),
      resources: resourcesOf(spec),
      update: {},
      ...(spec.user !== null ? { user: { where, value: spec.user } } : {}),
      ...(spec.workingDir !== null ? { workingDir: spec.workingDir } : {}),
      ...(spec.readOnlyRootFilesystem ? { readOnly: true } : {}),
      capAdd: spec.capAdd.map((value) => ({ where, value })),
      capDrop: spec.capDrop.map((value) => ({ where, value })),
      ...(spec.noNewPrivileges ? { noNewPrivileges: true } : {}),
      ...(spec.logging ? { logging: { where, driver: spec.logging.driver, options: spec.logging.options } } : {}),
      labels: userLabels.map(([key, value]) => ({ where, key, value })),
      ...(spec.stopTimeoutSeconds !== 10 ? { stopGracePeriod: `${spec.stopTimeoutSeconds}s` } : {}),
      adopts: name,
    });
  }
  return {
    model: { services, volumes: [...volumes.values()], networks: [...networks.values()], secrets: [], unsupported, notes },
    skipped,
  };
}

function nameOf(container: HostContainer): string {
  return container.inspect.Name.replace(/^\//, '');
}

/** A service name from a container's: without the stack's prefix, which Hoist adds back. */
function serviceNameOf(name: string, stackName: string): string {
  for (const separator of ['-', '_']) {
    const prefix = `${stackName}${separator}`;
    if (name.startsWith(prefix) && name.length > prefix.length) return name.slice(prefix.length);
  }
  return name;
}

function volumeKeyOf(engineName: string, composeKey: string | undefined): string {
  if (composeKey && IDENTIFIER_PATTERN.test(composeKey)) return composeKey;
  return /^[0-9a-f]{64}$/.test(engineName) ? `volume-${engineName.slice(0, 12)}` : engineName;
}

function networkKeyOf(engineName: string, composeKey: string | undefined): string {
  return composeKey && IDENTIFIER_PATTERN.test(composeKey) && composeKey !== 'default' ? composeKey : engineName;
}

type ImageChoice = { ok: true; reference: string; written: string; note?: string } | { ok: false; reason: string };

/** The reference the new container runs: the one the container was started with, or a tag of its image when it was started by id. */
function imageReference(container: HostContainer): ImageChoice {
  const written = String(container.inspect.Config.Image ?? '');
  const byId = /^(sha256:)?[0-9a-f]{12,64}$/.test(written);
  if (!byId && written !== '') return { ok: true, reference: familiarImageReference(written), written };
  const tag = container.imageTags[0];
  if (tag === undefined) return { ok: false, reason: `it runs an image by id (${written.replace(/^sha256:/, '').slice(0, 12)}) that has no tag; tag the image and import again` };
  return { ok: true, reference: familiarImageReference(tag), written, note: `started from image id ${written.replace(/^sha256:/, '').slice(0, 12)}; the program names it by its tag ${tag}` };
}

function healthCheckOf(check: HealthCheckSpec, where: ComposeWhere): ComposeHealthCheck {
  const [kind, ...rest] = check.test;
  const test: ComposeHealthCheck['test'] = kind === 'NONE' ? { kind: 'none' } : kind === 'CMD-SHELL' ? { kind: 'shell', script: rest.join(' ') } : { kind: 'command', argv: rest };
  return {
    where, test,
    ...(check.intervalMs > 0 ? { interval: durationText(check.intervalMs) } : {}),
    ...(check.timeoutMs > 0 ? { timeout: durationText(check.timeoutMs) } : {}),
    ...(check.retries > 0 ? { retries: check.retries } : {}),
    ...(check.startPeriodMs > 0 ? { startPeriod: durationText(check.startPeriodMs) } : {}),
  };
}

function resourcesOf(spec: ContainerSpec): ComposeService['resources'] {
  const r = spec.resources;
  return {
    ...(r.nanoCpus !== null ? { cpus: r.nanoCpus / 1e9 } : {}),
    ...(r.memoryBytes !== null ? { memory: sizeText(r.memoryBytes) } : {}),
    ...(r.memoryReservationBytes !== null ? { memoryReservation: sizeText(r.memoryReservationBytes) } : {}),
    ...(r.pidsLimit !== null ? { pids: r.pidsLimit } : {}),
  };
}

/** Bytes as the shortest exact size Docker's units write: `512m`, `1g`, `1536k`, `1000b`. */
export function sizeText(bytes: number): string {
  for (const [unit, factor] of [['g', 1024 ** 3], ['m', 1024 ** 2], ['k', 1024]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}b`;
}

/** Milliseconds as a Go duration: `30s`, `1m30s`, `250ms`. */
export function durationText(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  const seconds = ms / 1000;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}
