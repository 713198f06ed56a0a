import type { ContainerResource, GraphResource, ImageResource, NetworkResource, StackGraph, VolumeResource } from '../graph/graph-document';
import type { EngineDriver } from '../drivers/engine-driver';
import { ignoreNotFound } from '../drivers/engine-error';
import { ownershipLabels } from '../engine/ownership-labels';
import { removeOwnedContainer } from '../engine/remove-container';
import type { PlannedAction, StackPlan } from '../plan/plan-types';
import type { ApplyEventSink, ImageSent } from './apply-events';
import { buildImage } from './build-image';
import { resourceKeyOf } from '../graph/resource-id';
import { ImageShipping, type ImageSecretValues } from './ship-image';
import {
  type ContainerTarget, createContainer, discardPrevious, type ParkedPrevious, replaceStartFirst, replaceStopFirst,
  restorePrevious, updateContainer,
} from './container-steps';
import { pullImage } from './pull-image';
import type { SecretValues } from './secret-values';

/** What happened to one action. */
export interface ActionOutcome {
  readonly action: PlannedAction;
  readonly ok: boolean;
  readonly error?: string;
}

/** A finished replacement undone because a later batch of its service failed. */
export interface RolledBack {
  readonly service: string;
  readonly host: string;
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
}

export interface StackApplyResult {
  readonly outcomes: ActionOutcome[];
  /** Actions never started: after a failure, or after the user asked to stop. */
  readonly pending: PlannedAction[];
  readonly rolledBack: RolledBack[];
  /** The user asked to stop (first SIGINT) and steps were left. */
  readonly interrupted: boolean;
}

export interface ExecuteOptions {
  readonly clients: ReadonlyMap<string, EngineDriver>;
  readonly revision: number;
  readonly secrets: SecretValues;
  readonly emit: ApplyEventSink;
  /** Becomes true when the user asks to stop: no further step starts, the running one finishes. */
  readonly stopRequested: () => boolean;
  /** Hosts worked on at once within a step (all of a host's actions of the step run together). */
  readonly parallelism: number;
  /** Where build contexts are read from. */
  readonly projectDir: string;
  /** Build secrets and registry passwords of the plan's images, by secret key. */
  readonly imageSecrets: ImageSecretValues;
}

/** Why a plan cannot be applied by this version at all (checked before anything changes). */
export function unsupportedActions(stackPlan: StackPlan, stack: StackGraph): string[] {
  const problems: string[] = [];
  for (const action of stackPlan.actions) {
    const resource = stack.resources.find((r) => r.id === action.resource);
    if (action.kind === 'image' && action.action === 'create' && (resource as ImageResource | undefined)?.spec.source === 'build' && !(resource as ImageResource).policy) {
      problems.push(`${action.name}@${action.host}: the graph was made by a hoist without image builds; synthesize it again`);
    }
    if (action.action === 'replace' && (action.kind === 'network' || action.kind === 'volume')) {
      problems.push(`${action.kind} ${action.name}@${action.host}: replacing ${action.kind}s is not supported by apply yet`);
    }
  }
  return problems;
}

/**
 * Carries out one stack's plan, step by step in plan order (the actions of a step run at
 * once, on their hosts). Replaced containers keep their previous version parked until the
 * service's last batch is through. When a step fails, no later step starts; if the failed
 * action was a replacement whose service says `failureAction: rollback`, the hosts this
 * apply already moved to the new version go back to the parked one.
 */
export async function executeStackPlan(stackPlan: StackPlan, stack: StackGraph, options: ExecuteOptions): Promise<StackApplyResult> {
  const outcomes: ActionOutcome[] = [];
  const rolledBack: RolledBack[] = [];
  const parked = new Map<string, ParkedPrevious[]>();
  const steps = [...new Set(stackPlan.actions.map((a) => a.step))].sort((a, b) => a - b);
  const emit = options.emit;
  let pending: PlannedAction[] = [];
  let interrupted = false;
  const shipping = new ImageShipping(options.clients, options.imageSecrets);

  emit({ type: 'stack-start', stack: stack.name, revision: options.revision, actions: stackPlan.actions.length });
  try {
    for (const [index, step] of steps.entries()) {
      if (options.stopRequested()) {
        interrupted = true;
        pending = stackPlan.actions.filter((a) => a.step >= step);
        emit({ type: 'interrupted', stack: stack.name, pending: pending.length });
        break;
      }
      const actions = stackPlan.actions.filter((a) => a.step === step);
      const results = await forEachHostGroup(actions, options.parallelism, async (action): Promise<ActionOutcome & { parked?: ParkedPrevious }> => {
        const started = Date.now();
        emit({ type: 'action-start', stack: stack.name, action });
        try {
          const done = await executeAction(action, stack, options, shipping);
          const previous = done && 'parked' in done ? done.parked : undefined;
          emit({ type: 'action-done', stack: stack.name, action, ms: Date.now() - started, ...(done && 'sent' in done ? { sent: done.sent } : {}) });
          return { action, ok: true, ...(previous ? { parked: previous } : {}) };
        } catch (error) {
          const message = (error as Error).message;
          emit({ type: 'action-failed', stack: stack.name, action, error: message });
          return { action, ok: false, error: message };
        }
      });
      for (const { parked: previous, ...outcome } of results) {
        outcomes.push(outcome);
        if (previous) parked.set(outcome.action.service!, [...(parked.get(outcome.action.service!) ?? []), previous]);
      }
      const failed = results.filter((r) => !r.ok);
      if (failed.length) {
        pending = stackPlan.actions.filter((a) => steps.indexOf(a.step) > index);
        for (const service of new Set(failed.filter((f) => f.action.action === 'replace').map((f) => f.action.service!))) {
          const policy = containerOf(stack, failed.find((f) => f.action.service === service)!.action.resource)?.policy.update;
          if (policy?.failureAction !== 'rollback') continue;
          rolledBack.push(...await rollBack(stack.name, service, parked.get(service) ?? [], emit));
          parked.delete(service);
        }
        break;
      }
      // A service whose last batch just finished keeps no parked previous versions.
      for (const service of [...parked.keys()]) {
        if (!stackPlan.actions.some((a) => a.service === service && a.action === 'replace' && steps.indexOf(a.step) > index)) {
          await discardAll(parked.get(service)!);
          parked.delete(service);
        }
      }
    }
  } finally {
    // Interrupted, paused or failed elsewhere: what was replaced stays replaced.
    for (const list of parked.values()) await discardAll(list);
    shipping.dispose();
  }
  emit({ type: 'stack-done', stack: stack.name, ok: outcomes.every((o) => o.ok) && !interrupted });
  return { outcomes, pending, rolledBack, interrupted };
}

/** Runs `work` on every action, the actions of one host together, at most `parallelism` hosts at once; results in input order. */
async function forEachHostGroup<T>(actions: PlannedAction[], parallelism: number, work: (action: PlannedAction) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(actions.length);
  const hosts = [...new Set(actions.map((a) => a.host))];
  let next = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const host = hosts[next++];
      await Promise.all(actions.map(async (action, i) => {
        if (action.host === host) results[i] = await work(action);
      }));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallelism, hosts.length)) }, worker));
  return results;
}

async function rollBack(stack: string, service: string, done: ParkedPrevious[], emit: ApplyEventSink): Promise<RolledBack[]> {
  if (done.length === 0) return [];
  emit({ type: 'rollback-start', stack, service, containers: done.map((p) => `${p.name}@${p.host}`) });
  return Promise.all(done.map(async (previous): Promise<RolledBack> => {
    try {
      await restorePrevious(previous);
      emit({ type: 'rollback-done', stack, service, container: previous.name, host: previous.host, ok: true });
      return { service, host: previous.host, name: previous.name, ok: true };
    } catch (error) {
      const message = (error as Error).message;
      emit({ type: 'rollback-done', stack, service, container: previous.name, host: previous.host, ok: false, error: message });
      return { service, host: previous.host, name: previous.name, ok: false, error: message };
    }
  }));
}

async function discardAll(list: ParkedPrevious[]): Promise<void> {
  await Promise.all(list.map((p) => discardPrevious(p).catch(() => undefined)));
}

function containerOf(stack: StackGraph, id: string): ContainerResource | undefined {
  return stack.resources.find((r): r is ContainerResource => r.id === id && r.kind === 'container');
}

/** Runs one action; a replacement returns the previous version it parked, a delivery what it sent. */
async function executeAction(action: PlannedAction, stack: StackGraph, options: ExecuteOptions, shipping: ImageShipping): Promise<{ parked: ParkedPrevious } | { sent: ImageSent } | undefined> {
  const client = options.clients.get(action.host);
  if (!client) throw new Error(`no connection to ${action.host}`);
  const progress = (message: string) => options.emit({ type: 'action-progress', stack: stack.name, action, message });
  if (action.action === 'build') {
    const resource = stack.resources.find((r): r is ImageResource => r.kind === 'image' && resourceKeyOf(r.id) === action.resource);
    if (!resource) throw new Error(`${action.resource} is not in the graph`);
    await buildImage(client, stack.name, resource, options.projectDir, progress, options.imageSecrets);
    return undefined;
  }
  if (action.action === 'delete') {
    if (action.kind === 'container') {
      // Anonymous data volumes go only where the plan said so (destroy --remove-volumes).
      await removeOwnedContainer(client, action.name, { stack: stack.name, deleteVolumes: (action.anonymousVolumes ?? []).filter((v) => !v.kept).map((v) => v.volume) });
    }
    else if (action.kind === 'network') await client.removeNetwork(action.name).catch(ignoreNotFound);
    else if (action.kind === 'volume') await client.removeVolume(action.name).catch(ignoreNotFound);
    return undefined;
  }
  const resource: GraphResource | undefined = stack.resources.find((r) => r.id === action.resource);
  if (!resource) throw new Error(`${action.resource} is not in the graph`);
  switch (resource.kind) {
    case 'network': {
      const n = resource as NetworkResource;
      await client.createNetwork({
        Name: n.spec.name, Driver: n.spec.driver, Internal: n.spec.internal, CheckDuplicate: true,
        ...(n.spec.subnet ? { IPAM: { Config: [{ Subnet: n.spec.subnet }] } } : {}),
        Labels: { ...n.spec.labels, ...ownershipLabels(stack.name, n, options.revision) },
      });
      return undefined;
    }
    case 'volume': {
      const v = resource as VolumeResource;
      await client.createVolume({ Name: v.spec.name, Driver: v.spec.driver, DriverOpts: v.spec.options, Labels: { ...v.spec.labels, ...ownershipLabels(stack.name, v, options.revision) } });
      return undefined;
    }
    case 'image': {
      const image = resource as ImageResource;
      if (image.spec.source === 'build') return { sent: await shipping.deliver(image, client, progress) };
      await pullImage(client, image.spec.reference, progress);
      return undefined;
    }
    case 'container': {
      const target: ContainerTarget = {
        client, resource: resource as ContainerResource, stack: stack.name, revision: options.revision, secrets: options.secrets,
        runToCompletion: stack.resources.some((r) => r.dependsOn.some((d) => d.id === resource.id && d.condition === 'completed')),
      };
      if (action.action === 'create') return void await createContainer(target);
      if (action.action === 'update') return void await updateContainer(target, action.causes.some((c) => c.type !== 'not-running'));
      return { parked: await (action.order === 'stop-first' ? replaceStopFirst(target) : replaceStartFirst(target)) };
    }
    default:
      throw new Error(`cannot ${action.action} a ${resource.kind}`);
  }
}
