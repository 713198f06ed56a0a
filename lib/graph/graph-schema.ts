import { z } from 'zod';
import { absolutePath, cidr, describe, identifier, port, singleLine, stringList, stringMap, wholeNumber } from '../schemas/common';
import { architecture, engineChoice, environmentVariableName, hostAddress, hostKeyFingerprint, sshUser } from '../schemas/host-props';
import { dockerNameProblem } from '../values/docker-name';
import { parseImageReference } from '../values/image-reference';

/**
 * The shape of a graph document (docs/graph-format.md), with the rules synth applies to what
 * it writes: engine names by Docker's rule, host names, addresses and users by the Host
 * construct's, image references by the reference grammar. Every object is loose: the format
 * says a reader ignores members it does not know within its major version (and the hashes,
 * computed over the members as read, still cover them). Hashes and the references between
 * resources are checked by graphProblems, which needs the whole document.
 */

/** `sha256:` and 64 hex digits: a spec hash, a graph hash, a build identity. */
export const sha256Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: (i) => `${describe(i.input)} is not a sha256 digest ("sha256:" and 64 hex digits)` });

/** A Docker object name (container, network, volume), checked by synth's own rule. */
export const engineName = z.string().superRefine((value, ctx) => {
  const problem = dockerNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** An image reference the engines accept; `normalized` also asks for the form synth writes (`:latest` explicit). */
export const imageReference = (options: { normalized?: boolean } = {}) => z.string().superRefine((value, ctx) => {
  const parsed = parseImageReference(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  else if (options.normalized && parsed.reference.normalized !== value) ctx.addIssue({ code: 'custom', message: `${describe(value)} is not normalized (synth writes ${JSON.stringify(parsed.reference.normalized)})` });
});

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();
const count = (what: string) => wholeNumber(what, 0);

const hostSpec = z.looseObject({
  name: identifier,
  source: z.string(),
  address: hostAddress,
  privateAddress: z.union([z.ipv4(), z.ipv6()]).optional(),
  port: nullable(port),
  user: nullable(sshUser),
  identity: z.discriminatedUnion('kind', [
    z.looseObject({ kind: z.literal('file'), path: singleLine, passphraseEnv: nullable(environmentVariableName) }),
    z.looseObject({ kind: z.literal('agent'), socketEnv: environmentVariableName }),
  ]),
  hostKey: z.looseObject({ knownHostsFile: nullable(singleLine), fingerprint: nullable(hostKeyFingerprint) }),
  engine: engineChoice,
  engineSocket: nullable(absolutePath),
  roles: z.array(identifier),
  labels: stringMap,
  arch: nullable(architecture),
  local: z.boolean(),
});

const dependency = z.looseObject({
  id: singleLine,
  condition: z.enum(['exists', 'started', 'healthy', 'completed']),
});

const secretOrigin = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('env'), variable: environmentVariableName }),
  z.looseObject({ kind: z.literal('file'), path: singleLine }),
  z.looseObject({ kind: z.literal('command'), argv: stringList.min(1, { error: 'must name a command' }) }),
]);

const secretFingerprint = z.string().regex(/^hmac-sha256:[0-9a-f]+:[0-9a-f]+$/, { error: (i) => `${describe(i.input)} is not a secret fingerprint ("hmac-sha256:<key id>:<mac>")` });

const secretReference = z.looseObject({
  secret: singleLine,
  name: singleLine,
  fingerprint: secretFingerprint,
  origin: secretOrigin,
});

const base = {
  id: singleLine,
  host: identifier,
  source: z.string(),
  hash: sha256Digest,
  dependsOn: z.array(dependency),
};

const networkResource = z.looseObject({
  ...base,
  kind: z.literal('network'),
  spec: z.looseObject({ name: engineName, driver: identifier, internal: z.boolean(), subnet: nullable(cidr), labels: stringMap }),
  policy: z.looseObject({ existing: z.boolean().optional() }).optional(),
});

const volumeResource = z.looseObject({
  ...base,
  kind: z.literal('volume'),
  spec: z.looseObject({ name: engineName, driver: identifier, options: stringMap, labels: stringMap }),
  policy: z.looseObject({ retainOnDelete: z.boolean(), existing: z.boolean().optional() }),
});

const imageResource = z.looseObject({
  ...base,
  kind: z.literal('image'),
  spec: z.discriminatedUnion('source', [
    z.looseObject({ source: z.literal('registry'), reference: imageReference({ normalized: true }) }),
    z.looseObject({
      source: z.literal('build'),
      repository: imageReference(),
      context: singleLine,
      dockerfile: nullable(singleLine),
      dockerfileInline: nullable(z.string()),
      buildArgs: stringMap,
      target: nullable(singleLine),
      platform: nullable(singleLine),
      identity: sha256Digest,
      inputs: stringMap,
    }),
  ]),
  policy: z.looseObject({
    builder: identifier,
    delivery: z.discriminatedUnion('mode', [
      z.looseObject({ mode: z.literal('direct') }),
      z.looseObject({ mode: z.literal('registry'), repository: imageReference(), username: nullable(singleLine), password: nullable(secretReference) }),
    ]),
    keepVersions: wholeNumber('a version count (1 or more)', 1),
    lint: z.record(z.string(), z.enum(['error', 'warning', 'info', 'off'])),
    buildSecrets: z.array(secretReference).optional(),
  }).optional(),
});

const secretResource = z.looseObject({
  ...base,
  kind: z.literal('secret'),
  spec: z.looseObject({ name: singleLine, fingerprint: secretFingerprint }),
  policy: z.looseObject({ origin: secretOrigin }),
});

const argvOrNull = nullable(stringList);

const containerResource = z.looseObject({
  ...base,
  kind: z.literal('container'),
  spec: z.looseObject({
    name: engineName,
    service: singleLine,
    slot: wholeNumber('a slot (1 or more)', 1),
    image: z.looseObject({ resource: singleLine, reference: imageReference() }),
    entrypoint: argvOrNull,
    command: argvOrNull,
    env: stringMap,
    secrets: z.array(z.looseObject({
      resource: singleLine,
      name: singleLine,
      fingerprint: z.string(),
      target: nullable(absolutePath),
      env: nullable(environmentVariableName),
    })),
    ports: z.array(z.looseObject({ hostIp: z.string(), hostPort: nullable(port), containerPort: port, protocol: z.enum(['tcp', 'udp']) })),
    mounts: z.array(z.discriminatedUnion('type', [
      z.looseObject({ type: z.literal('volume'), source: engineName, volume: singleLine, target: absolutePath, readOnly: z.boolean() }),
      z.looseObject({ type: z.literal('bind'), source: absolutePath, target: absolutePath, readOnly: z.boolean() }),
      z.looseObject({ type: z.literal('tmpfs'), target: absolutePath, sizeBytes: nullable(count('a size in bytes')) }),
    ])),
    networks: z.array(z.looseObject({ name: engineName, resource: singleLine, aliases: z.array(identifier) })),
    resources: z.looseObject({
      nanoCpus: nullable(count('a CPU amount in nano CPUs')),
      memoryBytes: nullable(count('a size in bytes')),
      memoryReservationBytes: nullable(count('a size in bytes')),
      pidsLimit: nullable(count('a process limit')),
    }),
    healthcheck: nullable(z.looseObject({
      test: stringList.min(1, { error: 'must not be empty' }),
      intervalMs: count('a duration in ms'),
      timeoutMs: count('a duration in ms'),
      retries: count('a retry count'),
      startPeriodMs: count('a duration in ms'),
    })),
    restart: z.looseObject({ policy: z.enum(['no', 'always', 'unless-stopped', 'on-failure']), maxRetries: count('a retry count') }),
    user: nullable(singleLine),
    workingDir: nullable(absolutePath),
    readOnlyRootFilesystem: z.boolean(),
    capAdd: stringList,
    capDrop: stringList,
    noNewPrivileges: z.boolean(),
    logging: nullable(z.looseObject({ driver: identifier, options: stringMap })),
    stopTimeoutSeconds: count('a number of seconds'),
    labels: stringMap,
  }),
  policy: z.looseObject({
    update: z.looseObject({
      order: z.enum(['start-first', 'stop-first']),
      batchSize: wholeNumber('a batch size (1 or more)', 1),
      failureAction: z.enum(['rollback', 'pause']),
      healthTimeoutMs: count('a duration in ms'),
    }),
    adopt: identifier.optional(),
    proxies: z.array(z.looseObject({ proxy: identifier, backend: identifier, server: identifier, network: identifier, port })).optional(),
  }),
});

const resource = z.discriminatedUnion('kind', [networkResource, volumeResource, imageResource, secretResource, containerResource]);

const stackGraph = z.looseObject({
  // Synth's rule for stack names; engine names start with it.
  name: identifier,
  path: z.string(),
  hosts: z.array(hostSpec),
  builders: z.array(hostSpec).optional(),
  resources: z.array(resource),
});

/** A graph document of the format version this hoist reads (the version itself is checked first, apart). */
export const graphDocumentSchema = z.looseObject({
  formatVersion: z.string(),
  stacks: z.array(stackGraph),
});
