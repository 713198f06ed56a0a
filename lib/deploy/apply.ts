import type { ChangeOptions } from './deploy-options';
import { resolveChange } from './deploy-options';
import { resolveSource, type DeploySource } from './deploy-source';
import { isPlannedChange, type PlannedChange } from './planned-change';
import { withRedaction } from './redacting-emitter';
import { runChange, type ChangeResult } from './run-change';

/**
 * Carries out a change on every host, as `hoist apply` does: the stacks locked on every host
 * (renewed while the run lasts, released however it ends), every host read, the plan made,
 * linted, its secrets read, `confirm` asked, the plan executed (replacements in batches
 * behind health gates, finished batches rolled back on failure), every host read again and
 * checked against the graph, a history record written on each host, old image versions
 * pruned.
 *
 * Given a source (a graph or an App), it plans afresh. Given the result of {@link plan} (or
 * {@link readPlanFile}), it carries out exactly that plan, refused (DeployError `stale-plan`)
 * if any host changed since; `confirm` is not asked again.
 *
 * Every failure is a {@link DeployError} whose `reason` says why and whose `nothingChanged`
 * says whether any host was touched.
 *
 * @example
 * const result = await apply({ graph, projectDir: '.' }, { onEvent: (e) => console.log(e.type) });
 */
export async function apply(target: DeploySource | PlannedChange, options: ChangeOptions = {}): Promise<ChangeResult> {
  return withRedaction(options.onEvent, async (emit, redactor) => {
    const resolved = resolveChange(options);
    if (isPlannedChange(target)) {
      return runChange({ ...resolved, command: 'apply', graph: target.plan.graph, projectDir: target.projectDir, saved: target.plan, removeVolumes: false, emit, redactor });
    }
    const { graph, projectDir } = resolveSource(target);
    return runChange({ ...resolved, command: 'apply', graph, projectDir, removeVolumes: false, emit, redactor });
  });
}
