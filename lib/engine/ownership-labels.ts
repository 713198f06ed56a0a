import { canonicalJson } from '../graph/canonical-json';
import type { GraphResource } from '../graph/graph-document';

/**
 * Labels Hoist puts on every object it creates. They make the hosts the record of what a
 * stack owns: the next plan finds its objects by them (so removals can be planned), and an
 * object without them is never touched.
 */
export const LABEL = {
  managedBy: 'hoist.managed-by',
  stack: 'hoist.stack',
  resource: 'hoist.resource',
  specHash: 'hoist.spec-hash',
  revision: 'hoist.revision',
  /** A container's spec as Hoist created it (canonical JSON; secret fingerprints, never values). */
  spec: 'hoist.spec',
} as const;

export const MANAGED_BY = 'hoist';

/** Marks Hoist's own helper objects (history volume and its short-lived containers): part of no stack. */
export const HELPER_LABEL = 'hoist.helper';

/** The ownership labels of a resource at a revision. */
export function ownershipLabels(stack: string, resource: GraphResource, revision: number): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.stack]: stack,
    [LABEL.resource]: resource.id,
    [LABEL.specHash]: resource.hash,
    [LABEL.revision]: String(revision),
  };
  if (resource.kind === 'container') {
    // What was asked for, so reading back can tell an engine's own way of recording a value
    // (Podman listing dropped capabilities one by one, filling in an ephemeral port) from a
    // change made by hand.
    labels[LABEL.spec] = canonicalJson(resource.spec);
  }
  return labels;
}

/** Whether a label key is one of Hoist's own. */
export function isHoistLabel(key: string): boolean {
  return key.startsWith('hoist.');
}
