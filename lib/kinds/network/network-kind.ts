import { ignoreNotFound } from '../../drivers/engine-error';
import { ownershipLabels } from '../../engine/ownership-labels';
import type { NetworkResource } from '../../graph/graph-document';
import type { ResourceKindDefinition } from '../kind-definition';
import { isMovedTo, movedObject } from '../moved-object';
import { specCauses } from '../spec-causes';

/**
 * A user-defined network. Any field that differs means a new network (the engines cannot
 * change one in place), which apply does not do yet: the plan shows it and apply refuses.
 */
export const networkKind: ResourceKindDefinition<NetworkResource> = {
  kind: 'network',
  deletionOrder: 2,

  planWanted(wanted, planning) {
    for (const want of wanted) {
      // A network whose construct moved keeps its name: it is the one wanted.
      const have = planning.state.networks.find((n) => n.resourceId === want.id) ?? movedObject(planning.state.networks, (n) => n.spec.name, { id: want.id, name: want.spec.name }, planning);
      if (!have) {
        // An existing network the graph names exactly is used as it is.
        if (planning.isForeign('network', want.spec.name)) {
          if (!want.policy?.existing) planning.clash('network', want.spec.name);
          continue;
        }
        planning.add({ host: want.host, kind: 'network', resource: want.id, name: want.spec.name, action: 'create', causes: [{ type: 'missing' }], phase: 'infra' });
        continue;
      }
      // A subnet left to the engine is whatever it picked.
      const causes = specCauses(want.spec, have.spec, have.specHash === want.hash, ['subnet']);
      if (causes.length) {
        planning.add({ host: want.host, kind: 'network', resource: want.id, name: want.spec.name, action: 'replace', causes, phase: 'infra' });
        planning.markReplaced(want.id);
      }
    }
  },

  planUnwanted(wantedIds, planning) {
    const wanted = planning.stack.resources.filter((r): r is NetworkResource => r.kind === 'network' && r.host === planning.host).map((r) => ({ id: r.id, name: r.spec.name }));
    for (const n of planning.state.networks) {
      if (n.resourceId && !wantedIds.has(n.resourceId) && !isMovedTo(n, planning.state.networks, (x) => x.spec.name, wanted, planning)) {
        planning.add({ host: planning.host, kind: 'network', resource: n.resourceId, name: n.spec.name, action: 'delete', causes: [{ type: 'removed-from-graph' }], phase: 'delete' });
      }
    }
  },

  refusal(action) {
    return action.action === 'replace' ? `network ${action.name}@${action.host}: replacing networks is not supported by apply yet` : undefined;
  },

  executor({ stack, revision }) {
    return {
      async execute(action, client) {
        if (action.action === 'delete') {
          await client.removeNetwork(action.name).catch(ignoreNotFound);
          return {};
        }
        const n = stack.resources.find((r): r is NetworkResource => r.kind === 'network' && r.id === action.resource);
        if (!n) throw new Error(`${action.resource} is not in the graph`);
        if (action.action !== 'create') throw new Error(`cannot ${action.action} a network`);
        await client.createNetwork({
          Name: n.spec.name, Driver: n.spec.driver, Internal: n.spec.internal, CheckDuplicate: true,
          ...(n.spec.subnet ? { IPAM: { Config: [{ Subnet: n.spec.subnet }] } } : {}),
          Labels: { ...n.spec.labels, ...ownershipLabels(stack.name, n, revision) },
        });
        return {};
      },
    };
  },
};
