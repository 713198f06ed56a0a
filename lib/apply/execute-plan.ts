import type { ContainerResource, GraphResource, NetworkResource, StackGraph, VolumeResource } from '../graph/graph-document';
import type { EngineClient } from '../engine/engine-client';
import { buildCreateContainerRequest } from '../engine/container-create';
import { ownershipLabels } from '../engine/ownership-labels';
import type { PlannedAction, StackPlan } from '../plan/plan-types';
import { waitReady } from './wait-ready';

/** What happened to one action, for the report. */
export interface ActionOutcome {
  readonly action: PlannedAction;
  readonly ok: boolean;
  readonly error?: string;
}

/** Why a plan cannot be applied by this version at all (checked before anything changes). */
export function unsupportedActions(stackPlan: StackPlan, stack: StackGraph, engines: ReadonlyMap<string, 'docker' | 'podman'>): string[] {
  const problems: string[] = [];
  for (const action of stackPlan.actions) {
    const resource = stack.resources.find((r) => r.id === action.resource);
    if (action.kind === 'image' && action.action === 'create') {
      problems.push(`${action.name}@${action.host}: the image is not on the host; pulling and building images are not part of apply yet (load or build it on the host first)`);
    }
    if (resource?.kind === 'container' && resource.spec.secrets.length > 0 && action.action !== 'delete') {
      problems.push(`${action.name}@${action.host}: uses secrets, and apply does not deliver secrets yet`);
    }
    if (action.action === 'replace' && (action.kind === 'network' || action.kind === 'volume')) {
      problems.push(`${action.kind} ${action.name}@${action.host}: replacing ${action.kind}s is not supported by apply yet`);
    }
    if (action.action === 'update' && engines.get(action.host) === 'podman' && action.causes.some((c) => c.type !== 'not-running')) {
      problems.push(`${action.name}@${action.host}: Podman's API cannot change a running container's limits; change it by replacing (edit the graph), or with podman update by hand`);
    }
  }
  return problems;
}

/**
 * Carries out one stack's plan, step by step in plan order (actions of a step in parallel).
 * Stops at the first failed step: a replacement that fails its readiness check is undone
 * (the old container keeps or resumes serving); later steps do not run.
 */
export async function executeStackPlan(stackPlan: StackPlan, stack: StackGraph, clients: ReadonlyMap<string, EngineClient>, revision: number, log: (line: string) => void): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  const steps = [...new Set(stackPlan.actions.map((a) => a.step))].sort((a, b) => a - b);
  for (const step of steps) {
    const actions = stackPlan.actions.filter((a) => a.step === step);
    const results = await Promise.all(actions.map(async (action): Promise<ActionOutcome> => {
      const client = clients.get(action.host)!;
      const resource = stack.resources.find((r) => r.id === action.resource);
      try {
        await executeAction(action, resource, stack.name, client, revision);
        log(`  ok   ${action.action} ${action.kind} ${action.name}@${action.host}`);
        return { action, ok: true };
      } catch (error) {
        log(`  FAIL ${action.action} ${action.kind} ${action.name}@${action.host}: ${(error as Error).message}`);
        return { action, ok: false, error: (error as Error).message };
      }
    }));
    outcomes.push(...results);
    if (results.some((r) => !r.ok)) break;
  }
  return outcomes;
}

async function executeAction(action: PlannedAction, resource: GraphResource | undefined, stack: string, client: EngineClient, revision: number): Promise<void> {
  const docker = client.docker;
  if (action.action === 'delete') {
    if (action.kind === 'container') await docker.getContainer(action.name).remove({ force: true });
    else if (action.kind === 'network') await docker.getNetwork(action.name).remove();
    else if (action.kind === 'volume') await docker.getVolume(action.name).remove();
    return;
  }
  if (!resource) throw new Error(`${action.resource} is not in the graph`);
  if (resource.kind === 'network' && action.action === 'create') {
    const n = resource as NetworkResource;
    await docker.createNetwork({
      Name: n.spec.name, Driver: n.spec.driver, Internal: n.spec.internal, CheckDuplicate: true,
      ...(n.spec.subnet ? { IPAM: { Config: [{ Subnet: n.spec.subnet }] } } : {}),
      Labels: { ...n.spec.labels, ...ownershipLabels(stack, n, revision) },
    });
    return;
  }
  if (resource.kind === 'volume' && action.action === 'create') {
    const v = resource as VolumeResource;
    await docker.createVolume({ Name: v.spec.name, Driver: v.spec.driver, DriverOpts: v.spec.options, Labels: { ...v.spec.labels, ...ownershipLabels(stack, v, revision) } });
    return;
  }
  if (resource.kind !== 'container') throw new Error(`cannot ${action.action} a ${resource.kind} yet`);
  const c = resource as ContainerResource;
  const timeout = c.policy.update.healthTimeoutMs;
  if (action.action === 'create') {
    await createAndStart(client, c, stack, revision, c.spec.name);
    await waitReady(docker, c.spec.name, timeout, client.info.kind);
    return;
  }
  if (action.action === 'update') {
    const container = docker.getContainer(c.spec.name);
    if (action.causes.some((cause) => cause.type !== 'not-running')) {
      await container.update({
        NanoCpus: c.spec.resources.nanoCpus ?? 0, Memory: c.spec.resources.memoryBytes ?? 0, MemorySwap: c.spec.resources.memoryBytes ? -1 : 0,
        MemoryReservation: c.spec.resources.memoryReservationBytes ?? 0, PidsLimit: c.spec.resources.pidsLimit ?? 0,
        RestartPolicy: { Name: c.spec.restart.policy, MaximumRetryCount: c.spec.restart.maxRetries },
      });
    }
    const state = (await container.inspect()).State;
    if (!state.Running) await container.start();
    await waitReady(docker, c.spec.name, timeout, client.info.kind);
    return;
  }
  // Replace.
  if (action.order === 'start-first') {
    const next = `${c.spec.name}-hoist-next`;
    await docker.getContainer(next).remove({ force: true }).catch(() => undefined);
    await createAndStart(client, c, stack, revision, next);
    try {
      await waitReady(docker, next, timeout, client.info.kind);
    } catch (error) {
      await docker.getContainer(next).remove({ force: true }).catch(() => undefined);
      throw new Error(`${(error as Error).message}\n  the old container keeps serving`);
    }
    await docker.getContainer(c.spec.name).stop({ t: c.spec.stopTimeoutSeconds }).catch(() => undefined);
    await docker.getContainer(c.spec.name).remove({ force: true });
    await docker.getContainer(next).rename({ name: c.spec.name });
    return;
  }
  const old = `${c.spec.name}-hoist-old`;
  const previous = docker.getContainer(c.spec.name);
  await previous.stop({ t: c.spec.stopTimeoutSeconds }).catch(() => undefined);
  await previous.rename({ name: old });
  try {
    await createAndStart(client, c, stack, revision, c.spec.name);
    await waitReady(docker, c.spec.name, timeout, client.info.kind);
  } catch (error) {
    await docker.getContainer(c.spec.name).remove({ force: true }).catch(() => undefined);
    await docker.getContainer(old).rename({ name: c.spec.name });
    await docker.getContainer(c.spec.name).start().catch(() => undefined);
    throw new Error(`${(error as Error).message}\n  rolled back: the previous container runs again`);
  }
  await docker.getContainer(old).remove({ force: true });
}

async function createAndStart(client: EngineClient, resource: ContainerResource, stack: string, revision: number, name: string): Promise<void> {
  const request = buildCreateContainerRequest(resource.spec, ownershipLabels(stack, resource, revision));
  const container = await client.docker.createContainer({ name, ...request.body } as never);
  for (const extra of request.connectAfter) {
    await client.docker.getNetwork(extra.network).connect({ Container: container.id, EndpointConfig: { Aliases: extra.aliases } });
  }
  await container.start();
}
