import type { GraphResource } from '../graph/graph-document';
import { RESOURCE_KINDS, type ResourceKind } from '../graph/resource-kind';
import { containerKind } from './container/container-kind';
import { imageKind } from './image/image-kind';
import type { ResourceKindDefinition } from './kind-definition';
import { networkKind } from './network/network-kind';
import { secretKind } from './secret/secret-kind';
import { volumeKind } from './volume/volume-kind';

/** The graph resource of one kind. */
export type ResourceOfKind<K extends ResourceKind> = Extract<GraphResource, { kind: K }>;

/**
 * Every kind's definition: the one registration of a kind's behaviour. The mapped type makes
 * a kind added to RESOURCE_KINDS without a definition a compile error. A definition for one
 * kind serves as one for any (its members are methods, whose parameters TypeScript checks
 * both ways): the planner hands each kind only resources of that kind.
 */
const DEFINITIONS: { readonly [K in ResourceKind]: ResourceKindDefinition<ResourceOfKind<K>> } = {
  network: networkKind,
  volume: volumeKind,
  image: imageKind,
  secret: secretKind,
  container: containerKind,
};

/** The definitions in RESOURCE_KINDS order: the order kinds are planned in. */
export const RESOURCE_KIND_DEFINITIONS: readonly ResourceKindDefinition[] = RESOURCE_KINDS.map((kind) => DEFINITIONS[kind]);

/** The definition of one kind. */
export function kindDefinition(kind: ResourceKind): ResourceKindDefinition {
  return DEFINITIONS[kind];
}
