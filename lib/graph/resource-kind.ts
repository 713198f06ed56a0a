/**
 * The kinds of resource a graph holds: the one definition. `GraphResource` has one member
 * per kind, the graph schema one branch, and plan, lint and apply switch over it. A new kind
 * starts here (docs/architecture.md, "Where things plug in").
 */
export const RESOURCE_KINDS = ['network', 'volume', 'image', 'secret', 'container'] as const;

/** A kind of graph resource; the first part of its id (`<kind>:<construct path>...`). */
export type ResourceKind = typeof RESOURCE_KINDS[number];
