import type { GraphDocument } from '../graph/graph-document';
import type { PlanDocument } from '../plan/plan-types';
import { type ImageLint, lintGraph, lintServices, type ServiceLint } from './lint-graph';

/** Lint results for the images a plan builds (only those: an unchanged image was linted when it was built). */
export function lintPlannedBuilds(plan: PlanDocument, graph: GraphDocument, projectDir: string): ImageLint[] {
  return lintBuilds(new Set(plan.stacks.flatMap((s) => s.actions.filter((a) => a.action === 'build').map((a) => a.resource))), graph, projectDir);
}

/** Lint results for the images with these keys (`image:<stack path>/<name>`). */
export function lintBuilds(keys: ReadonlySet<string>, graph: GraphDocument, projectDir: string): ImageLint[] {
  return keys.size === 0 ? [] : lintGraph(graph, projectDir, {}, keys);
}

/**
 * Lint results for the services whose containers a plan creates or replaces (only those: a
 * running container left alone was linted when it was created).
 */
export function lintPlannedServices(plan: PlanDocument, graph: GraphDocument, projectDir: string): ServiceLint[] {
  const created = new Set(plan.stacks.flatMap((s) => s.actions
    .filter((a) => a.kind === 'container' && (a.action === 'create' || a.action === 'replace')).map((a) => a.resource)));
  // A container's source is its service's construct path.
  const services = new Set(graph.stacks.flatMap((s) => s.resources.filter((r) => r.kind === 'container' && created.has(r.id)).map((r) => r.source)));
  return services.size === 0 ? [] : lintServices(graph, projectDir, {}, services);
}

/** Lines for the findings that deserve attention (errors and warnings), one per finding. */
export function lintLines(results: readonly (ImageLint | ServiceLint)[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    for (const f of r.findings) {
      if (f.severity === 'info') continue;
      const where = 'dockerfile' in r
        ? `${r.image.slice('image:'.length)} (${r.dockerfile}${f.line === null ? '' : `:${f.line}`})`
        : `${r.service} (service)`;
      lines.push(`lint ${f.severity}: ${where} ${f.rule}: ${f.message}`);
    }
  }
  return lines;
}

/** Images and services with error findings: apply will not build or (re)create them. */
export function lintBlockers(results: readonly (ImageLint | ServiceLint)[]): string[] {
  return results.filter((r) => r.findings.some((f) => f.severity === 'error')).map((r) => {
    const rules = [...new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.rule))].join(', ');
    return 'dockerfile' in r
      ? `${r.image.slice('image:'.length)}: lint error(s) (${rules}); fix the Dockerfile, or lower the rule with lintRules on the image (hoist lint shows each finding)`
      : `${r.service} (service): lint error(s) (${rules}); fix the service, or lower the rule with lintRules on the service (hoist lint shows each finding)`;
  });
}

