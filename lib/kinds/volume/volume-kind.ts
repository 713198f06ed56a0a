import { ignoreNotFound } from '../../drivers/engine-error';
import { ownershipLabels } from '../../engine/ownership-labels';
import type { VolumeResource } from '../../graph/graph-document';
import type { HostPlanning, ResourceKindDefinition } from '../kind-definition';
import { isMovedTo, movedObject } from '../moved-object';
import { describeCauses, specCauses } from '../spec-causes';

/**
 * A named volume: it holds the user's data, so everything about it leans to keeping it. A
 * changed volume is replaced only when it is not retained, and the plan says that loses data;
 * one that left the graph is kept unless volumes are to be deleted.
 */
export const volumeKind: ResourceKindDefinition<VolumeResource> = {
  kind: 'volume',
  deletionOrder: 3,

  planWanted(wanted, planning) {
    for (const want of wanted) {
      // A volume whose construct moved keeps its name and its data: it is the one wanted.
      const have = planning.state.volumes.find((v) => v.resourceId === want.id) ?? movedObject(planning.state.volumes, (v) => v.spec.name, { id: want.id, name: want.spec.name }, planning);
      if (!have) {
        // An existing volume the graph names exactly is used as it is, with its data.
        if (planning.isForeign('volume', want.spec.name)) {
          if (!want.policy.existing) planning.clash('volume', want.spec.name);
          continue;
        }
        planning.add({ host: want.host, kind: 'volume', resource: want.id, name: want.spec.name, action: 'create', causes: [{ type: 'missing' }], phase: 'infra' });
        continue;
      }
      const causes = specCauses(want.spec, have.spec, have.specHash === want.hash);
      if (!causes.length) continue;
      if (want.policy.retainOnDelete) {
        planning.conflict('volume', want.spec.name, `volume ${want.spec.name} on ${planning.host} differs from the graph (${describeCauses(causes)}) and is retained, so Hoist will not replace it and lose its data: move the data and remove the volume by hand, or set retainOnDelete: false`);
      } else {
        planning.add({ host: want.host, kind: 'volume', resource: want.id, name: want.spec.name, action: 'replace', causes, phase: 'infra', dataLoss: true });
        planning.markReplaced(want.id);
      }
    }
  },

  planUnwanted(wantedIds, planning) {
    const wanted = wantedOfKind(planning);
    for (const v of planning.state.volumes) {
      if (!v.resourceId || wantedIds.has(v.resourceId)) continue;
      if (isMovedTo(v, planning.state.volumes, (x) => x.spec.name, wanted, planning)) continue;
      if (planning.deleteVolumes) {
        planning.add({ host: planning.host, kind: 'volume', resource: v.resourceId, name: v.spec.name, action: 'delete', causes: [{ type: 'removed-from-graph' }], phase: 'delete', dataLoss: true });
      } else {
        planning.keep('volume', v.spec.name, 'no longer in the graph; volumes are kept (pass --delete-volumes to delete it and its data)');
      }
    }
  },

  refusal(action) {
    return action.action === 'replace' ? `volume ${action.name}@${action.host}: replacing volumes is not supported by apply yet` : undefined;
  },

  executor({ stack, revision }) {
    return {
      async execute(action, client) {
        if (action.action === 'delete') {
          await client.removeVolume(action.name).catch(ignoreNotFound);
          return {};
        }
        const v = stack.resources.find((r): r is VolumeResource => r.kind === 'volume' && r.id === action.resource);
        if (!v) throw new Error(`${action.resource} is not in the graph`);
        if (action.action !== 'create') throw new Error(`cannot ${action.action} a volume`);
        await client.createVolume({ Name: v.spec.name, Driver: v.spec.driver, DriverOpts: v.spec.options, Labels: { ...v.spec.labels, ...ownershipLabels(stack.name, v, revision) } });
        return {};
      },
    };
  },
};

function wantedOfKind(planning: HostPlanning): { id: string; name: string }[] {
  return planning.stack.resources.filter((r): r is VolumeResource => r.kind === 'volume' && r.host === planning.host).map((r) => ({ id: r.id, name: r.spec.name }));
}
