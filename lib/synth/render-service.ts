import type { Host } from '../core/host';
import type { Ingress } from '../core/ingress';
import type { Network } from '../core/network';
import type { Secret } from '../core/secret';
import type { Service, ServiceProps } from '../core/service';
import type { ServiceDefaults } from '../core/service-defaults';
import type { Volume } from '../core/volume';
import type {
  ContainerPolicy, ContainerSecret, ContainerSpec, DependencyConditionName, MountSpec, NetworkAttachmentSpec, PortSpec,
} from '../graph/graph-document';
import { resourceKey } from '../graph/resource-id';
import type { LintSeverity } from '../graph/lint-rule-catalog';
import { checkLintRules } from './check-lint-rules';
import { servicePropsSchema } from './service-props';
import { zodProblems } from '../schemas/zod-problems';
import { normalizeCapability } from '../values/capabilities';
import { definedOnly } from '../values/defined-only';
import { parseDuration } from '../values/duration';
import { parseSize } from '../values/size';
import { compareStrings } from './problems';
import { renderHealthCheck } from './render-health-check';

/** A container spec without what depends on placement (name, slot) or the image. */
export type ContainerTemplate = Omit<ContainerSpec, 'name' | 'slot' | 'image'>;

/** A service checked and normalized, ready to be placed on hosts. */
export interface RenderedService {
  readonly service: Service;
  readonly props: ServiceProps;
  readonly name: string;
  readonly template: ContainerTemplate;
  readonly policy: ContainerPolicy;
  readonly volumes: Volume[];
  readonly networks: Network[];
  /** Routes from ingresses, defaults filled in. */
  readonly routes: RenderedRoute[];
  readonly secrets: Secret[];
  readonly dependencies: { readonly service: Service; readonly condition: DependencyConditionName }[];
  readonly replicas: number;
  readonly candidateHosts?: Host[];
  readonly roles?: string[];
  readonly maxPerHost: number;
  readonly hasFixedHostPort: boolean;
}

/** Ports the proxy listens on itself (HTTP, HTTPS, runtime API, mesh listeners), which a TCP route cannot take. */
const RESERVED_PROXY_PORTS: readonly (readonly [number, number])[] = [[8080, 8080], [8443, 8443], [9999, 9999], [19000, 19999]];

/** A service's route through an ingress, defaults filled in. */
export interface RenderedRoute {
  readonly ingress: Ingress;
  readonly protocol: 'http' | 'tcp';
  readonly port: number;
  /** TCP routes: the host port the proxies reach each other on. */
  readonly meshPort: number;
  readonly hostName: string | null;
  readonly pathPrefix: string;
  readonly healthCheckPath: string | null;
}

/** Engine names the service refers to, resolved by the stack. */
export interface StackNames {
  readonly stackName: string;
  volumeName(volume: Volume): string;
  networkName(network: Network): string;
}

/**
 * Checks a service's props and normalizes them into a container template: stack defaults
 * merged in, units converted, lists in canonical order. Problems are field-relative.
 */
export function renderService(service: Service, defaults: ServiceDefaults, names: StackNames): { rendered?: RenderedService; problems: string[] } {
  const parsed = servicePropsSchema.safeParse(service._props);
  if (!parsed.success) {
    return { problems: zodProblems(parsed.error) };
  }
  const props = service._props;
  const problems: string[] = [];
  const name = props.serviceName ?? service.node.id;

  const ports: PortSpec[] = (props.ports ?? []).map((p) => ({
    hostIp: p.bindAddress ?? '0.0.0.0',
    hostPort: p.host ?? null,
    containerPort: p.container,
    protocol: (p.protocol ?? 'tcp') as PortSpec['protocol'],
  })).sort((a, b) => a.containerPort - b.containerPort || compareStrings(a.protocol, b.protocol)
    || compareStrings(a.hostIp, b.hostIp) || (a.hostPort ?? 0) - (b.hostPort ?? 0));
  const hasFixedHostPort = ports.some((p) => p.hostPort !== null);

  const volumes: Volume[] = [];
  const mountTargets = new Map<string, string>();
  const claimTarget = (target: string, field: string) => {
    const earlier = mountTargets.get(target);
    if (earlier !== undefined) {
      problems.push(`${field}: ${JSON.stringify(target)} is already mounted by ${earlier}`);
    } else {
      mountTargets.set(target, field);
    }
  };
  const mounts: MountSpec[] = [];
  (props.mounts ?? []).forEach((mount, i) => {
    const field = `mounts[${i}]`;
    const target = mount.target;
    if (typeof target !== 'string' || !target.startsWith('/') || target === '/' || /[\r\n\0]/.test(target)) {
      problems.push(`${field}.target: ${JSON.stringify(target)} is not an absolute path inside the container`);
      return;
    }
    claimTarget(target, field);
    const source = mount._source;
    if (source.type === 'volume') {
      volumes.push(source.volume);
      mounts.push({ type: 'volume', source: names.volumeName(source.volume), volume: resourceKey('volume', source.volume.node.path), target, readOnly: source.readOnly });
    } else if (source.type === 'bind') {
      if (typeof source.source !== 'string' || !source.source.startsWith('/') || /[\r\n\0]/.test(source.source)) {
        problems.push(`${field}.source: ${JSON.stringify(source.source)} is not an absolute host path`);
        return;
      }
      mounts.push({ type: 'bind', source: source.source, target, readOnly: source.readOnly });
    } else {
      let sizeBytes: number | null = null;
      if (source.size !== undefined) {
        const size = parseSize(source.size);
        if (size.ok) sizeBytes = size.bytes; else problems.push(`${field}.size: ${size.reason}`);
      }
      mounts.push({ type: 'tmpfs', target, sizeBytes });
    }
  });
  mounts.sort((a, b) => compareStrings(a.target, b.target));

  const secrets: Secret[] = [];
  const containerSecrets: ContainerSecret[] = [];
  const env: Record<string, string> = { ...(props.environment ?? {}) };
  (props.secrets ?? []).forEach((delivery, i) => {
    const field = `secrets[${i}]`;
    const secret = delivery.deliveredSecret;
    const target = delivery.deliveryPath ?? null;
    const variable = delivery.deliveryEnv ?? null;
    if (target !== null) {
      if (!target.startsWith('/') || /[\r\n\0]/.test(target) || target === '/') {
        problems.push(`${field}: ${JSON.stringify(target)} is not an absolute file path inside the container`);
        return;
      }
      // Secret files live in a volume Hoist mounts on their directory (see secret-files.ts).
      const directory = target.slice(0, target.lastIndexOf('/'));
      if (directory === '') {
        problems.push(`${field}: ${JSON.stringify(target)} is directly under /; put secret files in a directory of their own, e.g. /run/secrets/${target.slice(1)}`);
        return;
      }
      const mountedBy = mountTargets.get(directory);
      if (mountedBy !== undefined && !mountedBy.startsWith('secrets[')) {
        problems.push(`${field}: the directory ${directory} of ${JSON.stringify(target)} is also mounted by ${mountedBy}; put secret files in a directory no mount uses`);
        return;
      }
      claimTarget(target, field);
    }
    if (variable !== null) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
        problems.push(`${field}: ${JSON.stringify(variable)} is not an environment variable name`);
        return;
      }
      if (variable in env) {
        problems.push(`${field}: environment variable ${variable} is also set in environment; remove one`);
        return;
      }
    }
    secrets.push(secret);
    containerSecrets.push({ resource: resourceKey('secret', secret.node.path), name: secret.secretName, fingerprint: '', target, env: variable });
  });
  containerSecrets.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.target ?? '', b.target ?? ''));

  const networks: Network[] = [];
  const attachments: NetworkAttachmentSpec[] = [];
  (props.networks ?? []).forEach((attachment, i) => {
    const network = attachment.attachedNetwork;
    if (networks.includes(network)) {
      problems.push(`networks[${i}]: network ${network.node.path} is attached twice; list it once, with all its aliases`);
      return;
    }
    const aliases = attachment.attachmentAliases ?? [];
    const bad = aliases.find((a) => typeof a !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(a));
    if (bad !== undefined) {
      problems.push(`networks[${i}]: ${JSON.stringify(bad)} is not a valid alias`);
      return;
    }
    networks.push(network);
    attachments.push({
      name: names.networkName(network),
      resource: resourceKey('network', network.node.path),
      // The service name is always an alias, so replicas answer under one name.
      aliases: [...new Set([name, ...aliases])].sort(compareStrings),
    });
  });
  // A routed service joins each ingress's network; its replicas get their own names there
  // (render-ingress.ts), so the proxy can address each one.
  const routes: RenderedRoute[] = [];
  (props.routes ?? []).forEach((route, i) => {
    const protocol = route.protocol ?? 'http';
    if (protocol === 'tcp') {
      const httpOnly = (['hostName', 'pathPrefix', 'healthCheckPath'] as const).filter((k) => route[k] !== undefined);
      if (httpOnly.length) {
        problems.push(`routes[${i}]: ${httpOnly.join(', ')} apply to HTTP routes only; a TCP route reaches the service by its name and port`);
        return;
      }
      if (RESERVED_PROXY_PORTS.some(([from, to]) => route.port >= from && route.port <= to)) {
        problems.push(`routes[${i}].port: ${route.port} is one the proxy uses itself (8080, 8443, 9999 and 19000-19999); a TCP route's port is where the proxy listens for the service`);
        return;
      }
    } else if (route.meshPort !== undefined) {
      problems.push(`routes[${i}].meshPort: applies to TCP routes only`);
      return;
    }
    const rendered: RenderedRoute = {
      // "/api/" and "/api" are one prefix (the path /api and everything under /api/).
      ingress: route.ingress, protocol, port: route.port, meshPort: route.meshPort ?? route.port, hostName: route.hostName ?? null,
      pathPrefix: (route.pathPrefix ?? '/').replace(/\/+$/, '') || '/', healthCheckPath: route.healthCheckPath ?? null,
    };
    const same = routes.findIndex((r) => r.ingress === rendered.ingress && r.protocol === rendered.protocol && r.hostName === rendered.hostName && r.pathPrefix === rendered.pathPrefix);
    if (same >= 0) {
      problems.push(`routes[${i}]: the same host name and path prefix as routes[${same}]; list each route once`);
      return;
    }
    const other = routes.find((r) => r.ingress === rendered.ingress && r.protocol === rendered.protocol && (r.port !== rendered.port || r.healthCheckPath !== rendered.healthCheckPath));
    if (other) {
      const differ = other.port !== rendered.port ? `port ${rendered.port}, another ${other.port}` : `healthCheckPath ${JSON.stringify(rendered.healthCheckPath)}, another ${JSON.stringify(other.healthCheckPath)}`;
      problems.push(`routes[${i}]: routes of one service through one ingress must share port and healthCheckPath (one set of upstreams); this one has ${differ}`);
      return;
    }
    const network = route.ingress.network;
    if (protocol === 'tcp' && networks.includes(network)) {
      problems.push(`routes[${i}]: the service also lists ${network.node.path} in networks, so its own name would answer there beside the proxies'; leave it out of networks (the route attaches the service to it)`);
      return;
    }
    routes.push(rendered);
    if (!networks.includes(network)) {
      networks.push(network);
      attachments.push({ name: names.networkName(network), resource: resourceKey('network', network.node.path), aliases: [] });
    }
  });
  attachments.sort((a, b) => compareStrings(a.name, b.name));

  const limits = { ...(defaults.resources ?? {}), ...definedOnly(props.resources ?? {}) };
  const bytes = (value: string | undefined, field: string): number | null => {
    if (value === undefined) return null;
    const parsedSize = parseSize(value);
    if (!parsedSize.ok) {
      problems.push(`${field}: ${parsedSize.reason}`);
      return null;
    }
    return parsedSize.bytes;
  };
  const memoryBytes = bytes(limits.memory, 'resources.memory');
  const memoryReservationBytes = bytes(limits.memoryReservation, 'resources.memoryReservation');
  if (memoryBytes !== null && memoryBytes < 6 * 1024 * 1024) {
    problems.push(`resources.memory: ${limits.memory} is below the 6MiB the engines accept`);
  }
  if (memoryBytes !== null && memoryReservationBytes !== null && memoryReservationBytes > memoryBytes) {
    problems.push(`resources.memoryReservation: ${limits.memoryReservation} is more than resources.memory (${limits.memory})`);
  }

  let healthcheck = null;
  if (props.healthCheck !== undefined) {
    const rendered = renderHealthCheck(props.healthCheck);
    problems.push(...rendered.problems.map((p) => `healthCheck.${p}`));
    healthcheck = rendered.spec;
  }

  const restartPolicy = props.restart ?? defaults.restart ?? 'unless-stopped';
  if (props.restartMaxRetries !== undefined && restartPolicy !== 'on-failure') {
    problems.push(`restartMaxRetries: only applies to restart "on-failure" (restart is "${restartPolicy}")`);
  }

  const stopGrace = parseDuration(props.stopGracePeriod ?? defaults.stopGracePeriod ?? '10s');
  const stopTimeoutSeconds = stopGrace.ok ? Math.ceil(stopGrace.ms / 1000) : 10;

  const update = { ...(defaults.update ?? {}), ...definedOnly(props.update ?? {}) };
  const order = update.order ?? (hasFixedHostPort ? 'stop-first' : 'start-first');
  if (order === 'start-first' && hasFixedHostPort) {
    const fixed = ports.find((p) => p.hostPort !== null)!;
    problems.push(`update.order: start-first needs the old and new container up at once, but both would publish host port ${fixed.hostPort}/${fixed.protocol}; use UpdateOrder.STOP_FIRST or drop the fixed host port`);
  }
  const healthTimeout = parseDuration(update.healthTimeout ?? '60s');

  const lint = checkLintRules(props.lintRules, 'service');
  problems.push(...lint.problems);
  // The stack's defaults (already checked) under the service's own, rule by rule.
  const lintSettings = { ...(defaults.lintRules ?? {}), ...lint.settings } as Record<string, LintSeverity>;

  const dependencies = (props.dependsOn ?? []).map((d) => ({ service: d.dependencyService, condition: d.dependencyCondition as DependencyConditionName }));
  dependencies.forEach((d, i) => {
    if (d.service === service) problems.push(`dependsOn[${i}]: a service cannot depend on itself`);
  });

  const template: ContainerTemplate = {
    service: name,
    entrypoint: props.entrypoint ? [...props.entrypoint] : null,
    command: props.command ? [...props.command] : null,
    env,
    secrets: containerSecrets,
    ports,
    mounts,
    networks: attachments,
    resources: {
      nanoCpus: limits.cpus === undefined ? null : Math.round(limits.cpus * 1e9),
      memoryBytes,
      memoryReservationBytes,
      pidsLimit: limits.pids ?? null,
    },
    healthcheck,
    restart: { policy: restartPolicy, maxRetries: props.restartMaxRetries ?? 0 },
    user: props.user ?? null,
    workingDir: props.workingDirectory ?? null,
    readOnlyRootFilesystem: props.readOnlyRootFilesystem ?? defaults.readOnlyRootFilesystem ?? false,
    capAdd: normalizeCapabilities(props.capAdd ?? []),
    capDrop: normalizeCapabilities(props.capDrop ?? defaults.capDrop ?? []),
    noNewPrivileges: props.noNewPrivileges ?? defaults.noNewPrivileges ?? false,
    logging: (() => {
      const logging = props.logging ?? defaults.logging;
      return logging ? { driver: logging.driver, options: { ...(logging.options ?? {}) } } : null;
    })(),
    stopTimeoutSeconds,
    labels: { ...(props.labels ?? {}) },
  };

  return {
    problems,
    rendered: {
      service,
      props,
      name,
      template,
      policy: {
        update: {
          order,
          batchSize: update.batchSize ?? 1,
          failureAction: update.failureAction ?? 'rollback',
          healthTimeoutMs: healthTimeout.ok ? healthTimeout.ms : 60_000,
        },
        ...(Object.keys(lintSettings).length ? { lint: lintSettings } : {}),
        ...(props.adoptContainer !== undefined ? { adopt: props.adoptContainer } : {}),
      },
      volumes: unique(volumes),
      networks,
      routes,
      secrets: unique(secrets),
      dependencies,
      replicas: props.replicas ?? 1,
      candidateHosts: props.placement?.hosts,
      roles: props.placement?.roles,
      maxPerHost: props.placement?.maxPerHost ?? (hasFixedHostPort ? 1 : Number.MAX_SAFE_INTEGER),
      hasFixedHostPort,
    },
  };
}

function normalizeCapabilities(names: string[]): string[] {
  return [...new Set(names.map(normalizeCapability))].sort(compareStrings);
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
