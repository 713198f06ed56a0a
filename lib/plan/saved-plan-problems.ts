import type { GraphDocument, GraphResource, StackGraph } from '../graph/graph-document';
import { graphProblems } from '../graph/graph-problems';
import { resourceKeyOf } from '../graph/resource-id';
import { hostsAndBuildersOf } from '../graph/stack-hosts';
import { documentIssueMessage } from '../schemas/document-issue-message';
import { formatFieldPath, zodProblems } from '../schemas/zod-problems';
import { dockerNameProblem } from '../values/docker-name';
import { parseImageReference } from '../values/image-reference';
import { graphHash } from './build-plan';
import { savedPlanSchema } from './plan-schema';
import type { PlanDocument, PlannedAction } from './plan-types';

/** A plan saved with `hoist plan --out`: the plan and the graph it was made from. */
export type SavedPlan = PlanDocument & { readonly graph: GraphDocument };

/**
 * Everything wrong with a saved plan, each `json.path: problem`, or none: its shape
 * (savedPlanSchema), its graph (graphProblems: version, shape, names, spec hashes), the
 * recorded `graph_hash` against the graph's, a host fingerprint for exactly the graph's hosts
 * and builders, and every action against the graph: its stack, its host, its engine name by
 * the engine's rules, the resource it acts on, and the summary's counts. The format version
 * is the caller's to check first. Pure.
 */
export function savedPlanProblems(document: unknown): string[] {
  const parsed = savedPlanSchema.safeParse(document, { error: documentIssueMessage });
  const graph = (document as { graph?: unknown } | null)?.graph;
  const ofGraph = graph !== null && typeof graph === 'object' ? graphProblems(graph, 'graph') : [];
  if (!parsed.success || ofGraph.length) return [...(parsed.success ? [] : zodProblems(parsed.error)), ...ofGraph];
  return consistencyProblems(document as SavedPlan);
}

function consistencyProblems(plan: SavedPlan): string[] {
  const problems: string[] = [];
  const recorded = graphHash(plan.graph);
  if (recorded !== plan.graph_hash) {
    problems.push(`graph_hash: the plan's graph hashes to ${recorded}, not to the recorded ${plan.graph_hash}; the plan or its graph was changed after hoist plan --out`);
  }

  const hosts = new Set(plan.graph.stacks.flatMap((s) => hostsAndBuildersOf(s).map((h) => h.name)));
  for (const host of Object.keys(plan.host_fingerprints)) {
    if (!hosts.has(host)) problems.push(`${formatFieldPath('host_fingerprints', [host])}: ${JSON.stringify(host)} is not a host or builder of the plan's graph`);
  }
  for (const host of hosts) {
    // Without its fingerprint, apply could not tell whether the host changed since the plan.
    if (!(host in plan.host_fingerprints)) problems.push(`host_fingerprints: no fingerprint for ${host}, a host of the plan's graph`);
  }

  const summary = { build: 0, create: 0, update: 0, replace: 0, delete: 0 };
  const seen = new Set<string>();
  plan.stacks.forEach((stackPlan, s) => {
    const at = (...path: PropertyKey[]) => formatFieldPath('stacks', [s, ...path]);
    if (seen.has(stackPlan.stack)) problems.push(`${at('stack')}: stack ${stackPlan.stack} is planned twice`);
    seen.add(stackPlan.stack);
    const stack = plan.graph.stacks.find((g) => g.name === stackPlan.stack);
    if (!stack) {
      problems.push(`${at('stack')}: ${JSON.stringify(stackPlan.stack)} is not a stack of the plan's graph`);
      return;
    }
    stackPlan.actions.forEach((action, a) => {
      summary[action.action]++;
      problems.push(...actionProblems(action, stack, (...path) => at('actions', a, ...path)));
    });
  });
  for (const [action, n] of Object.entries(summary) as [keyof typeof summary, number][]) {
    if (plan.summary[action] !== n) problems.push(`summary.${action}: says ${plan.summary[action]}, but the plan has ${n} ${action} action${n === 1 ? '' : 's'}`);
  }
  return problems;
}

/** An action against its stack's graph: a host of it, a valid engine name, the resource it names. */
function actionProblems(action: PlannedAction, stack: StackGraph, at: (...path: PropertyKey[]) => string): string[] {
  const problems: string[] = [];
  const hosts = hostsAndBuildersOf(stack).map((h) => h.name);
  if (!hosts.includes(action.host)) {
    problems.push(`${at('host')}: ${JSON.stringify(action.host)} is not a host or builder of stack ${stack.name} (${hosts.join(', ') || 'none'})`);
  }
  if (action.delivery && !hosts.includes(action.delivery.from)) {
    problems.push(`${at('delivery', 'from')}: ${JSON.stringify(action.delivery.from)} is not a host or builder of stack ${stack.name}`);
  }
  // Apply passes the name to the engine (deletions by name alone): the engine's rules, checked here.
  const nameProblem = action.kind === 'image' ? referenceProblem(action.name) : dockerNameProblem(action.name);
  if (nameProblem) problems.push(`${at('name')}: ${nameProblem}`);

  if (action.action === 'delete') return problems;
  if (action.action === 'build') {
    const built = stack.resources.some((r) => r.kind === 'image' && resourceKeyOf(r.id) === action.resource && r.policy?.builder === action.host);
    if (!built) problems.push(`${at('resource')}: no built image ${action.resource} of stack ${stack.name} has builder ${action.host}`);
    return problems;
  }
  const resource: GraphResource | undefined = stack.resources.find((r) => r.id === action.resource);
  if (!resource) {
    problems.push(`${at('resource')}: ${JSON.stringify(action.resource)} is not a resource of stack ${stack.name}`);
  } else if (resource.kind !== action.kind || resource.host !== action.host) {
    problems.push(`${at('resource')}: ${action.resource} is a ${resource.kind} on ${resource.host}, not a ${action.kind} on ${action.host}`);
  } else if (resource.kind !== 'image' && !nameProblem && resource.spec.name !== action.name) {
    problems.push(`${at('name')}: ${JSON.stringify(action.name)} is not the name the graph gives ${action.resource} (${JSON.stringify(resource.spec.name)})`);
  }
  return problems;
}

function referenceProblem(reference: string): string | undefined {
  const parsed = parseImageReference(reference);
  return parsed.ok ? undefined : parsed.reason;
}
