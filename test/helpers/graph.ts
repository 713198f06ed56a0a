import type { ContainerResource, GraphDocument, GraphResource, StackGraph } from '../../lib/graph/graph-document';

/** The only stack of a graph; fails loudly when there are several. */
export function onlyStack(graph: GraphDocument): StackGraph {
  if (graph.stacks.length !== 1) throw new Error(`expected one stack, got ${graph.stacks.length}`);
  return graph.stacks[0];
}

export function containers(stack: StackGraph): ContainerResource[] {
  return stack.resources.filter((r): r is ContainerResource => r.kind === 'container');
}

export function resourceById(stack: StackGraph, id: string): GraphResource {
  const found = stack.resources.find((r) => r.id === id);
  if (!found) throw new Error(`no resource ${id}; have: ${stack.resources.map((r) => r.id).join(', ')}`);
  return found;
}
