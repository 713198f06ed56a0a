import type * as PlanLintModule from '../lint/plan-lint';
import type * as BuildPlanModule from '../plan/build-plan';
import type * as CollectModule from '../plan/collect-observations';
import type { HostObservation } from '../plan/plan-types';
import { DeployError } from './deploy-error';
import { positiveInteger, resolveAccess, type ReadOptions } from './deploy-options';
import { resolveSource, type DeploySource } from './deploy-source';
import { forEachHost } from '../drivers/open-host';
import type { PlanResult } from './planned-change';
import { withRedaction } from './redacting-emitter';

/** Options of {@link plan}. */
export interface PlanOptions extends ReadOptions {
  /**
   * Delete volumes that left the graph, and their data.
   * @default false
   */
  readonly deleteVolumes?: boolean;
  /**
   * Plan only these resources or construct paths (exceptional use: the rest of the graph is
   * left as it is).
   * @default - the whole graph
   */
  readonly targets?: readonly string[];
}

/**
 * Compares the graph with what runs on every host and returns the exact plan, as `hoist plan`
 * shows it: every host is read (all or nothing), the images the plan builds and the services
 * it (re)creates are linted. Changes nothing. Pass the result to {@link apply} to carry out
 * exactly this plan (refused if any host changed since).
 *
 * Events: `plan-ready`, then `lint`. Fails with DeployError `unreachable` when a host cannot
 * be read, `invalid` for bad options or a program that does not validate.
 *
 * @example
 * const result = await plan({ graph, projectDir: '.' });
 * if (result.hasChanges) await apply(result);
 */
export async function plan(source: DeploySource, options: PlanOptions = {}): Promise<PlanResult> {
  return withRedaction(options.onEvent, async (emit) => {
    const access = resolveAccess(options);
    const connectMs = positiveInteger(options.connectTimeoutMs ?? 10_000, 'connectTimeoutMs');
    const { graph, projectDir } = resolveSource(source);
    const { observeHost, readsOnHost, hostsToRead } = require('../plan/collect-observations') as typeof CollectModule;
    const { buildPlan, hasChanges } = require('../plan/build-plan') as typeof BuildPlanModule;
    const outcomes = await forEachHost(hostsToRead(graph), {
      projectDir, trustNewHosts: access.trustNewHosts, parallelism: access.parallelism,
      timeouts: { connectMs, keepaliveMs: 5000, attempts: 3 },
    }, (open) => observeHost(open.engine, readsOnHost(graph, open.spec.name)), access.openHost);
    const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
    if (failures.length) {
      throw new DeployError('unreachable', `cannot plan: ${failures.length} host(s) could not be read, and a plan needs every host:\n${failures.map((e) => `  ${e.message}`).join('\n')}`, { nothingChanged: true });
    }
    const observations = new Map<string, HostObservation>(outcomes.flatMap((o) => (o.ok ? [[o.host, o.value] as const] : [])));
    const targets = options.targets?.length ? [...options.targets] : undefined;
    const made = buildPlan(graph, observations, { deleteVolumes: options.deleteVolumes ?? false, targets });
    emit({ type: 'plan-ready', plan: made, saved: false });
    // Images about to be built and services about to be (re)created are linted here too, so a
    // pull request's plan shows their pitfalls.
    const { lintPlannedBuilds, lintPlannedServices } = require('../lint/plan-lint') as typeof PlanLintModule;
    let lint: PlanResult['lint'];
    try {
      lint = [...lintPlannedBuilds(made, graph, projectDir), ...lintPlannedServices(made, graph, projectDir)];
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      throw new DeployError('invalid', error.message, { nothingChanged: true });
    }
    emit({ type: 'lint', results: lint });
    return {
      plan: { ...made, graph },
      projectDir,
      hasChanges: hasChanges(made),
      conflicts: made.stacks.flatMap((s) => s.conflicts),
      lint,
    };
  });
}
