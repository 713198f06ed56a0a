import { z } from 'zod';
import { HealthCheck } from '../core/health-check';
import { Host } from '../core/host';
import { Image } from '../core/image';
import { Ingress } from '../core/ingress';
import { Mount } from '../core/mount';
import { Network } from '../core/network';
import { Secret } from '../core/secret';
import { Service } from '../core/service';
import { LINUX_CAPABILITIES, normalizeCapability } from '../values/capabilities';
import { absolutePath, describe, duration, identifier, port, singleLine, size, stringMap, wholeNumber } from '../schemas/common';
import { rejectUnknownKeys } from '../schemas/unknown-keys';

const instance = (check: (v: unknown) => boolean, what: string) =>
  z.custom((v) => check(v), { error: (i) => `expected ${what}, got ${describe(i.input)}` });

const argv = z.array(z.string({ error: (i) => `expected a string, got ${describe(i.input)}` })
  .refine((v) => !v.includes('\0'), { error: 'must not contain a NUL character' }), {
  error: (i) => `expected a list of strings (argv, no shell), got ${describe(i.input)}`,
}).min(1, { error: 'must not be empty (leave it out to use the image default)' });

const capability = z.string().refine((v) => normalizeCapability(v) === 'ALL' || LINUX_CAPABILITIES.has(normalizeCapability(v)), {
  error: (i) => `${describe(i.input)} is not a Linux capability (e.g. "NET_BIND_SERVICE", "CHOWN" or "ALL")`,
});

const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: (i) => `${describe(i.input)} is not an IP address` });

// Route values end up in the proxy's configuration: only characters that cannot end a word there.
const routeHostName = z.string().regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
  error: (i) => `${describe(i.input)} is not a host name (lower-case letters, digits, "-" and ".", e.g. "shop.example.com")`,
});
const routePath = z.string().regex(/^\/[A-Za-z0-9._~!&*+,;=:@/%-]{0,200}$/, {
  error: (i) => `${describe(i.input)} is not a URL path (starting with "/"; letters, digits and ._~!&*+,;=:@/%- only)`,
});

export const portMappingSchema = z.strictObject({
  container: port,
  host: port.optional(),
  protocol: z.enum(['tcp', 'udp'], { error: (i) => `${describe(i.input)} is not a protocol (tcp or udp)` }).optional(),
  bindAddress: ipAddress.optional(),
}, { error: rejectUnknownKeys });

export const resourceLimitsSchema = z.strictObject({
  cpus: z.number({ error: (i) => `${describe(i.input)} is not a number of CPUs` })
    .positive({ error: (i) => `${describe(i.input)} is not a number of CPUs (more than 0)` })
    .max(1024, { error: (i) => `${describe(i.input)} CPUs is more than any host has` })
    .optional(),
  memory: size.optional(),
  memoryReservation: size.optional(),
  pids: wholeNumber('a process limit (1 or more)', 1).optional(),
}, { error: rejectUnknownKeys });

export const updateStrategySchema = z.strictObject({
  order: z.enum(['start-first', 'stop-first'], { error: (i) => `${describe(i.input)} is not an update order (start-first or stop-first)` }).optional(),
  batchSize: wholeNumber('a batch size (1 or more)', 1).optional(),
  failureAction: z.enum(['rollback', 'pause'], { error: (i) => `${describe(i.input)} is not a failure action (rollback or pause)` }).optional(),
  healthTimeout: duration.optional(),
}, { error: rejectUnknownKeys });

export const loggingSchema = z.strictObject({
  driver: identifier,
  options: stringMap.optional(),
}, { error: rejectUnknownKeys });

const restart = z.enum(['no', 'always', 'unless-stopped', 'on-failure'], {
  error: (i) => `${describe(i.input)} is not a restart policy (no, always, unless-stopped or on-failure)`,
});

const envName = z.string().regex(/^[^=\0\s]+$/, { error: (i) => `${describe(i.input)} is not an environment variable name` });
const envValue = z.string({ error: (i) => `expected a string value, got ${describe(i.input)}` })
  .refine((v) => !v.includes('\0'), { error: 'must not contain a NUL character' });

export const serviceDefaultsFields = {
  resources: resourceLimitsSchema.optional(),
  restart: restart.optional(),
  logging: loggingSchema.optional(),
  update: updateStrategySchema.optional(),
  noNewPrivileges: z.boolean().optional(),
  readOnlyRootFilesystem: z.boolean().optional(),
  capDrop: z.array(capability).optional(),
  stopGracePeriod: duration.optional(),
  // Checked in synth by checkLintRules (check-lint-rules.ts), the same check as an image's.
  lintRules: z.unknown().optional(),
};

export const servicePropsSchema = z.strictObject({
  ...serviceDefaultsFields,
  image: instance(Image.isImage, 'an Image (Image.fromRegistry, Image.fromDockerfile or Image.fromBuildSteps)'),
  serviceName: identifier.optional(),
  command: argv.optional(),
  entrypoint: argv.optional(),
  environment: z.record(envName, envValue, { error: (i) => `expected an object of strings, got ${describe(i.input)}` }).optional(),
  secrets: z.array(instance((v) => Secret.isSecret((v as { deliveredSecret?: unknown })?.deliveredSecret), 'a Secret, or secret.asFile(...) / secret.asEnv(...)')).optional(),
  ports: z.array(portMappingSchema).optional(),
  mounts: z.array(instance(Mount.isMount, 'a Mount (volume.mount(...), Mount.bind(...) or Mount.tmpfs(...))')).optional(),
  networks: z.array(instance((v) => Network.isNetwork((v as { attachedNetwork?: unknown })?.attachedNetwork), 'a Network, or network.withAliases(...)')).optional(),
  replicas: wholeNumber('a replica count (0 or more)', 0).optional(),
  routes: z.array(z.strictObject({
    ingress: instance(Ingress.isIngress, 'an Ingress'),
    port,
    protocol: z.enum(['http', 'tcp'], { error: (i) => `${describe(i.input)} is not a route protocol (RouteProtocol.HTTP or RouteProtocol.TCP)` }).optional(),
    meshPort: port.optional(),
    hostName: routeHostName.optional(),
    pathPrefix: routePath.optional(),
    healthCheckPath: routePath.optional(),
  }, { error: rejectUnknownKeys })).optional(),
  placement: z.strictObject({
    hosts: z.array(instance(Host.isHost, 'a Host')).optional(),
    roles: z.array(identifier).optional(),
    maxPerHost: wholeNumber('a per-host limit (1 or more)', 1).optional(),
  }, { error: rejectUnknownKeys }).optional(),
  healthCheck: instance(HealthCheck.isHealthCheck, 'a HealthCheck (HealthCheck.http, .tcp, .command, .shell or .none)').optional(),
  restartMaxRetries: wholeNumber('a retry count (0 or more)', 0).optional(),
  user: singleLine.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/, {
    error: (i) => `${describe(i.input)} is not a user (name or uid, optionally ":group")`,
  }).optional(),
  workingDirectory: absolutePath.optional(),
  capAdd: z.array(capability).optional(),
  adoptContainer: identifier.optional(),
  dependsOn: z.array(instance((v) => Service.isService((v as { dependencyService?: unknown })?.dependencyService), 'a Service, or service.whenHealthy() / .whenCompleted()')).optional(),
  labels: z.record(z.string(), envValue).superRefine((labels, ctx) => {
    for (const key of Object.keys(labels)) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${describe(key)} is not a label key (letters, digits, ".", "_", "/" or "-")` });
      } else if (key.startsWith('hoist.')) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'label keys starting with "hoist." are reserved for ownership labels' });
      }
    }
  }).optional(),
}, { error: rejectUnknownKeys });

export const serviceDefaultsSchema = z.strictObject(serviceDefaultsFields, { error: rejectUnknownKeys });
