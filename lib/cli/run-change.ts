import { currentUser } from '../values/current-user';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Command } from 'commander';
import type * as ExecuteModule from '../apply/execute-plan';
import type * as SecretValuesModule from '../apply/secret-values';
import type * as HistoryModule from '../engine/host-history';
import type * as PruneModule from '../engine/prune-images';
import type * as PlanLintModule from '../lint/plan-lint';
import type * as BuildPlanModule from '../plan/build-plan';
import type * as CollectModule from '../plan/collect-observations';
import type * as RenderModule from '../plan/render-plan';
import type * as LockModule from '../lock/lock-hosts';
import type * as OpenHostModule from '../drivers/open-host';
import type * as FingerprintModule from '../secrets/secret-fingerprint';
import type { GraphDocument } from '../graph/graph-document';
import { hostsAndBuildersOf, hostsOfStacks } from '../graph/stack-hosts';
import { newLockId } from '../engine/host-lock';
import type { HostObservation, PlanDocument, PlannedAction } from '../plan/plan-types';
import { FileRefusedError } from '../graph/file-refused-error';
import type * as ReadSavedPlanModule from '../plan/read-saved-plan';
import { parseDuration } from '../values/duration';
import { familiarImageReference } from '../values/image-reference';
import { createApplyOutput, describeAction, outputMode, type ApplyOutput } from './apply-output';
import { asInputProblem, CliError } from './cli-error';
import type { CliIo } from './cli-io';
import { INTERRUPTED_EXIT_CODE, watchInterrupts } from './interrupts';
import { redactedError, redactingIo } from './redacting-io';
import { Redactor } from '../values/redactor';
import { loadGraph, withGraphSource } from './load-graph';
import { positiveIntegerFlag } from './parse-flags';

/** Options shared by `hoist apply`, `hoist destroy` and `hoist rollback`. */
export interface ChangeOptions {
  readonly command: 'apply' | 'destroy' | 'rollback';
  readonly planfile?: string;
  /** rollback: the earlier revision's graph to apply, instead of the program's. */
  readonly desiredGraph?: { readonly graph: GraphDocument; readonly projectDir: string; readonly revision: number };
  readonly yes: boolean;
  readonly lockTimeout: string;
  readonly trustNewHosts: boolean;
  readonly json: boolean;
  /** destroy: delete the stack's volumes and their data too. */
  readonly removeVolumes?: boolean;
  /** Hosts changed at once within a step. */
  readonly parallelism: string;
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
}

/** The options `hoist apply` and `hoist destroy` share, added to either command. */
export function withChangeOptions(command: Command): Command {
  return withGraphSource(command
    .option('-y, --yes', 'do not ask for confirmation (needed when not interactive)', false)
    .option('--lock-timeout <duration>', 'wait this long for another run\'s lock', '0s')
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .option('--parallelism <n>', 'hosts changed at once within a step', '10'));
}


/**
 * Changes hosts: plan (or a saved plan, checked for staleness), locks on every host, secrets
 * read and checked, confirmation, execution with rollback, a re-read that must match the
 * graph, a report of what runs where and a history record on each host. `destroy` is the
 * same with an empty desired state.
 */
export async function runChange(options: ChangeOptions, io: CliIo): Promise<void> {
  // Every secret value the run reads is added here; from then on no text that came from a
  // host (container logs, health output, engine errors, build output) can show it.
  const redactor = new Redactor();
  try {
    await runChangeRedacted(options, redactingIo(io, redactor), redactor);
  } catch (error) {
    throw redactedError(error, redactor);
  }
}

async function runChangeRedacted(options: ChangeOptions, io: CliIo, redactor: Redactor): Promise<void> {
  const lockTimeout = parseDuration(options.lockTimeout);
  if (!lockTimeout.ok) throw new CliError(`--lock-timeout: ${lockTimeout.reason}`);
  const parallelism = positiveIntegerFlag(options.parallelism, '--parallelism');
  const { openAllHosts } = require('../drivers/open-host') as typeof OpenHostModule;
  const { observeHost, readsOnHost, hostsToRead } = require('../plan/collect-observations') as typeof CollectModule;
  const { buildPlan, hasChanges, observationFingerprint } = require('../plan/build-plan') as typeof BuildPlanModule;
  const { renderPlanText } = require('../plan/render-plan') as typeof RenderModule;
  const { lockHosts, LockWaitInterruptedError, RUN_LOCK_RENEW_MS, RUN_LOCK_TTL_MS } = require('../lock/lock-hosts') as typeof LockModule;
  const { executeStackPlan, unsupportedActions } = require('../apply/execute-plan') as typeof ExecuteModule;
  const { readSecretsForPlan, readImageSecrets } = require('../apply/secret-values') as typeof SecretValuesModule;
  const { loadFingerprintKey } = require('../secrets/secret-fingerprint') as typeof FingerprintModule;
  const { appendHistory, readHistory } = require('../engine/host-history') as typeof HistoryModule;

  const verb = options.command;
  let saved: (PlanDocument & { graph: GraphDocument }) | undefined;
  let graph: GraphDocument;
  let projectDir: string;
  if (options.desiredGraph) {
    ({ graph, projectDir } = options.desiredGraph);
  } else if (options.planfile) {
    saved = readSavedPlan(options.planfile);
    graph = saved.graph;
    projectDir = path.resolve(options.project ?? '.');
  } else {
    ({ graph, projectDir } = await loadGraph(options, io));
  }
  // What the hosts should run afterwards: the graph, or for destroy nothing of its stacks.
  const desired: GraphDocument = verb === 'destroy' ? { ...graph, stacks: graph.stacks.map((s) => ({ ...s, resources: [] })) } : graph;
  const output = createApplyOutput(io, outputMode(options.json));

  let opened: OpenHostModule.OpenHost[];
  try {
    // Builders too: a plan reads what they have built, and apply builds there.
    opened = await openAllHosts(verb === 'destroy' ? hostsOfStacks(graph.stacks) : hostsToRead(graph), { projectDir, trustNewHosts: options.trustNewHosts });
  } catch (error) {
    throw new CliError(`cannot ${verb}: not every host can be reached; nothing was changed:\n${indent((error as Error).message)}`);
  }
  const clients = new Map(opened.map((o) => [o.spec.name, o.engine]));
  const locks = new Map<string, LockModule.HeldLocks>();
  // One lock id for the whole run, known before the first lock is taken, so every message
  // (even one printed while a lock is half taken) can name the command that releases it.
  const lockId = newLockId();
  const stopLocking = new AbortController();
  let lockLost: string | undefined;
  const interrupts = watchInterrupts(
    () => {
      stopLocking.abort();
      io.err(`Stopping: no new step starts; the running one finishes (or is undone), then locks are released. Press Ctrl-C again to exit at once.`);
    },
    () => {
      io.err(`Exiting at once: work may be half done and the locks stay held. Run hoist plan to see each host's state; release the locks with hoist lock release --id ${lockId}.`);
      process.exit(INTERRUPTED_EXIT_CODE);
    },
  );
  const stopRequested = () => interrupts.requested() || lockLost !== undefined;
  try {
    for (const stack of graph.stacks) {
      // Every host the run may change: the stack's hosts, and for apply its builders too.
      const lockedHosts = (verb === 'destroy' ? stack.hosts : hostsAndBuildersOf(stack)).filter((h) => clients.has(h.name));
      try {
        const held = await lockHosts([...new Set(lockedHosts.map((h) => clients.get(h.name)!))], {
          stack: stack.name, id: lockId, ttlMs: RUN_LOCK_TTL_MS, renewEveryMs: RUN_LOCK_RENEW_MS, timeoutMs: lockTimeout.ms, plan: saved?.graph_hash, message: `hoist ${verb}`,
          signal: stopLocking.signal,
          onLost: (host, error) => {
            lockLost ??= host;
            io.err(`warning: ${error.message.split('\n')[0]}; stopping: no new step starts`);
          },
        });
        locks.set(stack.name, held);
        for (const old of held.tookOver) io.err(`warning: took over the expired lock of ${old.user}@${old.machine} (id ${old.id}, expired ${old.expires}) on ${old.host}`);
      } catch (error) {
        if (error instanceof LockWaitInterruptedError) throw new CliError(`${verb} stopped while waiting for the locks; nothing was changed (${error.message})`, INTERRUPTED_EXIT_CODE);
        throw new CliError(`cannot ${verb}: ${(error as Error).message}; nothing was changed`);
      }
    }
    // Every host is read; one that does not answer is reported, not fatal to reading the others.
    const observe = async () => {
      const settled = await Promise.allSettled(opened.map(async (o) => [o.spec.name, await observeHost(o.engine, readsOnHost(desired, o.spec.name))] as const));
      const unreachable = settled.flatMap((r, i) => (r.status === 'rejected' ? [{ host: opened[i].spec.name, error: String((r.reason as Error)?.message ?? r.reason).split('\n')[0] }] : []));
      return { observations: new Map<string, HostObservation>(settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))), unreachable };
    };
    const first = await observe();
    if (first.unreachable.length) {
      throw new CliError(`cannot ${verb}: ${first.unreachable.map((u) => `${u.host} could not be read (${u.error})`).join('; ')}; nothing was changed`);
    }
    const observations = first.observations;
    const planOptions = { deleteVolumes: verb === 'destroy' && options.removeVolumes === true };
    let plan: PlanDocument;
    if (saved) {
      const changed = Object.entries(saved.host_fingerprints).filter(([host, fingerprint]) => observations.get(host) && observationFingerprint(observations.get(host)!) !== fingerprint).map(([host]) => host);
      if (changed.length) {
        throw new CliError(`saved plan is stale: ${changed.join(', ')} changed since it was made; nothing was changed. Run hoist plan --out again, review it, and apply that`);
      }
      plan = saved;
    } else {
      plan = buildPlan(desired, observations, planOptions);
      if (options.json) output.record('plan', { plan });
      else for (const line of renderPlanText(plan, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR })) io.out(line);
    }
    const conflicts = plan.stacks.flatMap((s) => s.conflicts);
    if (conflicts.length) throw new CliError(`cannot ${verb}: the plan has ${conflicts.length} conflict(s); nothing was changed`);
    if (!hasChanges(plan)) {
      output.message(verb === 'destroy' ? 'Nothing to destroy: the stacks have nothing on their hosts.' : 'No changes: the hosts match the graph.');
      return;
    }
    const blockers = plan.stacks.flatMap((s) => unsupportedActions(s, graph.stacks.find((g) => g.name === s.stack)!));
    const { lintPlannedBuilds, lintPlannedServices, lintLines, lintBlockers } = require('../lint/plan-lint') as typeof PlanLintModule;
    // Services too, on apply only: a rollback puts back what ran before (its Dockerfiles are no
    // longer the ones on disk), and a destroy creates nothing.
    const linted = asInputProblem(() => [...lintPlannedBuilds(plan, graph, projectDir), ...(verb === 'apply' ? lintPlannedServices(plan, graph, projectDir) : [])]);
    if (!options.json) for (const line of lintLines(linted)) io.err(line);
    blockers.push(...lintBlockers(linted));
    if (verb === 'rollback') {
      // A rollback runs what was built before; it never builds (the source has moved on).
      for (const s of plan.stacks) {
        for (const a of s.actions.filter((x) => x.action === 'build' || (x.kind === 'image' && x.delivery))) {
          blockers.push(`revision ${options.desiredGraph!.revision}'s image ${a.name} is no longer on ${a.action === 'build' ? 'its builder or every host' : a.host} (removed beyond keepVersions, or by hand); roll back to a later revision (hoist history), or check out that revision's source and hoist apply it`);
        }
      }
    }
    if (blockers.length) throw new CliError(`this ${verb} cannot carry out the plan; nothing was changed:\n${indent(blockers.join('\n'))}`);
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
    if (secretProblems.length) throw new CliError(`cannot ${verb}: secrets cannot be delivered; nothing was changed:\n${indent(secretProblems.join('\n'))}`);
    if (!saved && !(await confirmed(options.yes, verb, io, interrupts.requested))) throw new CliError(`${verb} cancelled; nothing was changed`);
    if (lockLost) throw new CliError(`${verb} stopped before any change: the lock on ${lockLost} was lost; nothing was changed`);
    if (interrupts.requested()) throw new CliError(`${verb} stopped before any change; nothing was changed`, INTERRUPTED_EXIT_CODE);

    const results: { stack: string; revision: number; result: ExecuteModule.StackApplyResult }[] = [];
    for (const stackPlan of plan.stacks) {
      if (stackPlan.actions.length === 0) continue;
      const stack = graph.stacks.find((g) => g.name === stackPlan.stack)!;
      // Revisions only grow, also across a destroy (whose containers no longer say theirs).
      const recorded = await Promise.all(stack.hosts.map((h) => readHistory(clients.get(h.name)!, stack.name).catch(() => [])));
      const revision = Math.max(nextRevision(observations, stack.name), ...recorded.flat().map((r) => r.revision + 1));
      const result = await executeStackPlan(stackPlan, stack, {
        clients, revision, secrets: secrets.get(stack.name)!, imageSecrets: imageSecrets.get(stack.name)!, projectDir, emit: (event) => output.event(event), stopRequested, parallelism,
      });
      results.push({ stack: stack.name, revision, result });
      if (!result.outcomes.every((o) => o.ok) || result.interrupted) break;
    }
    output.close();
    const { observations: after, unreachable } = await observe();
    reportVersions(plan, after, output);
    for (const u of unreachable) output.message(`  ${u.host}: did not answer after the ${verb} (${u.error}); its state is unknown`);
    const failed = results.flatMap((r) => r.result.outcomes.filter((o) => !o.ok));
    const interrupted = results.some((r) => r.result.interrupted) || stopRequested();
    const notStarted = plan.stacks.flatMap((s) => s.actions.filter((a) => !results.some((r) => r.stack === s.stack && r.result.outcomes.some((o) => o.action === a))));
    await recordHistory(appendHistory, opened, results, graph, verb, locks, io, redactor);
    await removeLeftoverSecrets(graph, clients, io);

    if (failed.length || interrupted || unreachable.length) {
      const rolledBack = results.flatMap((r) => r.result.rolledBack);
      const lines = [
        `${results.flatMap((r) => r.result.outcomes.filter((o) => o.ok)).length} action(s) done, ${failed.length} failed, ${notStarted.length} not started`,
        ...notStarted.map((a) => `  not started: ${describeAction(a)}@${a.host}`),
        ...rolledBack.map((r) => `  ${r.ok ? 'rolled back' : 'could NOT roll back'}: ${r.name}@${r.host}${r.error ? ` (${r.error.split('\n')[0]})` : ''}`),
      ];
      output.message(lines.join('\n'));
      if (!failed.length && unreachable.length) throw new CliError(`${verb} could not check its result: ${unreachable.map((u) => u.host).join(', ')} did not answer; run hoist plan once they do`);
      if (interrupted && !failed.length && lockLost) throw new CliError(`${verb} stopped: its lock on ${lockLost} was lost (another run may be changing the hosts); run hoist plan to see what is left`);
      if (interrupted && !failed.length) throw new CliError(`${verb} stopped on request; run hoist plan to see what is left`, INTERRUPTED_EXIT_CODE);
      throw new CliError(`${verb} failed: ${failed.map((f) => `${f.action.name}@${f.action.host}`).join(', ')} (see above); run hoist plan to see where each host stands`);
    }
    // A targeted plan changed only its targets: the rest of the graph is not expected to match.
    const left = buildPlan(desired, after, { ...planOptions, ...(plan.targets ? { targets: plan.targets } : {}) });
    if (hasChanges(left)) {
      const differences = left.stacks.flatMap((s) => s.actions.map((a) => `${describeAction(a)}@${a.host}`));
      throw new CliError(`inconsistent result after ${verb}: the hosts still differ from the graph:\n${indent(differences.join('\n'))}`);
    }
    if (verb !== 'destroy') await pruneAfterApply(graph, clients, output, io);
    const s = plan.summary;
    output.message(`${verb === 'destroy' ? 'Destroy' : verb === 'rollback' ? `Rollback to revision ${options.desiredGraph!.revision}` : 'Apply'} complete: ${s.build ? `${s.build} built, ` : ''}${s.create} created, ${s.update} updated, ${s.replace} replaced, ${s.delete} deleted; the hosts match the graph.`);
    output.record('result', { ok: true, summary: s });
  } finally {
    output.close();
    interrupts.dispose();
    for (const held of locks.values()) {
      for (const failure of await held.release()) {
        io.err(`warning: the lock on ${failure.host} could not be released (${failure.error}); once the host answers, run: hoist lock release --id ${held.id}`);
      }
    }
    for (const open of opened) open.close();
  }
}

/**
 * Removes the secret volumes of the stacks that no container uses any more: only a run
 * killed between removing a container and its secret volumes leaves any. Still under the
 * locks, so no create of this stack is between making a volume and mounting it.
 */
async function removeLeftoverSecrets(graph: GraphDocument, clients: ReadonlyMap<string, OpenHostModule.OpenHost['engine']>, io: CliIo): Promise<void> {
  const { removeLeftoverSecretVolumes } = require('../engine/secret-files') as typeof import('../engine/secret-files');
  await Promise.all(graph.stacks.flatMap((stack) => stack.hosts.map(async (host) => {
    const client = clients.get(host.name);
    if (!client) return;
    await removeLeftoverSecretVolumes(client, stack.name).catch((error: Error) => {
      io.err(`warning: could not remove leftover secret volumes on ${host.name}: ${error.message.split('\n')[0]}; the next apply retries`);
    });
  })));
}

/**
 * Keeps each built image's last versions on every host and builder and removes older ones,
 * once the hosts match the graph. A failure here is a warning: the apply itself succeeded.
 */
async function pruneAfterApply(graph: GraphDocument, clients: ReadonlyMap<string, OpenHostModule.OpenHost['engine']>, output: ApplyOutput, io: CliIo): Promise<void> {
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
        io.err(`warning: could not remove old image versions on ${name}: ${(error as Error).message.split('\n')[0]}; hoist prune retries`);
      }
    }));
  }
  if (removed.length) output.message(`Removed ${removed.length} old image version(s) beyond each image's keepVersions: ${removed.sort().join(', ')}`);
}

/** "What runs now" for every service the plan touched: container, host, revision, image, state. */
function reportVersions(plan: PlanDocument, after: ReadonlyMap<string, HostObservation>, output: ApplyOutput): void {
  const lines: string[] = [];
  const rows: Record<string, unknown>[] = [];
  for (const stackPlan of plan.stacks) {
    const names = new Set(stackPlan.actions.filter((a) => a.kind === 'container').map((a) => a.name.replace(/-hoist-(next|prev)$/, '')));
    for (const [host, observation] of [...after].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const c of observation.states.get(stackPlan.stack)?.containers ?? []) {
        if (!names.has(c.name)) continue;
        const image = familiarImageReference(c.image);
        rows.push({ stack: stackPlan.stack, host, container: c.name, revision: c.revision, image, state: c.state.status });
        lines.push(`  ${c.name}@${host}: revision ${c.revision ?? '?'}, ${image}, ${c.state.status}`);
      }
    }
  }
  if (lines.length === 0) return;
  output.message(['What runs now:', ...lines.sort()].join('\n'));
  output.record('versions', { containers: rows });
}

async function recordHistory(
  appendHistory: typeof HistoryModule.appendHistory, opened: OpenHostModule.OpenHost[],
  results: { stack: string; revision: number; result: ExecuteModule.StackApplyResult }[],
  graph: GraphDocument, verb: 'apply' | 'destroy' | 'rollback', locks: ReadonlyMap<string, LockModule.HeldLocks>, io: CliIo, redactor: Redactor,
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
      }).catch((error) => io.err(`warning: could not add to the history on ${open.spec.name}: ${(error as Error).message}`)));
    }
  }
  await Promise.all(writes);
}


function readSavedPlan(file: string): PlanDocument & { graph: GraphDocument } {
  // Checked in full (hashes, names, hosts) before any host is contacted.
  const { readSavedPlanFile } = require('../plan/read-saved-plan') as typeof ReadSavedPlanModule;
  try {
    return readSavedPlanFile(file);
  } catch (error) {
    throw error instanceof FileRefusedError ? new CliError(error.message) : error;
  }
}

/** The next revision number of a stack: one more than any object of it carries. */
function nextRevision(observations: ReadonlyMap<string, HostObservation>, stack: string): number {
  let max = 0;
  for (const observation of observations.values()) {
    for (const c of observation.states.get(stack)?.containers ?? []) max = Math.max(max, c.revision ?? 0);
  }
  return max + 1;
}

/** Asks on a terminal (default No); never waits for input otherwise (CI needs --yes). */
async function confirmed(yes: boolean, verb: 'apply' | 'destroy' | 'rollback', io: CliIo, interrupted: () => boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) {
    throw new CliError(`hoist ${verb} needs --yes when not run interactively${verb === 'apply' ? ' (or apply a saved plan: hoist apply plan.json)' : ''}; nothing was changed`);
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const question = verb === 'destroy' ? 'Destroy these objects? Only "yes" is accepted: ' : verb === 'rollback' ? 'Roll back? Only "yes" is accepted: ' : 'Apply these changes? Only "yes" is accepted: ';
  const answer = await new Promise<string>((resolve) => {
    rl.on('SIGINT', () => resolve(''));
    rl.question(question, resolve);
  });
  rl.close();
  const ok = answer.trim() === 'yes' && !interrupted();
  if (!ok) io.out(verb === 'destroy' ? 'Not destroyed.' : 'Not applied.');
  return ok;
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}
