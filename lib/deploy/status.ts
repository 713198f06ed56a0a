import type * as ReadStateModule from '../engine/read-host-state';
import { hostsOfStacks } from '../graph/stack-hosts';
import { stackStatus, type HostReading, type StatusDocument } from '../status/stack-status';
import { DeployError } from './deploy-error';
import { positiveInteger, resolveAccess, type ReadOptions } from './deploy-options';
import { resolveSource, type DeploySource } from './deploy-source';
import { forEachHost } from '../drivers/open-host';
import { withRedaction } from './redacting-emitter';

/** Options of {@link status}. */
export interface StatusOptions extends ReadOptions {
  /**
   * Only this stack.
   * @default - every stack of the source
   */
  readonly stack?: string;
}

/**
 * What runs on every host of the stacks, read live, as `hoist status` shows it: per resource
 * its state, health, image, creation time and revision. Every host is read once, in
 * parallel; an unreachable host is reported in the document (`reachable: false`), not thrown,
 * and the others still report. Changes nothing.
 */
export async function status(source: DeploySource, options: StatusOptions = {}): Promise<StatusDocument> {
  return withRedaction(options.onEvent, async () => {
    const access = resolveAccess(options);
    const connectMs = positiveInteger(options.connectTimeoutMs ?? 10_000, 'connectTimeoutMs');
    const { graph, projectDir } = resolveSource(source);
    const stacks = options.stack !== undefined ? graph.stacks.filter((s) => s.name === options.stack) : graph.stacks;
    if (options.stack !== undefined && stacks.length === 0) {
      throw new DeployError('invalid', `no stack named ${options.stack}; stacks: ${graph.stacks.map((s) => s.name).join(', ')}`, { nothingChanged: true });
    }
    const { readHostState } = require('../engine/read-host-state') as typeof ReadStateModule;
    const outcomes = await forEachHost(hostsOfStacks(stacks), {
      projectDir, trustNewHosts: access.trustNewHosts, parallelism: access.parallelism,
      timeouts: { connectMs, keepaliveMs: 5000, attempts: 3 },
    }, async (open) => {
      const states = new Map(await Promise.all(stacks.map(async (s) => [s.name, await readHostState(open.engine, s.name, { inspect: false })] as const)));
      return { engine: open.engine.info, states };
    }, access.openHost);
    return {
      formatVersion: '1.0',
      stacks: stacks.map((stack) => {
        const readings = new Map<string, HostReading>();
        for (const outcome of outcomes) {
          readings.set(outcome.host, outcome.ok
            ? { ok: true, engine: outcome.value.engine, state: outcome.value.states.get(stack.name)! }
            : { ok: false, error: outcome.error });
        }
        return stackStatus(graph, stack.name, readings);
      }),
    };
  });
}
