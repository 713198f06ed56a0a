import { Host } from '../core/host';
import type { Image } from '../core/image';
import type { Service } from '../core/service';
import { engineProfile } from '../drivers/engines';
import type { BuildImagePolicy, HostSpec, ImageDeliverySpec, SecretReference } from '../graph/graph-document';
import { parseImageReference } from '../values/image-reference';
import { checkLintRules } from './check-lint-rules';
import type { Problems } from './problems';
import { renderHost } from './render-host';
import type { StackHosts } from './validate-props';

/**
 * The default builder: the engine of the machine running hoist, through its standard socket
 * (like `docker build` without DOCKER_HOST).
 */
export const LOCAL_BUILDER: HostSpec = {
  name: 'local', source: '(this machine)', address: 'localhost', port: null, user: null,
  identity: { kind: 'agent', socketEnv: 'SSH_AUTH_SOCK' }, hostKey: { knownHostsFile: null, fingerprint: null },
  engine: 'detect', engineSocket: null, roles: [], labels: {}, arch: null, local: true,
};

/** What deciding a build policy needs from the stack. */
export interface BuildPolicyContext {
  readonly projectDir: string;
  readonly problems: Problems;
  readonly hosts: StackHosts;
  /** Builders met so far, by name; a builder the policy names is added. */
  readonly builders: Map<string, HostSpec>;
  /** A Secret of this stack as images refer to it, or undefined for anything else. */
  secretReference(secret: unknown): SecretReference | undefined;
}

/**
 * Where and how a built image is built and delivered, and how many versions stay: undefined
 * for a registry image. Problems are reported on `user`, the first service running the image.
 */
export function buildPolicy(image: Image, user: Service, ctx: BuildPolicyContext): BuildImagePolicy | undefined {
  const { problems, hosts } = ctx;
  const source = image._source;
  if (source.kind === 'registry') return undefined;
  const options = source.options;
  const path = user.node.path;
  let builder: HostSpec | undefined;
  if (options.builder === undefined) {
    builder = LOCAL_BUILDER;
  } else if (!Host.isHost(options.builder)) {
    problems.add(path, 'image: builder must be a Host');
  } else {
    builder = hosts.specs.get(options.builder);
    if (!builder) {
      const rendered = renderHost(options.builder, ctx.projectDir);
      problems.addAll(options.builder.node.path, rendered.problems);
      builder = rendered.spec;
    }
  }
  if (builder) {
    const known = ctx.builders.get(builder.name) ?? (hosts.byName.has(builder.name) && hosts.specs.get(hosts.byName.get(builder.name)!));
    if (known && known.source !== builder.source) {
      problems.add(path, `image: builder ${builder.source} is named "${builder.name}" like ${known.source}; give it another hostName`);
    }
    ctx.builders.set(builder.name, builder);
  }
  const { settings: lint, problems: lintProblems } = checkLintRules(options.lintRules, 'image');
  for (const problem of lintProblems) problems.add(path, `image: ${problem}`);
  const keepVersions = options.keepVersions ?? 3;
  if (!Number.isInteger(keepVersions) || keepVersions < 1) problems.add(path, `image: keepVersions: expected a whole number of at least 1 (the running version counts), got ${keepVersions}`);
  let delivery: ImageDeliverySpec = { mode: 'direct' };
  const registry = options.delivery?._registry;
  if (options.delivery !== undefined && options.delivery.mode === 'registry' && registry) {
    const parsed = parseImageReference(registry.repository);
    if (!parsed.ok || parsed.reference.normalized !== `${registry.repository}:latest` || parsed.reference.domain === undefined) {
      problems.add(path, `image: delivery.repository: ${JSON.stringify(registry.repository)} is not a repository with a registry address (like "registry.example.com:5000/shop/web", without a tag)`);
    }
    let password: Extract<ImageDeliverySpec, { mode: 'registry' }>['password'] = null;
    if (registry.password !== undefined) {
      password = ctx.secretReference(registry.password) ?? null;
      if (!password) problems.add(path, 'image: delivery.password: must be a Secret defined in this stack (its value is read when pushing and pulling)');
    }
    if ((registry.username === undefined) !== (registry.password === undefined)) {
      problems.add(path, 'image: delivery: set both username and password, or neither (an open registry)');
    }
    delivery = { mode: 'registry', repository: registry.repository, username: registry.username ?? null, password };
  }
  const buildSecrets: SecretReference[] = [];
  for (const secret of options.buildSecrets ?? []) {
    const reference = ctx.secretReference(secret);
    if (reference) buildSecrets.push(reference);
    else problems.add(path, 'image: buildSecrets: each must be a Secret defined in this stack (its value is read when building)');
  }
  const builderEngine = builder && builder.engine !== 'detect' ? engineProfile(builder.engine) : undefined;
  if (builder && builderEngine && !builderEngine.buildSecrets && buildSecrets.length) {
    problems.add(path, `image: buildSecrets: the builder ${builder.name} runs ${builderEngine.displayName}, whose API cannot serve build secrets; build on a Docker Engine host`);
  }
  return { builder: builder?.name ?? 'local', delivery, keepVersions, lint, ...(buildSecrets.length ? { buildSecrets } : {}) };
}
