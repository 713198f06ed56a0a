import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Command } from 'commander';
import type * as ExecuteModule from '../../apply/execute-plan';
import type * as BuildPlanModule from '../../plan/build-plan';
import type * as CollectModule from '../../plan/collect-observations';
import type * as RenderModule from '../../plan/render-plan';
import type * as LockModule from '../../lock/lock-hosts';
import type * as OpenHostModule from '../../transport/open-host';
import type { GraphDocument } from '../../graph/graph-document';
import { hostsOfStacks } from '../../graph/stack-hosts';
import type { HostObservation, PlanDocument } from '../../plan/plan-types';
import { PLAN_FORMAT_VERSION } from '../../plan/plan-types';
import { parseDuration } from '../../values/duration';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { loadGraph } from '../load-graph';

interface ApplyOptions {
  readonly yes: boolean;
  readonly lockTimeout: string;
  readonly trustNewHosts: boolean;
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
}

/** `hoist apply [plan.json]`: carry out a plan on every host, under the hosts' locks. */
export function registerApply(program: Command, io: CliIo): void {
  program.command('apply')
    .description('Carry out a plan: a saved one exactly (refused if any host changed since), or a fresh one after confirmation')
    .argument('[planfile]', 'a plan saved with hoist plan --out')
    .option('-y, --yes', 'do not ask for confirmation (needed when not interactive)', false)
    .option('--lock-timeout <duration>', 'wait this long for another run\'s lock', '0s')
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .option('--graph <file>', 'use a saved graph instead of synthesizing the program')
    .option('-a, --app <file>', 'program to run (default: "app" in hoist.json, else main.ts)')
    .option('-C, --project <dir>', 'project directory', '.')
    .action(async (planfile: string | undefined, options: ApplyOptions) => {
      const lockTimeout = parseDuration(options.lockTimeout);
      if (!lockTimeout.ok) throw new CliError(`--lock-timeout: ${lockTimeout.reason}`);
      const { openAllHosts } = require('../../transport/open-host') as typeof OpenHostModule;
      const { observeHost, stacksOnHost } = require('../../plan/collect-observations') as typeof CollectModule;
      const { buildPlan, hasChanges, observationFingerprint } = require('../../plan/build-plan') as typeof BuildPlanModule;
      const { renderPlanText } = require('../../plan/render-plan') as typeof RenderModule;
      const { lockHosts } = require('../../lock/lock-hosts') as typeof LockModule;
      const { executeStackPlan, unsupportedActions } = require('../../apply/execute-plan') as typeof ExecuteModule;

      let saved: (PlanDocument & { graph: GraphDocument }) | undefined;
      let graph: GraphDocument;
      let projectDir: string;
      if (planfile) {
        saved = readSavedPlan(planfile);
        graph = saved.graph;
        projectDir = path.resolve(options.project ?? '.');
      } else {
        ({ graph, projectDir } = await loadGraph(options, io));
      }

      let opened: OpenHostModule.OpenHost[];
      try {
        opened = await openAllHosts(hostsOfStacks(graph.stacks), { projectDir, trustNewHosts: options.trustNewHosts });
      } catch (error) {
        throw new CliError(`cannot apply: not every host can be reached; nothing was changed:\n${(error as Error).message.split('\n').map((l) => `  ${l}`).join('\n')}`);
      }
      const clients = new Map(opened.map((o) => [o.spec.name, o.engine]));
      const locks: LockModule.HeldLocks[] = [];
      try {
        for (const stack of graph.stacks) {
          try {
            locks.push(await lockHosts(stack.hosts.map((h) => clients.get(h.name)!), { stack: stack.name, ttlMs: 30 * 60_000, timeoutMs: lockTimeout.ms, plan: saved?.graph_hash }));
          } catch (error) {
            throw new CliError(`cannot apply: ${(error as Error).message}; nothing was changed`);
          }
        }
        const observe = async () => new Map<string, HostObservation>(await Promise.all(opened.map(async (o) => [o.spec.name, await observeHost(o.engine, stacksOnHost(graph, o.spec.name))] as const)));
        const observations = await observe();
        let plan: PlanDocument;
        if (saved) {
          const changed = Object.entries(saved.host_fingerprints).filter(([host, fingerprint]) => observations.get(host) && observationFingerprint(observations.get(host)!) !== fingerprint).map(([host]) => host);
          if (changed.length) {
            throw new CliError(`saved plan is stale: ${changed.join(', ')} changed since it was made; nothing was changed. Run hoist plan --out again, review it, and apply that`);
          }
          plan = saved;
        } else {
          plan = buildPlan(graph, observations, { deleteVolumes: false });
          for (const line of renderPlanText(plan, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR })) io.out(line);
        }
        const conflicts = plan.stacks.flatMap((s) => s.conflicts);
        if (conflicts.length) throw new CliError(`cannot apply: the plan has ${conflicts.length} conflict(s); nothing was changed`);
        if (!hasChanges(plan)) {
          io.out('No changes: the hosts match the graph.');
          return;
        }
        const engines = new Map(opened.map((o) => [o.spec.name, o.engine.info.kind] as const));
        const blockers = plan.stacks.flatMap((s) => unsupportedActions(s, graph.stacks.find((g) => g.name === s.stack)!, engines));
        if (blockers.length) throw new CliError(`this apply cannot carry out the plan; nothing was changed:\n${blockers.map((b) => `  ${b}`).join('\n')}`);
        if (!saved && !(await confirmed(options.yes, io))) throw new CliError('apply cancelled; nothing was changed');

        let failed = 0;
        for (const stackPlan of plan.stacks) {
          const stack = graph.stacks.find((g) => g.name === stackPlan.stack)!;
          const revision = nextRevision(observations, stack.name);
          io.out(`Applying stack ${stack.name} (revision ${revision})`);
          const outcomes = await executeStackPlan(stackPlan, stack, clients, revision, (line) => io.out(line));
          failed += outcomes.filter((o) => !o.ok).length;
          const pending = stackPlan.actions.length - outcomes.length;
          if (pending > 0) io.out(`  ${pending} action(s) not started after the failure`);
        }
        if (failed) throw new CliError(`apply failed: ${failed} action(s) failed (see above); run hoist plan to see where each host stands`);
        const after = buildPlan(graph, await observe(), { deleteVolumes: false });
        if (hasChanges(after)) {
          const left = after.stacks.flatMap((s) => s.actions.map((a) => `${a.action} ${a.kind} ${a.name}@${a.host}`));
          throw new CliError(`inconsistent result after apply: the hosts still differ from the graph:\n${left.map((l) => `  ${l}`).join('\n')}`);
        }
        const s = plan.summary;
        io.out(`Apply complete: ${s.create} created, ${s.update} updated, ${s.replace} replaced, ${s.delete} deleted; the hosts match the graph.`);
      } finally {
        for (const held of locks) await held.release().catch(() => undefined);
        for (const open of opened) open.close();
      }
    });
}

function readSavedPlan(file: string): PlanDocument & { graph: GraphDocument } {
  let plan: PlanDocument & { graph: GraphDocument };
  try {
    plan = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read the plan ${file} (${(error as Error).message})`);
  }
  if (String(plan.format_version).split('.')[0] !== PLAN_FORMAT_VERSION.split('.')[0] || !plan.graph || !plan.host_fingerprints) {
    throw new CliError(`${file} is not a plan saved by this hoist (hoist plan --out); make a new one`);
  }
  return plan;
}

/** The next revision number of a stack: one more than any object of it carries. */
function nextRevision(observations: ReadonlyMap<string, HostObservation>, stack: string): number {
  let max = 0;
  for (const observation of observations.values()) {
    for (const c of observation.states.get(stack)?.containers ?? []) max = Math.max(max, c.revision ?? 0);
  }
  return max + 1;
}

/** Asks on a terminal; never waits for input otherwise (CI needs --yes). */
async function confirmed(yes: boolean, io: CliIo): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) {
    throw new CliError('hoist apply needs --yes when not run interactively (or apply a saved plan: hoist apply plan.json); nothing was changed');
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = await new Promise<string>((resolve) => rl.question('Apply these changes? Only "yes" is accepted: ', resolve));
  rl.close();
  if (answer.trim() !== 'yes') io.out('Not applied.');
  return answer.trim() === 'yes';
}
