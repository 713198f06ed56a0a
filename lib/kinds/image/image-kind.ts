import { builtReference, type ObservedBuild } from '../../engine/read-build-state';
import type { ImageResource } from '../../graph/graph-document';
import { resourceKeyOf } from '../../graph/resource-id';
import { inputChanges } from '../../images/build-context';
import { familiarImageReference } from '../../values/image-reference';
import type { ResourceKindDefinition } from '../kind-definition';
import type { PlannedDelivery } from '../planned-action';
import { buildImage } from './build-image';
import { pullImage } from './pull-image';
import { ImageShipping } from './ship-image';

/**
 * An image on a host. A registry image is pulled where it is missing. A built image is built
 * once on its builder when no build with its inputs exists (one action for the whole stack),
 * then delivered to every other host that lacks it. Images are never deleted by a plan:
 * old built versions are pruned after an apply (engine/prune-images.ts).
 */
export const imageKind: ResourceKindDefinition<ImageResource> = {
  kind: 'image',

  planWanted(wanted, planning) {
    for (const want of wanted) {
      const reference = builtReference(want);
      const present = planning.state.images.some((i) => i.references.includes(familiarImageReference(reference)));
      if (present) continue;
      const create = { host: want.host, kind: 'image' as const, resource: want.id, name: reference, action: 'create' as const, causes: [{ type: 'missing' as const }], phase: 'infra' as const };
      if (want.spec.source === 'registry' || !want.policy) {
        planning.add(create);
        continue;
      }
      const key = resourceKeyOf(want.id);
      const build = planning.images.builds.get(key);
      if (!build?.built && planning.claimOnce(`build:${key}`)) {
        const changes = build?.previousInputs ? inputChanges(build.previousInputs, want.spec.inputs) : [];
        planning.add({
          host: want.policy.builder, kind: 'image', resource: key, name: reference, action: 'build', phase: 'build',
          causes: [{ type: 'inputs-changed', changes }],
        });
      }
      // The builder holds the image once built; every other host is sent it.
      if (want.policy.builder === planning.host) continue;
      planning.add({ ...create, delivery: plannedDelivery(want, build, planning.images.layers.get(planning.host)) });
    }
  },

  companions(resource) {
    return [resourceKeyOf(resource.id)];
  },

  refusal(action, resource) {
    if (action.action === 'create' && resource?.spec.source === 'build' && !resource.policy) {
      return `${action.name}@${action.host}: the graph was made by a hoist without image builds; synthesize it again`;
    }
    return undefined;
  },

  executor({ stack, clients, imageSecrets, projectDir }) {
    const shipping = new ImageShipping(clients, imageSecrets);
    return {
      async execute(action, client, progress) {
        if (action.action === 'build') {
          const resource = stack.resources.find((r): r is ImageResource => r.kind === 'image' && resourceKeyOf(r.id) === action.resource);
          if (!resource) throw new Error(`${action.resource} is not in the graph`);
          await buildImage(client, stack.name, resource, projectDir, progress, imageSecrets);
          return {};
        }
        const image = stack.resources.find((r): r is ImageResource => r.kind === 'image' && r.id === action.resource);
        if (!image) throw new Error(`${action.resource} is not in the graph`);
        if (action.action !== 'create') throw new Error(`cannot ${action.action} an image`);
        if (image.spec.source === 'build') return { sent: await shipping.deliver(image, client, progress) };
        await pullImage(client, image.spec.reference, progress);
        return {};
      },
      dispose: () => shipping.dispose(),
    };
  },
};

/** How much of a built image goes to a host: known once the builder has it. */
function plannedDelivery(want: ImageResource, build: ObservedBuild | undefined, hostLayers: ReadonlySet<string> | undefined): PlannedDelivery {
  const policy = want.policy!;
  if (policy.delivery.mode === 'registry' || !build?.built) return { mode: policy.delivery.mode, from: policy.builder, layers: null, bytes: null };
  const missing = build.built.layers.filter((l) => !hostLayers?.has(l.diffId));
  const known = missing.every((l) => l.size !== null);
  return {
    mode: 'direct', from: policy.builder,
    layers: { send: missing.length, total: build.built.layers.length },
    bytes: known ? missing.reduce((sum, l) => sum + l.size!, 0) : null,
  };
}
