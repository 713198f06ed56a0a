import type { EngineProfile } from '../drivers/engine-profile';
import type { ContainerSpec, HealthCheckSpec, MountSpec, PortSpec, RestartPolicyName } from '../graph/graph-document';
import { normalizeCapability } from '../values/capabilities';
import { effectiveCapabilities, FIELD_EQUIVALENCE, same } from './engine-equivalence';
import { isHoistLabel, LABEL } from './ownership-labels';
import { isSecretVolumeName, secretDirectories } from './secret-files';
import { compareStrings as cmp } from '../values/compare-strings';
import { parseSize } from '../values/size';

/** What an image gives a container by default; the fields a spec leaves null fall back to these. */
export interface ImageDefaults {
  readonly entrypoint: string[] | null;
  readonly command: string[] | null;
  readonly env: Record<string, string>;
  readonly user: string | null;
  readonly workingDir: string | null;
  readonly healthcheck: HealthCheckSpec | null;
  readonly labels: Record<string, string>;
  readonly volumes: string[];
}

/** What normalizing needs to know about the engine. */
export interface NormalizeContext {
  /** How the engine records what it is asked. */
  readonly profile: EngineProfile;
  /** The engine's default log driver (a container with it and no options reads back as null). */
  readonly loggingDriver: string;
  /** Network name -> resource key (from the networks' ownership labels). */
  readonly networkResources: ReadonlyMap<string, string>;
  /** Volume name -> resource key. */
  readonly volumeResources: ReadonlyMap<string, string>;
}

const ENGINE_STOP_TIMEOUT = 10;
/** Fields no engine records: they come from the spec Hoist recorded at creation. */
const UNOBSERVABLE: (keyof ContainerSpec)[] = ['service', 'slot', 'secrets'];

/** An image's defaults from its inspect data. */
export function imageDefaultsFrom(image: Record<string, any>): ImageDefaults {
  const config = image.Config ?? image.ContainerConfig ?? {};
  return {
    entrypoint: nonEmpty(config.Entrypoint),
    command: nonEmpty(config.Cmd),
    env: envMap(config.Env),
    user: config.User || null,
    workingDir: config.WorkingDir || null,
    healthcheck: healthcheckFrom(config.Healthcheck),
    labels: { ...(config.Labels ?? {}) },
    volumes: Object.keys(config.Volumes ?? {}),
  };
}

/**
 * Turns a container's inspect data into the graph's ContainerSpec shape, so the planner
 * compares like with like. Two steps: what the engine reports is put into the graph's form
 * (image defaults read back as null, units and order as in the graph, Hoist's labels
 * removed); then each field that means the same as what Hoist recorded at creation
 * (`hoist.spec`) is reported as recorded, and every other field as the engine has it. So an
 * untouched container reads back exactly as its spec ("apply, then plan" shows nothing),
 * and a change made by hand shows up in the field it touched.
 */
export function normalizeContainer(inspect: Record<string, any>, image: ImageDefaults, context: NormalizeContext): ContainerSpec {
  const recorded = recordedSpec(inspect.Config?.Labels?.[LABEL.spec]);
  const derived = deriveContainerSpec(inspect, image, context, recorded);
  return recorded ? reconcile(derived, recorded, context.profile) : derived;
}

function recordedSpec(label: string | undefined): ContainerSpec | undefined {
  if (!label) return undefined;
  try {
    return JSON.parse(label) as ContainerSpec;
  } catch {
    return undefined;
  }
}

function reconcile(derived: ContainerSpec, recorded: ContainerSpec, profile: EngineProfile): ContainerSpec {
  const result: Record<string, unknown> = { ...derived };
  const context = { profile, spec: recorded };
  for (const key of Object.keys(recorded) as (keyof ContainerSpec)[]) {
    if (key === 'capAdd' || key === 'capDrop') continue;
    const equivalent = UNOBSERVABLE.includes(key) || (FIELD_EQUIVALENCE[key] ?? same)(recorded[key], derived[key], context);
    if (equivalent) result[key] = recorded[key];
  }
  if (same(effectiveCapabilities(recorded.capAdd, recorded.capDrop), effectiveCapabilities(derived.capAdd, derived.capDrop))) {
    result.capAdd = recorded.capAdd;
    result.capDrop = recorded.capDrop;
  }
  return result as unknown as ContainerSpec;
}

/** The engine's view of a container, in the graph's shape. */
function deriveContainerSpec(inspect: Record<string, any>, image: ImageDefaults, context: NormalizeContext, recorded?: ContainerSpec): ContainerSpec {
  const config = inspect.Config ?? {};
  const host = inspect.HostConfig ?? {};
  const labels: Record<string, string> = config.Labels ?? {};
  const name = String(inspect.Name ?? '').replace(/^\//, '');

  const env = envMap(config.Env);
  for (const [key, value] of Object.entries(image.env)) {
    if (env[key] === value) delete env[key];
  }
  // Secret values delivered as variables are never read back (they would end up in plans);
  // the recorded fingerprint stands for them.
  for (const secret of recorded?.secrets ?? []) if (secret.env !== null) delete env[secret.env];
  const secretVolumeTargets = new Set(recorded ? secretDirectories(recorded) : []);

  const ports: PortSpec[] = [];
  for (const [key, bindings] of Object.entries<Array<{ HostIp?: string; HostPort?: string }> | null>(host.PortBindings ?? {})) {
    const [containerPort, protocol] = key.split('/');
    for (const binding of bindings ?? []) {
      ports.push({
        hostIp: binding.HostIp || '0.0.0.0',
        hostPort: binding.HostPort && binding.HostPort !== '0' ? Number(binding.HostPort) : null,
        containerPort: Number(containerPort),
        protocol: (protocol ?? 'tcp') as PortSpec['protocol'],
      });
    }
  }
  ports.sort((a, b) => a.containerPort - b.containerPort || cmp(a.protocol, b.protocol) || cmp(a.hostIp, b.hostIp) || (a.hostPort ?? 0) - (b.hostPort ?? 0));

  const mounts: MountSpec[] = [];
  for (const m of inspect.Mounts ?? []) {
    const target = String(m.Destination ?? m.Target);
    if (m.Type === 'volume') {
      // Anonymous volumes for the image's VOLUME lines are the engine's doing, not the spec's.
      if (image.volumes.includes(target) && /^[0-9a-f]{64}$/.test(String(m.Name))) continue;
      // So are the volumes that hold the secret files (named, or anonymous before they were).
      if (secretVolumeTargets.has(target) && isSecretVolumeName(String(m.Name))) continue;
      const source = String(m.Name);
      mounts.push({ type: 'volume', source, volume: context.volumeResources.get(source) ?? '', target, readOnly: m.RW === false });
    } else if (m.Type === 'bind') {
      mounts.push({ type: 'bind', source: String(m.Source), target, readOnly: m.RW === false });
    }
  }
  for (const [target, options] of Object.entries<string>(host.Tmpfs ?? {})) {
    // Hoist writes bytes; `docker run --tmpfs /tmp:size=64m` leaves a unit.
    const size = /(?:^|,)size=([^,]+)/.exec(options ?? '');
    const parsed = size ? parseSize(size[1]) : undefined;
    mounts.push({ type: 'tmpfs', target, sizeBytes: parsed?.ok ? parsed.bytes : null });
  }
  mounts.sort((a, b) => cmp(a.target, b.target));

  const shortId = String(inspect.Id ?? '').slice(0, 12);
  const networks = Object.entries<{ Aliases?: string[] | null }>(inspect.NetworkSettings?.Networks ?? {})
    .filter(([network]) => context.networkResources.has(network))
    .map(([network, endpoint]) => ({
      name: network,
      resource: context.networkResources.get(network)!,
      // The engines add the container's short id (and Podman its name) as aliases themselves.
      aliases: [...new Set((endpoint.Aliases ?? []).filter((a) => a !== shortId && a !== name && !String(inspect.Id).startsWith(a)))].sort(cmp),
    }))
    .sort((a, b) => cmp(a.name, b.name));

  const restartName = String(host.RestartPolicy?.Name || 'no') as RestartPolicyName;
  const logType = host.LogConfig?.Type as string | undefined;
  const logOptions: Record<string, string> = host.LogConfig?.Config ?? {};
  const logging = !logType || (logType === context.loggingDriver && Object.keys(logOptions).length === 0) ? null : { driver: logType, options: { ...logOptions } };

  const userLabels: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    if (isHoistLabel(key) || image.labels[key] === value) continue;
    userLabels[key] = value;
  }

  const healthcheck = healthcheckFrom(config.Healthcheck);
  const entrypoint = nonEmpty(config.Entrypoint);
  const command = nonEmpty(config.Cmd);
  return {
    name,
    service: '',
    slot: 0,
    image: { resource: '', reference: String(config.Image ?? '') },
    entrypoint: sameList(entrypoint, image.entrypoint) ? null : entrypoint,
    command: sameList(command, image.command) ? null : command,
    env,
    secrets: [],
    ports,
    mounts,
    networks,
    resources: {
      nanoCpus: positive(host.NanoCpus),
      memoryBytes: positive(host.Memory),
      memoryReservationBytes: positive(host.MemoryReservation),
      pidsLimit: positive(host.PidsLimit),
    },
    healthcheck: sameHealthcheck(healthcheck, image.healthcheck) ? null : healthcheck,
    restart: { policy: restartName === ('' as RestartPolicyName) ? 'no' : restartName, maxRetries: Number(host.RestartPolicy?.MaximumRetryCount ?? 0) },
    user: !config.User || config.User === image.user ? null : String(config.User),
    workingDir: !config.WorkingDir || config.WorkingDir === image.workingDir || (config.WorkingDir === '/' && image.workingDir === null) ? null : String(config.WorkingDir),
    readOnlyRootFilesystem: host.ReadonlyRootfs === true,
    capAdd: capabilities(host.CapAdd),
    capDrop: capabilities(host.CapDrop),
    noNewPrivileges: (host.SecurityOpt ?? []).some((o: string) => /^no-new-privileges(?:[:=]true)?$/.test(o)),
    logging,
    stopTimeoutSeconds: typeof config.StopTimeout === 'number' ? config.StopTimeout : ENGINE_STOP_TIMEOUT,
    labels: userLabels,
  };
}

function envMap(list: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of Array.isArray(list) ? (list as string[]) : []) {
    const i = entry.indexOf('=');
    if (i > 0) env[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return env;
}

function healthcheckFrom(raw: any): HealthCheckSpec | null {
  if (!raw || !Array.isArray(raw.Test) || raw.Test.length === 0) return null;
  const ms = (ns: unknown) => Math.round(Number(ns ?? 0) / 1e6);
  return { test: raw.Test, intervalMs: ms(raw.Interval), timeoutMs: ms(raw.Timeout), retries: Number(raw.Retries ?? 0), startPeriodMs: ms(raw.StartPeriod) };
}

function sameHealthcheck(a: HealthCheckSpec | null, b: HealthCheckSpec | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function nonEmpty(list: unknown): string[] | null {
  return Array.isArray(list) && list.length > 0 ? (list as string[]) : null;
}

function sameList(a: string[] | null, b: string[] | null): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function positive(value: unknown): number | null {
  const n = Number(value ?? 0);
  return n > 0 ? n : null;
}

function capabilities(list: unknown): string[] {
  return [...new Set((Array.isArray(list) ? (list as string[]) : []).map(normalizeCapability))].sort(cmp);
}
