import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildImageSpec, ContainerResource, GraphDocument, ImageResource, StackGraph } from '../graph/graph-document';
import { resourceKeyOf } from '../graph/resource-id';
import { isRootUser } from '../values/root-user';
import { dockerfileFacts } from './dockerfile-facts';
import type { LintSeverity } from '../graph/lint-rule-catalog';
import { type LintFinding, lintDockerfile } from './dockerfile-rules';
import { lintService, type ServiceImageFacts } from './service-rules';

/** The lint result of one built image. */
export interface ImageLint {
  readonly stack: string;
  /** The image resource key, e.g. `image:shop/web`. */
  readonly image: string;
  /** Where its Dockerfile is (project-relative path, or "typed build steps"). */
  readonly dockerfile: string;
  readonly findings: LintFinding[];
}

/** The lint result of one service (all its replicas: they share one spec). */
export interface ServiceLint {
  readonly stack: string;
  /** The service's construct path, e.g. `shop/web`. */
  readonly service: string;
  /** The key of the image it runs, e.g. `image:shop/web` or `image:busybox:1.36`. */
  readonly image: string;
  readonly findings: LintFinding[];
}

/**
 * Lints every image the graph builds (each once, however many hosts it goes to), or only
 * those in `only`. A service health check counts only if every service running the image
 * has one, and a service's user only if every one sets a user other than root. Severities:
 * the run's (`severities`) over the construct's (`lintRules`) over each rule's default.
 */
export function lintGraph(graph: GraphDocument, projectDir: string, severities: Readonly<Record<string, LintSeverity>> = {}, only?: ReadonlySet<string>): ImageLint[] {
  const results: ImageLint[] = [];
  for (const stack of graph.stacks) {
    const seen = new Set<string>();
    for (const resource of stack.resources) {
      if (resource.kind !== 'image') continue;
      const image = resource as ImageResource;
      const key = resourceKeyOf(image.id);
      if (image.spec.source !== 'build' || seen.has(key) || (only && !only.has(key))) continue;
      seen.add(key);
      const contextDir = path.resolve(projectDir, image.spec.context);
      const dockerfilePath = image.spec.dockerfile === null ? null : path.join(image.spec.context, image.spec.dockerfile);
      const users = containersOf(stack).filter((c) => c.spec.image.resource === key);
      results.push({
        stack: stack.name,
        image: key,
        dockerfile: dockerfilePath ?? 'typed build steps',
        findings: lintDockerfile({
          dockerfile: dockerfileText(image.spec, projectDir), contextDir, contextName: image.spec.context, target: image.spec.target,
          serviceHasHealthCheck: users.length > 0 && users.every((c) => c.spec.healthcheck !== null),
          servicesSetUser: users.length > 0 && users.every((c) => c.spec.user !== null && !isRootUser(c.spec.user)),
        }, { ...(image.policy?.lint ?? {}), ...severities }),
      });
    }
  }
  return results;
}

/**
 * Lints every service of the graph (each once, however many replicas and hosts), or only
 * those whose construct paths are in `only`. Built images' Dockerfiles are read for what
 * they declare (VOLUME); one that cannot be read is taken as unknown. Severities: the run's
 * over the service's and its stack's (`lintRules`, in the container policy) over each rule's
 * default.
 */
export function lintServices(graph: GraphDocument, projectDir: string, severities: Readonly<Record<string, LintSeverity>> = {}, only?: ReadonlySet<string>): ServiceLint[] {
  const results: ServiceLint[] = [];
  for (const stack of graph.stacks) {
    const images = new Map<string, ServiceImageFacts>();
    const factsOf = (key: string): ServiceImageFacts => {
      let facts = images.get(key);
      if (!facts) {
        const image = stack.resources.find((r): r is ImageResource => r.kind === 'image' && resourceKeyOf(r.id) === key);
        facts = !image || image.spec.source === 'registry'
          ? { source: 'registry', reference: image?.spec.source === 'registry' ? image.spec.reference : key.slice('image:'.length) }
          : { source: 'build', facts: readFacts(image.spec, projectDir) };
        images.set(key, facts);
      }
      return facts;
    };
    const byService = new Map<string, ContainerResource[]>();
    for (const container of containersOf(stack)) {
      if (only && !only.has(container.source)) continue;
      byService.set(container.source, [...(byService.get(container.source) ?? []), container]);
    }
    for (const [service, containers] of byService) {
      const first = containers[0];
      const engineSockets = [...new Set(containers.map((c) => stack.hosts.find((h) => h.name === c.host)?.engineSocket ?? null)
        .filter((s): s is string => s !== null))];
      results.push({
        stack: stack.name,
        service,
        image: first.spec.image.resource,
        findings: lintService({ path: service, spec: first.spec, image: factsOf(first.spec.image.resource), engineSockets }, { ...(first.policy.lint ?? {}), ...severities }),
      });
    }
  }
  return results;
}

function containersOf(stack: StackGraph): ContainerResource[] {
  return stack.resources.filter((r): r is ContainerResource => r.kind === 'container');
}

/** The Dockerfile a built image is built from: rendered typed steps, or the file in its context. */
function dockerfileText(spec: BuildImageSpec, projectDir: string): string {
  if (spec.dockerfileInline !== null && spec.dockerfileInline !== undefined) return spec.dockerfileInline;
  const file = path.resolve(projectDir, spec.context, spec.dockerfile!);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    // A saved graph used from another directory: say where the file was looked for.
    throw new Error(`cannot read the Dockerfile ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): build contexts are relative to the project directory; run from it, or pass -C <project dir>`);
  }
}

/** What a built image's Dockerfile declares, or null when it cannot be read (a saved plan applied elsewhere). */
function readFacts(spec: BuildImageSpec, projectDir: string) {
  try {
    return dockerfileFacts(dockerfileText(spec, projectDir), spec.target);
  } catch {
    return null;
  }
}
