import type { GraphDocument } from '../graph/graph-document';
import { RESOURCE_KINDS, type ResourceKind } from '../graph/resource-kind';

/**
 * What a program run by `hoist synth` tells the CLI, through the file named by
 * HOIST_REPORT_FILE: the graph's summary, or every problem. A file, not stdout, so the
 * user's own console output never corrupts it.
 */
export type SynthReport =
  | { readonly ok: true; readonly graphFile: string | null; readonly summary: StackSummary[] }
  | { readonly ok: false; readonly problems: string[] };

export interface StackSummary {
  readonly name: string;
  readonly hosts: string[];
  readonly counts: Record<ResourceKind, number>;
}

export const REPORT_FILE_ENV = 'HOIST_REPORT_FILE';
export const SYNTH_MODE_ENV = 'HOIST_SYNTH_MODE';

export function summarize(graph: GraphDocument): StackSummary[] {
  return graph.stacks.map((stack) => {
    const counts = Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, 0])) as Record<ResourceKind, number>;
    for (const resource of stack.resources) counts[resource.kind]++;
    return { name: stack.name, hosts: stack.hosts.map((h) => h.name), counts };
  });
}
