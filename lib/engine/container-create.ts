import type { ContainerSpec } from '../graph/graph-document';
import type { EngineProfile } from '../drivers/engine-profile';
import { secretDirectories, type SecretVolume, secretVolumeMounts } from './secret-files';

/** The Engine API body of POST /containers/create, and the networks to connect after it. */
export interface CreateContainerRequest {
  readonly name: string;
  readonly body: Record<string, unknown>;
  /** Engine API < 1.44 attaches one network at create; the others are connected next. */
  readonly connectAfter: { readonly network: string; readonly aliases: string[] }[];
}

/** A volume a replacement takes over from the container it replaces, at the same path. */
export interface CarriedVolume {
  /** The volume's name on the host (an anonymous volume's is 64 hex digits). */
  readonly volume: string;
  readonly target: string;
}

/** What a create request needs besides the spec: extra volumes, and the engine it goes to. */
export interface CreateExtras {
  /** One per directory of file secrets (secret-files.ts); required when the spec has file secrets. */
  readonly secret?: readonly SecretVolume[];
  /** The anonymous volumes of the container this one replaces, for the paths its image declares. */
  readonly carried?: readonly CarriedVolume[];
  /** The profile of the engine that will create it, for the one place the request differs (how a health test is sent). @default sent as asked */
  readonly profile?: Pick<EngineProfile, 'healthTest'>;
}

/**
 * Builds the create request for a container spec: plain data, no I/O, compared exactly in
 * tests. Fields the spec leaves null are left out, so the image's and engine's defaults apply
 * (and read back as null). `secretEnv` holds the values of secrets delivered as environment
 * variables (variable -> value); file secrets get their volumes here and their files later
 * (secret-files.ts).
 */
export function buildCreateContainerRequest(spec: ContainerSpec, labels: Record<string, string>, secretEnv: ReadonlyMap<string, string> = new Map(), extras: CreateExtras = {}): CreateContainerRequest {
  const [first, ...rest] = spec.networks;
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of spec.ports) {
    const key = `${port.containerPort}/${port.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: port.hostIp, HostPort: port.hostPort === null ? '' : String(port.hostPort) });
  }
  const tmpfs: Record<string, string> = {};
  const mounts: Record<string, unknown>[] = [];
  for (const mount of spec.mounts) {
    if (mount.type === 'tmpfs') {
      tmpfs[mount.target] = mount.sizeBytes === null ? '' : `size=${mount.sizeBytes}`;
    } else {
      mounts.push({ Type: mount.type, Source: mount.source, Target: mount.target, ReadOnly: mount.readOnly });
    }
  }
  const directories = secretDirectories(spec);
  const secretVolumes = extras.secret ?? [];
  if (directories.join('\n') !== secretVolumes.map((v) => v.directory).join('\n')) {
    throw new Error(`the secret volumes of ${spec.name} (${secretVolumes.map((v) => v.directory).join(', ') || 'none'}) do not match its secret directories (${directories.join(', ')}) (a bug in Hoist)`);
  }
  mounts.push(...secretVolumeMounts(secretVolumes));
  for (const carried of extras.carried ?? []) mounts.push({ Type: 'volume', Source: carried.volume, Target: carried.target, ReadOnly: false });
  const env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
  for (const secret of spec.secrets) {
    if (secret.env === null) continue;
    const value = secretEnv.get(secret.env);
    if (value === undefined) throw new Error(`the value for ${secret.env} (${secret.resource}) was not read before apply (a bug in Hoist)`);
    env.push(`${secret.env}=${value}`);
  }
  const body: Record<string, unknown> = {
    Image: spec.image.reference,
    Labels: { ...spec.labels, ...labels },
    Env: env,
    ExposedPorts: exposed,
    StopTimeout: spec.stopTimeoutSeconds,
    HostConfig: {
      PortBindings: bindings,
      Mounts: mounts,
      Tmpfs: tmpfs,
      NanoCpus: spec.resources.nanoCpus ?? 0,
      Memory: spec.resources.memoryBytes ?? 0,
      MemoryReservation: spec.resources.memoryReservationBytes ?? 0,
      PidsLimit: spec.resources.pidsLimit ?? 0,
      RestartPolicy: { Name: spec.restart.policy, MaximumRetryCount: spec.restart.maxRetries },
      ReadonlyRootfs: spec.readOnlyRootFilesystem,
      CapAdd: spec.capAdd,
      CapDrop: spec.capDrop,
      SecurityOpt: spec.noNewPrivileges ? ['no-new-privileges'] : [],
      ...(spec.logging ? { LogConfig: { Type: spec.logging.driver, Config: spec.logging.options } } : {}),
      ...(first ? { NetworkMode: first.name } : {}),
    },
    ...(first ? { NetworkingConfig: { EndpointsConfig: { [first.name]: { Aliases: first.aliases } } } } : {}),
  };
  if (spec.entrypoint !== null) body.Entrypoint = spec.entrypoint;
  if (spec.command !== null) body.Cmd = spec.command;
  if (spec.user !== null) body.User = spec.user;
  if (spec.workingDir !== null) body.WorkingDir = spec.workingDir;
  if (spec.healthcheck !== null) {
    body.Healthcheck = {
      Test: extras.profile ? extras.profile.healthTest(spec.healthcheck.test) : spec.healthcheck.test,
      Interval: spec.healthcheck.intervalMs * 1e6,
      Timeout: spec.healthcheck.timeoutMs * 1e6,
      Retries: spec.healthcheck.retries,
      StartPeriod: spec.healthcheck.startPeriodMs * 1e6,
    };
  }
  return { name: spec.name, body, connectAfter: rest.map((n) => ({ network: n.name, aliases: n.aliases })) };
}
