import * as os from 'node:os';
import type * as ExecuteModule from '../apply/execute-plan';
import type * as SecretValuesModule from '../apply/secret-values';
import type * as HistoryModule from '../engine/host-history';
import { newLockId } from '../engine/host-lock';
import type * as PruneModule from '../engine/prune-images';
import type * as SecretFilesModule from '../engine/secret-files';
import type { GraphDocument } from '../graph/graph-document';
import { hostsAndBuildersOf, hostsOfStacks } from '../graph/stack-hosts';
import type * as PlanLintModule from '../lint/plan-lint';
import type * as LockModule from '../lock/lock-hosts';
import type * as BuildPlanModule from '../plan/build-plan';
import type * as CollectModule from '../plan/collect-observations';
import type { HostObservation, PlanDocument, PlannedAction, PlanSummary } from '../plan/plan-types';
import type { SavedPlan } from '../plan/saved-plan-problems';
import type * as FingerprintModule from '../secrets/secret-fingerprint';
import { openAllHosts, type OpenHost } from '../drivers/open-host';
import { currentUser } from '../values/current-user';
import { familiarImageReference } from '../values/image-reference';
import type { Redactor } from '../values/redactor';
import { describeAction } from './describe-action';
import { DeployError, type DeployFailureReason } from './deploy-error';
import type { ChangeCommand, DeployEvent, RunningVersion } from './deploy-events';
import type { HostOpener } from './host-access';

/** What one change is asked to do, with its options resolved. */
export interface ChangeRequest {
  readonly command: ChangeCommand;
  readonly graph: GraphDocument;
  readonly projectDir: string;
  /** A plan made earlier: applied exactly, refused if any host changed since. */
  readonly saved?: SavedPlan;
  /** rollback: the revision the graph is. */
  readonly revision?: number;
  /** destroy: delete the stacks' volumes and their data too. */
  readonly removeVolumes: boolean;
  readonly parallelism: number;
  readonly lockTimeoutMs: number;
  readonly trustNewHosts: boolean;
  readonly openHost: HostOpener;
  readonly confirm?: (plan: PlanDocument) => Promise<boolean>;
  readonly signal?: AbortSignal;
  readonly emit: (event: DeployEvent) => void;
  /** Every secret value the run reads is added here. */
  readonly redactor: Redactor;
}

/** What a completed change did. */
export interface ChangeResult {
  /** The plan carried out (empty of actions when the hosts already matched). */
  readonly plan: PlanDocument;
  /** Whether anything was changed (false: the hosts already matched). */
  readonly changed: boolean;
  /** The revision each changed stack was given. */
  readonly revisions: readonly { readonly stack: string; readonly revision: number }[];
  /** How many actions of each type the plan had. */
  readonly summary: PlanSummary;
}

const failure = (reason: DeployFailureReason, message: string) => new DeployError(reason, message, { nothingChanged: true });
const after = (reason: DeployFailureReason, message: string) => new DeployError(reason, message, { nothingChanged: false });

/**
 * Changes hosts: plan (or a saved plan, checked for staleness), locks on every host, secrets
 * read and checked, confirmation, execution with rollback, a re-read that must match the
 * graph, a report of what runs where and a history record on each host. `destroy` is the
 * same with an empty desired state.
 */
export async function runChange(request: ChangeRequest): Promise<ChangeResult> {
  const { lockHosts, LockWaitInterruptedError, RUN_LOCK_RENEW_MS, RUN_LOCK_TTL_MS } = require('../lock/lock-hosts') as typeof LockModule;
  const { observeHost, readsOnHost, hostsToRead } = require('../plan/collect-observations') as typeof CollectModule;
  const { buildPlan, hasChanges, observationFingerprint } = require('../plan/build-plan') as typeof BuildPlanModule;
  const { executeStackPlan, unsupportedActions } = require('../apply/execute-plan') as typeof ExecuteModule;
  const { readSecretsForPlan, readImageSecrets } = require('../apply/secret-values') as typeof SecretValuesModule;
  const { loadFingerprintKey } = require('../secrets/secret-fingerprint') as typeof FingerprintModule;
  const { appendHistory, readHistory } = require('../engine/host-history') as typeof HistoryModule;

  const { command: verb, graph, projectDir, saved, emit, redactor } = request;
  // What the hosts should run afterwards: the graph, or for destroy nothing of its stacks.
  const desired: GraphDocument = verb === 'destroy' ? { ...graph, stacks: graph.stacks.map((s) => ({ ...s, resources: [] })) } : graph;

  let opened: OpenHost[];
  try {
    // Builders too: a plan reads what they have built, and apply builds there.
    opened = await openAllHosts(verb === 'destroy' ? hostsOfStacks(graph.stacks) : hostsToRead(graph), { projectDir, trustNewHosts: request.trustNewHosts }, request.openHost);
  } catch (error) {
    throw failure('unreachable', `cannot ${verb}: not every host can be reached; nothing was changed:\n${indent((error as Error).message)}`);
  }
  const clients = new Map(opened.map((o) => [o.spec.name, o.engine]));
  const locks = new Map<string, LockModule.HeldLocks>();
  // One lock id for the whole run, known before the first lock is taken, so every message
  // (even one printed while a lock is half taken) can name the command that releases it.
  const lockId = newLockId();
  let lockLost: string | undefined;
  const stopRequested = () => request.signal?.aborted === true || lockLost !== undefined;
  let histories = new Map<string, Promise<HistoryModule.HistoryRecord[][]>>();
  emit({ type: 'connected', command: verb, hosts: opened.map((o) => o.spec.name), lockId });
  try {
    for (const stack of graph.stacks) {
      // Every host the run may change: the stack's hosts, and for apply its builders too.
      const lockedHosts = (verb === 'destroy' ? stack.hosts : hostsAndBuildersOf(stack)).filter((h) => clients.has(h.name));
      const lockedClients = [...new Set(lockedHosts.map((h) => clients.get(h.name)!))];
      emit({ type: 'lock-waiting', stack: stack.name, hosts: [...new Set(lockedHosts.map((h) => h.name))], timeoutMs: request.lockTimeoutMs });
      try {
        const held = await lockHosts(lockedClients, {
          stack: stack.name, id: lockId, ttlMs: RUN_LOCK_TTL_MS, renewEveryMs: RUN_LOCK_RENEW_MS, timeoutMs: request.lockTimeoutMs, plan: saved?.graph_hash, message: `hoist ${verb}`,
          signal: request.signal,
          onLost: (host, error) => {
            lockLost ??= host;
            emit({ type: 'lock-lost', host, message: error.message.split('\n')[0] });
          },
        });
        locks.set(stack.name, held);
        emit({ type: 'lock-taken', stack: stack.name, id: held.id, hosts: held.holders.map((h) => h.host) });
        for (const old of held.tookOver) emit({ type: 'lock-taken-over', stack: stack.name, holder: old });
      } catch (error) {
        if (error instanceof LockWaitInterruptedError) throw failure('interrupted', `${verb} stopped while waiting for the locks; nothing was changed (${error.message})`);
        throw failure('lock', `cannot ${verb}: ${(error as Error).message}; nothing was changed`);
      }
    }
    // Every host is read; one that does not answer is reported, not fatal to reading the others.
    const observe = async () => {
      const settled = await Promise.allSettled(opened.map(async (o) => [o.spec.name, await observeHost(o.engine, readsOnHost(desired, o.spec.name))] as const));
      const unreachable = settled.flatMap((r, i) => (r.status === 'rejected' ? [{ host: opened[i].spec.name, error: String((r.reason as Error)?.message ?? r.reason).split('\n')[0] }] : []));
      return { observations: new Map<string, HostObservation>(settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))), unreachable };
    };
    // Which revision comes next is in each host's history: read beside the first observation
    // (its helper containers and volume are neither the stack's nor foreign, so the observation
    // does not see them). Under the locks, as before; a read that fails counts as no history.
    histories = new Map(graph.stacks.map((stack) => [stack.name,
      Promise.all(stack.hosts.map((h) => readHistory(clients.get(h.name)!, stack.name).catch((): HistoryModule.HistoryRecord[] => [])))]));
    const first = await observe();
    if (first.unreachable.length) {
      throw failure('unreachable', `cannot ${verb}: ${first.unreachable.map((u) => `${u.host} could not be read (${u.error})`).join('; ')}; nothing was changed`);
    }
    const observations = first.observations;
    const planOptions = { deleteVolumes: verb === 'destroy' && request.removeVolumes };
    let plan: PlanDocument;
    if (saved) {
      const changed = Object.entries(saved.host_fingerprints).filter(([host, fingerprint]) => observations.get(host) && observationFingerprint(observations.get(host)!) !== fingerprint).map(([host]) => host);
      if (changed.length) {
        throw failure('stale-plan', `saved plan is stale: ${changed.join(', ')} changed since it was made; nothing was changed. Run hoist plan --out again, review it, and apply that`);
      }
      plan = saved;
    } else {
      plan = buildPlan(desired, observations, planOptions);
    }
    emit({ type: 'plan-ready', plan, saved: saved !== undefined });
    const conflicts = plan.stacks.flatMap((s) => s.conflicts);
    if (conflicts.length) throw failure('conflict', `cannot ${verb}: the plan has ${conflicts.length} conflict(s); nothing was changed`);
    if (!hasChanges(plan)) {
      // A run killed between removing a container and its secret volumes leaves a plan with
      // nothing to do: the leftover secret files go now, not only after the next real change.
      await removeLeftoverSecrets(graph, clients, emit);
      emit({ type: 'no-changes', command: verb });
      return { plan, changed: false, revisions: [], summary: plan.summary };
    }
    const blockers = plan.stacks.flatMap((s) => unsupportedActions(s, graph.stacks.find((g) => g.name === s.stack)!));
    const { lintPlannedBuilds, lintPlannedServices, lintBlockers } = require('../lint/plan-lint') as typeof PlanLintModule;
    // Services too, on apply only: a rollback puts back what ran before (its Dockerfiles are no
    // longer the ones on disk), and a destroy creates nothing.
    const linted = asInputProblem(() => [...lintPlannedBuilds(plan, graph, projectDir), ...(verb === 'apply' ? lintPlannedServices(plan, graph, projectDir) : [])]);
    emit({ type: 'lint', results: linted });
    blockers.push(...lintBlockers(linted));
    if (verb === 'rollback') {
      // A rollback runs what was built before; it never builds (the source has moved on).
      for (const s of plan.stacks) {
        for (const a of s.actions.filter((x) => x.action === 'build' || (x.kind === 'image' && x.delivery))) {
          blockers.push(`revision ${request.revision}'s image ${a.name} is no longer on ${a.action === 'build' ? 'its builder or every host' : a.host} (removed beyond keepVersions, or by hand); roll back to a later revision (hoist history), or check out that revision's source and hoist apply it`);
        }
      }
    }
    if (blockers.length) throw failure('blocked', `this ${verb} cannot carry out the plan; nothing was changed:\n${indent(blockers.join('\n'))}`);
    const secrets = new Map<string, SecretValuesModule.SecretValues>();
    const imageSecrets = new Map<string, SecretValuesModule.SecretValues>();
    let key: FingerprintModule.FingerprintKey | undefined;
    const fingerprintKey = () => (key ??= loadFingerprintKey(projectDir));
    const secretProblems: string[] = [];
    for (const stackPlan of plan.stacks) {
      const stack = graph.stacks.find((g) => g.name === stackPlan.stack)!;
      const forContainers = readSecretsForPlan(stackPlan, stack, projectDir, fingerprintKey);
      secrets.set(stackPlan.stack, forContainers.values);
      const forImages = readImageSecrets(stackPlan, stack, projectDir, fingerprintKey);
      imageSecrets.set(stackPlan.stack, forImages.values);
      secretProblems.push(...forContainers.problems, ...forImages.problems);
      redactor.add([...forContainers.values.values(), ...forImages.values.values()]);
    }
    if (secretProblems.length) throw failure('secrets', `cannot ${verb}: secrets cannot be delivered; nothing was changed:\n${indent(secretProblems.join('\n'))}`);
    if (!saved && request.confirm && !(await request.confirm(plan))) throw failure('cancelled', `${verb} cancelled; nothing was changed`);
    if (lockLost) throw failure('lock-lost', `${verb} stopped before any change: the lock on ${lockLost} was lost; nothing was changed`);
    if (request.signal?.aborted) throw failure('interrupted', `${verb} stopped before any change; nothing was changed`);
    emit({ type: 'confirmed', command: verb });

    const results: { stack: string; revision: number; result: ExecuteModule.StackApplyResult }[] = [];
    for (const stackPlan of plan.stacks) {
      if (stackPlan.actions.length === 0) continue;
      const stack = graph.stacks.find((g) => g.name === stackPlan.stack)!;
      // Revisions only grow, also across a destroy (whose containers no longer say theirs).
      const recorded = await histories.get(stack.name)!;
      const revision = Math.max(nextRevision(observations, stack.name), ...recorded.flat().map((r) => r.revision + 1));
      const result = await executeStackPlan(stackPlan, stack, {
        clients, revision, secrets: secrets.get(stack.name)!, imageSecrets: imageSecrets.get(stack.name)!, projectDir, emit, stopRequested, parallelism: request.parallelism,
      });
      results.push({ stack: stack.name, revision, result });
      if (!result.outcomes.every((o) => o.ok) || result.interrupted) break;
    }
    emit({ type: 'executed', command: verb });
    const { observations: afterwards, unreachable } = await observe();
    const versions = runningVersions(plan, afterwards);
    if (versions.length) emit({ type: 'versions', containers: versions });
    for (const u of unreachable) emit({ type: 'verify-unreachable', command: verb, host: u.host, error: u.error });
    const failed = results.flatMap((r) => r.result.outcomes.filter((o) => !o.ok));
    const interrupted = results.some((r) => r.result.interrupted) || stopRequested();
    const notStarted = plan.stacks.flatMap((s) => s.actions.filter((a) => !results.some((r) => r.stack === s.stack && r.result.outcomes.some((o) => o.action === a))));
    await recordHistory(appendHistory, opened, results, graph, verb, locks, emit, redactor);
    await removeLeftoverSecrets(graph, clients, emit);

    if (failed.length || interrupted || unreachable.length) {
      emit({
        type: 'incomplete',
        done: results.flatMap((r) => r.result.outcomes.filter((o) => o.ok)).length,
        failed: failed.length,
        notStarted,
        rolledBack: results.flatMap((r) => r.result.rolledBack),
      });
      if (!failed.length && unreachable.length) throw after('unverified', `${verb} could not check its result: ${unreachable.map((u) => u.host).join(', ')} did not answer; run hoist plan once they do`);
      if (interrupted && !failed.length && lockLost) throw after('lock-lost', `${verb} stopped: its lock on ${lockLost} was lost (another run may be changing the hosts); run hoist plan to see what is left`);
      if (interrupted && !failed.length) throw after('interrupted', `${verb} stopped on request; run hoist plan to see what is left`);
      throw after('failed', `${verb} failed: ${failed.map((f) => `${f.action.name}@${f.action.host}`).join(', ')} (see above); run hoist plan to see where each host stands`);
    }
    // A targeted plan changed only its targets: the rest of the graph is not expected to match.
    const left = buildPlan(desired, afterwards, { ...planOptions, ...(plan.targets ? { targets: plan.targets } : {}) });
    if (hasChanges(left)) {
      const differences = left.stacks.flatMap((s) => s.actions.map((a) => `${describeAction(a)}@${a.host}`));
      throw after('inconsistent', `inconsistent result after ${verb}: the hosts still differ from the graph:\n${indent(differences.join('\n'))}`);
    }
    emit({ type: 'verified', command: verb });
    if (verb !== 'destroy') await pruneAfterApply(graph, clients, emit);
    emit({ type: 'complete', command: verb, summary: plan.summary, ...(request.revision !== undefined ? { revision: request.revision } : {}) });
    return { plan, changed: true, revisions: results.map((r) => ({ stack: r.stack, revision: r.revision })), summary: plan.summary };
  } finally {
    // A history read still under way finishes (and removes its helper container) first.
    await Promise.allSettled(histories.values());
    for (const held of locks.values()) {
      for (const problem of await held.release()) emit({ type: 'lock-release-failed', host: problem.host, id: held.id, error: problem.error });
    }
    for (const host of opened) host.close();
  }
}

/** Runs `work`; an error it throws is a problem of the user's input (a Dockerfile that is not there), not a bug. */
function asInputProblem<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (DeployError.isDeployError(error) || !(error instanceof Error)) throw error;
    throw failure('invalid', error.message);
  }
}

/**
 * Removes the secret volumes of the stacks that no container uses any more: only a run
 * killed between removing a container and its secret volumes leaves any. Still under the
 * locks, so no create of this stack is between making a volume and mounting it.
 */
async function removeLeftoverSecrets(graph: GraphDocument, clients: ReadonlyMap<string, OpenHost['engine']>, emit: (event: DeployEvent) => void): Promise<void> {
  const { removeLeftoverSecretVolumes } = require('../engine/secret-files') as typeof SecretFilesModule;
  await Promise.all(graph.stacks.flatMap((stack) => stack.hosts.map(async (host) => {
    const client = clients.get(host.name);
    if (!client) return;
    await removeLeftoverSecretVolumes(client, stack.name).catch((error: Error) => {
      emit({ type: 'warning', host: host.name, message: `could not remove leftover secret volumes on ${host.name}: ${error.message.split('\n')[0]}; the next apply retries` });
    });
  })));
}

/**
 * Keeps each built image's last versions on every host and builder and removes older ones,
 * once the hosts match the graph. A failure here is a warning: the apply itself succeeded.
 */
async function pruneAfterApply(graph: GraphDocument, clients: ReadonlyMap<string, OpenHost['engine']>, emit: (event: DeployEvent) => void): Promise<void> {
  const { imagesToPrune, removeImages } = require('../engine/prune-images') as typeof PruneModule;
  const removed: string[] = [];
  for (const stack of graph.stacks) {
    if (!stack.resources.some((r) => r.kind === 'image' && 'policy' in r && r.policy)) continue;
    const names = hostsAndBuildersOf(stack).map((h) => h.name);
    await Promise.all(names.map(async (name) => {
      const client = clients.get(name);
      if (!client) return;
      try {
        const result = await removeImages(client, await imagesToPrune(client, stack));
        removed.push(...result.removed.map((i) => `${i.references[0] ?? i.id.slice(7, 19)}@${name}`));
      } catch (error) {
        emit({ type: 'warning', host: name, message: `could not remove old image versions on ${name}: ${(error as Error).message.split('\n')[0]}; hoist prune retries` });
      }
    }));
  }
  if (removed.length) emit({ type: 'pruned', removed: removed.sort() });
}

/** "What runs now" for every service the plan touched: container, host, revision, image, state. */
function runningVersions(plan: PlanDocument, observed: ReadonlyMap<string, HostObservation>): RunningVersion[] {
  const rows: RunningVersion[] = [];
  for (const stackPlan of plan.stacks) {
    const names = new Set(stackPlan.actions.filter((a) => a.kind === 'container').map((a) => a.name.replace(/-hoist-(next|prev)$/, '')));
    for (const [host, observation] of [...observed].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const c of observation.states.get(stackPlan.stack)?.containers ?? []) {
        if (!names.has(c.name)) continue;
        rows.push({ stack: stackPlan.stack, host, container: c.name, revision: c.revision, image: familiarImageReference(c.image), state: c.state.status });
      }
    }
  }
  return rows;
}

async function recordHistory(
  appendHistory: typeof HistoryModule.appendHistory, opened: OpenHost[],
  results: { stack: string; revision: number; result: ExecuteModule.StackApplyResult }[],
  graph: GraphDocument, verb: ChangeCommand, locks: ReadonlyMap<string, LockModule.HeldLocks>, emit: (event: DeployEvent) => void, redactor: Redactor,
): Promise<void> {
  const { graphHash } = require('../plan/build-plan') as typeof BuildPlanModule;
  const time = new Date().toISOString();
  const hash = graphHash(graph);
  const writes: Promise<void>[] = [];
  for (const { stack, revision, result } of results) {
    for (const open of opened) {
      const mine = (a: PlannedAction) => a.host === open.spec.name;
      const outcomes = result.outcomes.filter((o) => mine(o.action));
      if (outcomes.length === 0 && !result.pending.some(mine)) continue;
      const done = { build: 0, create: 0, update: 0, replace: 0, delete: 0 };
      for (const o of outcomes) if (o.ok) done[o.action.action]++;
      // Records outlive the run on the hosts: what a failing container printed is redacted too.
      const failed = outcomes.filter((o) => !o.ok).map((o) => redactor.redact(`${describeAction(o.action)}: ${(o.error ?? '').split('\n')[0]}`));
      const stackGraph = graph.stacks.find((g) => g.name === stack);
      const hostSpec = stackGraph?.hosts.find((h) => h.name === open.spec.name);
      const outcome = result.interrupted ? 'interrupted' : result.rolledBack.length ? 'rolled-back' : result.outcomes.every((o) => o.ok) ? 'applied' : 'failed';
      writes.push(appendHistory(open.engine, {
        id: locks.get(stack)?.id ?? 'unlocked', stack, host: open.spec.name, time, user: currentUser(), machine: os.hostname(), command: verb, outcome,
        revision, graphHash: hash, hoistVersion: require('../../package.json').version, done, failed,
        ...(hostSpec ? { desired: { host: hostSpec, resources: verb === 'destroy' ? [] : stackGraph!.resources.filter((r) => r.host === open.spec.name) } } : {}),
      }).then(
        () => emit({ type: 'history-recorded', stack, host: open.spec.name, revision }),
        (error) => emit({ type: 'warning', host: open.spec.name, message: `could not add to the history on ${open.spec.name}: ${(error as Error).message}` }),
      ));
    }
  }
  await Promise.all(writes);
}

/** The next revision number of a stack: one more than any object of it carries. */
function nextRevision(observations: ReadonlyMap<string, HostObservation>, stack: string): number {
  let max = 0;
  for (const observation of observations.values()) {
    for (const c of observation.states.get(stack)?.containers ?? []) max = Math.max(max, c.revision ?? 0);
  }
  return max + 1;
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}
