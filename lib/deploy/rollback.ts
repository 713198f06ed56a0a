import type * as HistoryModule from '../engine/host-history';
import type { GraphDocument, StackGraph } from '../graph/graph-document';
import { DeployError } from './deploy-error';
import { positiveInteger, resolveChange, type ChangeOptions } from './deploy-options';
import { resolveSource, type DeploySource } from './deploy-source';
import { forEachHost } from '../drivers/open-host';
import { withRedaction } from './redacting-emitter';
import { chooseRevision, revisionGraph } from './rollback-revision';
import { runChange, type ChangeResult } from './run-change';

/** Options of {@link rollback}. */
export interface RollbackOptions extends ChangeOptions {
  /**
   * The revision to go back to (`hoist history` lists them).
   * @default - the last applied revision before the current one
   */
  readonly to?: number;
  /**
   * The stack to roll back.
   * @default - the source's only stack (a source with several must name one)
   */
  readonly stack?: string;
}

/**
 * The stack a rollback acts on: the one named, or the graph's only one; a DeployError
 * `invalid` when there is no such stack, or several and none named.
 */
export function rollbackStack(graph: GraphDocument, name: string | undefined): StackGraph {
  const invalid = (message: string) => new DeployError('invalid', message, { nothingChanged: true });
  const stacks = name !== undefined ? graph.stacks.filter((s) => s.name === name) : graph.stacks;
  if (stacks.length === 0) throw invalid(`no stack named ${name}; stacks: ${graph.stacks.map((s) => s.name).join(', ')}`);
  if (stacks.length > 1) throw invalid(`the program has ${stacks.length} stacks (${stacks.map((s) => s.name).join(', ')}); name one with --stack`);
  return stacks[0];
}

/** What {@link rollback} did. */
export interface RollbackResult extends ChangeResult {
  /** The revision the stack was put back to. */
  readonly revision: number;
}

/**
 * Puts a stack back to an earlier applied revision, as the hosts' history recorded it, as
 * `hoist rollback` does: through the same locks, plan, confirmation, health gates and
 * rollback on failure as {@link apply}. It never builds: a revision whose image is gone from
 * a host is refused (DeployError `blocked`).
 *
 * Events: `rollback-target` once the revision is chosen, then those of {@link apply}.
 */
export async function rollback(source: DeploySource, options: RollbackOptions = {}): Promise<RollbackResult> {
  return withRedaction(options.onEvent, async (emit, redactor) => {
    const resolved = resolveChange(options);
    const { graph, projectDir } = resolveSource(source);
    const stack = rollbackStack(graph, options.stack);
    const wanted = options.to === undefined ? undefined : positiveInteger(options.to, 'to');

    const { readHistory } = require('../engine/host-history') as typeof HistoryModule;
    const outcomes = await forEachHost(stack.hosts, { projectDir, trustNewHosts: resolved.trustNewHosts, parallelism: 10 }, (open) => readHistory(open.engine, stack.name), resolved.openHost);
    const unreachable = outcomes.flatMap((o) => (o.ok ? [] : [`${o.host} (${o.error.message.split('\n')[0]})`]));
    if (unreachable.length) throw new DeployError('unreachable', `cannot roll back ${stack.name}: the history of ${unreachable.join(', ')} cannot be read; nothing was changed`, { nothingChanged: true });
    const records = outcomes.flatMap((o) => (o.ok ? o.value : []));
    const target = chooseRevision(stack.name, records, wanted);
    emit({ type: 'rollback-target', stack: stack.name, revision: target });
    const result = await runChange({ ...resolved, command: 'rollback', graph: revisionGraph(stack, records, target), projectDir, revision: target, removeVolumes: false, emit, redactor });
    return { ...result, revision: target };
  });
}
