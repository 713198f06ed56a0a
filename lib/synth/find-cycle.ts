import { compareStrings } from './problems';

/**
 * Finds one dependency cycle in a directed graph, returned as the path that closes it
 * (`[a, b, a]`), or undefined. Nodes are visited in sorted order so the cycle reported is
 * the same on every run.
 */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of [...(edges.get(node) ?? [])].sort(compareStrings)) {
      const seen = state.get(next);
      if (seen === 'visiting') {
        return [...stack.slice(stack.indexOf(next)), next];
      }
      if (seen === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...edges.keys()].sort(compareStrings)) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return undefined;
}
