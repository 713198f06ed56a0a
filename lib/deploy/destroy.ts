import type { ChangeOptions } from './deploy-options';
import { resolveChange } from './deploy-options';
import { resolveSource, type DeploySource } from './deploy-source';
import { withRedaction } from './redacting-emitter';
import { runChange, type ChangeResult } from './run-change';

/** Options of {@link destroy}. */
export interface DestroyOptions extends ChangeOptions {
  /**
   * Also delete the stacks' volumes and the data in them.
   * @default false
   */
  readonly removeVolumes?: boolean;
}

/**
 * Removes what the source's stacks own from their hosts, as `hoist destroy` does: the same
 * locks, plan, confirmation, execution and check as {@link apply}, with nothing desired.
 * Volumes and their data are kept unless `removeVolumes`.
 */
export async function destroy(source: DeploySource, options: DestroyOptions = {}): Promise<ChangeResult> {
  return withRedaction(options.onEvent, async (emit, redactor) => {
    const resolved = resolveChange(options);
    const { graph, projectDir } = resolveSource(source);
    return runChange({ ...resolved, command: 'destroy', graph, projectDir, removeVolumes: options.removeVolumes ?? false, emit, redactor });
  });
}
