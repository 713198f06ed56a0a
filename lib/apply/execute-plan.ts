import type { StackGraph } from '../graph/graph-document';
import type { EngineDriver } from '../drivers/engine-driver';
import type { ActionResult, KindExecutor, ParkedVersion, SecretValues } from '../kinds/kind-definition';
import type { ImageSecretValues } from '../kinds/image/ship-image';
import { kindDefinition, RESOURCE_KIND_DEFINITIONS } from '../kinds/resource-kinds';
import type { PlannedAction, StackPlan } from '../plan/plan-types';
import type { ApplyEventSink } from './apply-events';

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

/** Why a plan cannot be applied by this version at all (checked before anything changes): each kind's refusals. */
export function unsupportedActions(stackPlan: StackPlan, stack: StackGraph): string[] {
  const problems: string[] = [];
  for (const action of stackPlan.actions) {
    const resource = stack.resources.find((r) => r.id === action.resource);
    const problem = kindDefinition(action.kind).refusal?.(action, resource);
    if (problem) problems.push(problem);
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
  const parked = new Map<string, ParkedVersion[]>();
  const steps = [...new Set(stackPlan.actions.map((a) => a.step))].sort((a, b) => a - b);
  const emit = options.emit;
  let pending: PlannedAction[] = [];
  let interrupted = false;
  const context = { stack, revision: options.revision, clients: options.clients, secrets: options.secrets, imageSecrets: options.imageSecrets, projectDir: options.projectDir };
  const executors = new Map<string, KindExecutor>();
  for (const kind of RESOURCE_KIND_DEFINITIONS) {
    const executor = kind.executor?.(context);
    if (executor) executors.set(kind.kind, executor);
  }

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
      const results = await forEachHostGroup(actions, options.parallelism, async (action): Promise<ActionOutcome & { parked?: ParkedVersion }> => {
        const started = Date.now();
        emit({ type: 'action-start', stack: stack.name, action });
        try {
          const done = await executeAction(action, stack, options, executors);
          emit({ type: 'action-done', stack: stack.name, action, ms: Date.now() - started, ...(done.sent ? { sent: done.sent } : {}) });
          return { action, ok: true, ...(done.parked ? { parked: done.parked } : {}) };
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
        for (const service of new Set(failed.filter((f) => f.action.service).map((f) => f.action.service!))) {
          const action = failed.find((f) => f.action.service === service)!.action;
          if (kindDefinition(action.kind).failureAction?.(action, stack) !== 'rollback') continue;
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
    for (const executor of executors.values()) executor.dispose?.();
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

async function rollBack(stack: string, service: string, done: ParkedVersion[], emit: ApplyEventSink): Promise<RolledBack[]> {
  if (done.length === 0) return [];
  emit({ type: 'rollback-start', stack, service, containers: done.map((p) => `${p.name}@${p.host}`) });
  return Promise.all(done.map(async (previous): Promise<RolledBack> => {
    try {
      await previous.restore();
      emit({ type: 'rollback-done', stack, service, container: previous.name, host: previous.host, ok: true });
      return { service, host: previous.host, name: previous.name, ok: true };
    } catch (error) {
      const message = (error as Error).message;
      emit({ type: 'rollback-done', stack, service, container: previous.name, host: previous.host, ok: false, error: message });
      return { service, host: previous.host, name: previous.name, ok: false, error: message };
    }
  }));
}

async function discardAll(list: ParkedVersion[]): Promise<void> {
  await Promise.all(list.map((p) => p.discard().catch(() => undefined)));
}

/** Runs one action through its kind's executor. */
async function executeAction(action: PlannedAction, stack: StackGraph, options: ExecuteOptions, executors: ReadonlyMap<string, KindExecutor>): Promise<ActionResult> {
  const client = options.clients.get(action.host);
  if (!client) throw new Error(`no connection to ${action.host}`);
  const executor = executors.get(action.kind);
  if (!executor) throw new Error(`cannot ${action.action} a ${action.kind}`);
  return executor.execute(action, client, (message) => options.emit({ type: 'action-progress', stack: stack.name, action, message }));
}
