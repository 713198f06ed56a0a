import type { GraphResource, StackGraph } from '../graph/graph-document';
import type { ObservedHostState } from '../engine/read-host-state';
import type { DraftAction, HostPlanning, ImageObservations } from '../kinds/kind-definition';
import { kindDefinition, RESOURCE_KIND_DEFINITIONS } from '../kinds/resource-kinds';
import { orderActions } from './order-actions';
import type { PlanConflict, StackPlan } from './plan-types';

export type { ImageObservations } from '../kinds/kind-definition';

export interface PlanOptions {
  /** Delete volumes that left the graph (data loss); otherwise they are kept. */
  readonly deleteVolumes: boolean;
  /** Only these resources (ids or construct-path prefixes) and what they need. */
  readonly targets?: string[];
}

/**
 * Plans one stack: desired graph + what each host runs -> actions with causes, in apply
 * order. Pure: no I/O, the same inputs always give the same plan. Objects without the
 * stack's labels are never acted on; one that holds a name the graph needs is a conflict.
 * What each kind compares and plans is its definition's (lib/kinds); this loop hands every
 * kind, in RESOURCE_KINDS order, its wanted resources on each host, then its unwanted objects.
 */
export function planStack(stack: StackGraph, observed: ReadonlyMap<string, ObservedHostState>, options: PlanOptions, images: ImageObservations = { builds: new Map(), layers: new Map() }): StackPlan {
  const drafts: DraftAction[] = [];
  const conflicts: PlanConflict[] = [];
  const kept: StackPlan['kept'] = [];
  const replaced = new Set<string>();
  const claimed = new Set<string>();

  for (const host of stack.hosts) {
    const state = observed.get(host.name);
    if (!state) throw new Error(`no observed state for host ${host.name}`);
    const wanted = stack.resources.filter((r) => r.host === host.name);
    const isForeign = (kind: string, name: string) => state.foreign.some((f) => f.kind === kind && f.name === name);
    const conflict = (kind: string, name: string, message: string) => {
      conflicts.push({ host: host.name, kind, name, message });
    };
    const planning: HostPlanning = {
      stack, host: host.name, state, deleteVolumes: options.deleteVolumes, images,
      add: (action) => { drafts.push(action); },
      conflict,
      keep: (kind, name, reason) => { kept.push({ host: host.name, kind, name, reason }); },
      isForeign,
      clash: (kind, name) => conflict(kind, name, `a ${kind} named ${name} exists on ${host.name} without this stack's labels; Hoist will not touch it: rename or remove it by hand, or rename the construct`),
      markReplaced: (id) => { replaced.add(id); },
      isReplaced: (id) => replaced.has(id),
      claimOnce: (key) => !claimed.has(key) && !!claimed.add(key),
    };
    for (const kind of RESOURCE_KIND_DEFINITIONS) kind.planWanted?.(wanted.filter((r) => r.kind === kind.kind), planning);
    const wantedIds = new Set(wanted.map((r) => r.id));
    for (const kind of RESOURCE_KIND_DEFINITIONS) kind.planUnwanted?.(wantedIds, planning);
  }

  const targeted = options.targets ? selectTargets(drafts, stack.resources, options.targets) : drafts;
  return { stack: stack.name, actions: orderActions(targeted, stack), conflicts, kept };
}

/** Keeps the actions on targeted resources and the creations they depend on. */
function selectTargets(drafts: DraftAction[], resources: GraphResource[], targets: string[]): DraftAction[] {
  // A target names a resource id, or a construct path: its resources on every host (`@`), its
  // replicas (`#`), the resources below it (`/`).
  const matches = (id: string) => {
    const path = id.slice(id.indexOf(':') + 1);
    return targets.some((t) => id === t || path.startsWith(`${t}#`) || path.startsWith(`${t}@`) || path.startsWith(`${t}/`));
  };
  const wanted = new Set(drafts.filter((d) => matches(d.resource)).map((d) => d.resource));
  for (const id of [...wanted]) {
    for (const dep of resources.find((r) => r.id === id)?.dependsOn ?? []) wanted.add(dep.id);
  }
  for (const id of [...wanted]) {
    const resource = resources.find((r) => r.id === id);
    for (const companion of resource ? kindDefinition(resource.kind).companions?.(resource) ?? [] : []) wanted.add(companion);
  }
  return drafts.filter((d) => wanted.has(d.resource));
}
