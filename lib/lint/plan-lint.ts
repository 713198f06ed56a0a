import type { GraphDocument } from '../graph/graph-document';
import type { PlanDocument } from '../plan/plan-types';
import { type ImageLint, lintGraph } from './lint-graph';

/** Lint results for the images a plan builds (only those: an unchanged image was linted when it was built). */
export function lintPlannedBuilds(plan: PlanDocument, graph: GraphDocument, projectDir: string): ImageLint[] {
  return lintBuilds(new Set(plan.stacks.flatMap((s) => s.actions.filter((a) => a.action === 'build').map((a) => a.resource))), graph, projectDir);
}

/** Lint results for the images with these keys (`image:<stack path>/<name>`). */
export function lintBuilds(keys: ReadonlySet<string>, graph: GraphDocument, projectDir: string): ImageLint[] {
  return keys.size === 0 ? [] : lintGraph(graph, projectDir, {}, keys);
}

/** Lines for the findings that deserve attention (errors and warnings), one per finding. */
export function lintLines(results: readonly ImageLint[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    for (const f of r.findings) {
      if (f.severity === 'info') continue;
      lines.push(`lint ${f.severity}: ${r.image.slice('image:'.length)} (${r.dockerfile}${f.line === null ? '' : `:${f.line}`}) ${f.rule}: ${f.message}`);
    }
  }
  return lines;
}

/** Images with error findings: apply will not build them. */
export function lintBlockers(results: readonly ImageLint[]): string[] {
  return results.filter((r) => r.findings.some((f) => f.severity === 'error')).map((r) => {
    const rules = [...new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.rule))].join(', ');
    return `${r.image.slice('image:'.length)}: lint error(s) (${rules}); fix the Dockerfile, or lower the rule with lintRules on the image (hoist lint shows each finding)`;
  });
}
