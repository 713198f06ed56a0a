import type { SecretResource } from '../../graph/graph-document';
import type { ResourceKindDefinition } from '../kind-definition';

/**
 * A secret: its value is read at apply time and travels with the containers that mount it
 * (as files in a secret volume of each container, or as an environment variable), so it has
 * no actions of its own. A new value shows as a change of those containers' fingerprints.
 */
export const secretKind: ResourceKindDefinition<SecretResource> = {
  kind: 'secret',
};
