import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerResource, GraphDocument, ImageResource } from '../graph/graph-document';
import { resourceKeyOf } from '../graph/resource-id';
import { type LintFinding, type LintSeverity, lintDockerfile } from './dockerfile-rules';

/** The lint result of one built image. */
export interface ImageLint {
  readonly stack: string;
  /** The image resource key, e.g. `image:shop/web`. */
  readonly image: string;
  /** Where its Dockerfile is (project-relative path, or "typed build steps"). */
  readonly dockerfile: string;
  readonly findings: LintFinding[];
}

/**
 * Lints every image the graph builds (each once, however many hosts it goes to), or only
 * those in `only`. A service health check counts only if every service running the image
 * has one. Severities: the run's (`severities`) over the construct's (`lintRules`) over
 * each rule's default.
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
      const text = image.spec.dockerfileInline ?? fs.readFileSync(path.resolve(projectDir, dockerfilePath!), 'utf8');
      const users = stack.resources.filter((r): r is ContainerResource => r.kind === 'container' && r.spec.image.resource === key);
      results.push({
        stack: stack.name,
        image: key,
        dockerfile: dockerfilePath ?? 'typed build steps',
        findings: lintDockerfile({ dockerfile: text, contextDir, contextName: image.spec.context, serviceHasHealthCheck: users.length > 0 && users.every((c) => c.spec.healthcheck !== null) }, { ...(image.policy?.lint ?? {}), ...severities }),
      });
    }
  }
  return results;
}
