import type { ContainerResource, StackGraph } from '../graph/graph-document';
import type { DraftAction } from '../kinds/kind-definition';
import { kindDefinition } from '../kinds/resource-kinds';
import type { PlannedAction } from '../kinds/planned-action';
import { compareStrings as cmp } from '../values/compare-strings';

/**
 * Numbers the actions in apply order: builds first; then what services need (networks,
 * volumes, images: the `infra` phase); then the services level by level of their
 * dependencies (services of one level together), each level's creations and updates in one
 * step and its replacements in batches of each service's batchSize across hosts; deletions
 * last, kind by kind in the definitions' deletion order (containers before their networks).
 */
export function orderActions(drafts: readonly DraftAction[], stack: StackGraph): PlannedAction[] {
  if (drafts.length === 0) return [];
  const byKey = (a: DraftAction, b: DraftAction) => cmp(a.host, b.host) || cmp(a.resource, b.resource);
  const result: PlannedAction[] = [];
  let step = 0;
  const buildActions = drafts.filter((d) => d.phase === 'build').sort(byKey);
  if (buildActions.length) {
    step++;
    for (const { phase: _phase, ...a } of buildActions) result.push({ ...a, step });
  }
  const infraActions = drafts.filter((d) => d.phase === 'infra').sort(byKey);
  if (infraActions.length) {
    step++;
    for (const { phase: _phase, ...a } of infraActions) result.push({ ...a, step });
  }
  const containers = drafts.filter((d) => d.phase === 'service');
  const policies = new Map<string, ContainerResource['policy']['update']>();
  for (const r of stack.resources) if (r.kind === 'container' && !policies.has(r.source)) policies.set(r.source, r.policy.update);
  const byService = new Map<string, DraftAction[]>();
  for (const d of containers) {
    const service = d.resource.slice('container:'.length, d.resource.indexOf('#'));
    byService.set(service, [...(byService.get(service) ?? []), d]);
  }
  // Services that do not depend on each other roll out together: one step per dependency
  // level for creations and updates, then the level's replacement batches, batch by batch.
  for (const level of containers.length ? serviceLevels(stack) : []) {
    const mine = level.flatMap((service) => byService.get(service) ?? []).sort(byKey);
    const others = mine.filter((d) => d.action !== 'replace');
    if (others.length) {
      step++;
      for (const { phase: _phase, ...a } of others) result.push({ ...a, step });
    }
    const batches: DraftAction[][] = [];
    for (const service of level) {
      const size = policies.get(service)?.batchSize ?? 1;
      const replacing = (byService.get(service) ?? []).filter((d) => d.action === 'replace').sort(byKey);
      for (let i = 0; i < replacing.length; i += size) (batches[i / size] ??= []).push(...replacing.slice(i, i + size).map((d) => ({ ...d, batch: i / size + 1 })));
    }
    for (const batch of batches) {
      step++;
      for (const { phase: _phase, ...a } of batch.sort(byKey)) result.push({ ...a, step });
    }
  }
  const deletions = drafts.filter((d) => d.phase === 'delete');
  for (const kind of deletionKinds(deletions)) {
    const mine = deletions.filter((d) => d.kind === kind).sort(byKey);
    if (mine.length === 0) continue;
    step++;
    for (const { phase: _phase, ...a } of mine) result.push({ ...a, step });
  }
  return result;
}

/** The kinds of these deletions, in their definitions' deletion order (a container before the network it used). */
function deletionKinds(deletions: readonly DraftAction[]): string[] {
  const order = (kind: DraftAction['kind']) => kindDefinition(kind).deletionOrder ?? Number.MAX_SAFE_INTEGER;
  return [...new Set(deletions.map((d) => d.kind))].sort((a, b) => order(a) - order(b) || cmp(a, b));
}

/** Service construct paths grouped by dependency level (a level needs only earlier ones), each sorted. */
function serviceLevels(stack: StackGraph): string[][] {
  const services = [...new Set(stack.resources.filter((r) => r.kind === 'container').map((r) => r.source))].sort(cmp);
  const deps = new Map(services.map((s) => [s, new Set<string>()]));
  const byId = new Map(stack.resources.map((r) => [r.id, r]));
  for (const r of stack.resources) {
    if (r.kind !== 'container') continue;
    for (const d of r.dependsOn) {
      const target = byId.get(d.id);
      if (target?.kind === 'container' && target.source !== r.source) deps.get(r.source)!.add(target.source);
    }
  }
  const level = new Map<string, number>();
  const levelOf = (s: string, seen: Set<string>): number => {
    const known = level.get(s);
    if (known !== undefined) return known;
    // Synth rejects cycles; if one got here anyway, cut it rather than recurse forever.
    if (seen.has(s)) return 0;
    seen.add(s);
    const value = Math.max(-1, ...[...deps.get(s)!].map((d) => levelOf(d, seen))) + 1;
    level.set(s, value);
    return value;
  };
  const levels: string[][] = [];
  for (const s of services) (levels[levelOf(s, new Set())] ??= []).push(s);
  return levels.filter((l) => l !== undefined).map((l) => l.sort(cmp));
}
