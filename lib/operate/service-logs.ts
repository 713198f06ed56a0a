import type { EngineDriver } from '../drivers/engine-driver';
import { isNotFound } from '../drivers/engine-error';
import { LABEL } from '../engine/ownership-labels';
import type { ServiceLogLine } from './merge-log-lines';
import { containerName, serviceContainers, serviceOf } from './service-address';

/** Options for {@link readServiceLogs}. */
export interface ServiceLogOptions {
  readonly stack: string;
  readonly service: string;
  /** Keep following (new replicas too) until `signal` aborts. */
  readonly follow: boolean;
  /** Only lines since this time, in seconds since the epoch. @default all */
  readonly since?: number;
  /** The last this many lines of each replica. @default all */
  readonly tail?: number;
  readonly signal: AbortSignal;
  readonly onLine: (line: ServiceLogLine) => void;
  /** A replica that could not be read, with why; the others go on. */
  readonly onProblem: (host: string, message: string) => void;
}

/**
 * Reads the log of every replica of a service on one host's engine (its containers found by
 * their labels, rollout copies included). Following, it also follows each replica that starts
 * later (a rollout's new containers), from the engine's events, until `signal` aborts.
 */
export async function readServiceLogs(engine: EngineDriver, options: ServiceLogOptions): Promise<void> {
  const followed = new Set<string>();
  const reads: Promise<void>[] = [];
  /** Rollouts rename containers: lines are labelled with the name each has now. */
  const renames = new Map<string, (name: string) => void>();
  const follow = (id: string, name: string, since?: number) => {
    if (followed.has(id) || options.signal.aborted) return;
    followed.add(id);
    let current = name;
    reads.push(engine.followLogs(id, {
      follow: options.follow,
      ...(since !== undefined ? { since } : options.since !== undefined ? { since: options.since } : {}),
      ...(since === undefined && options.tail !== undefined ? { tail: options.tail } : {}),
      signal: options.signal,
      onLine: (line) => options.onLine({ ...line, host: engine.host, container: current }),
    }).catch((error: Error) => {
      // A replica removed while it was read (a rollout's old copy) simply ends.
      if (!isNotFound(error)) options.onProblem(engine.host, `${name}: ${error.message}`);
    }));
    renames.set(id, (next) => { current = next; });
  };

  let watching: Promise<void> | undefined;
  if (options.follow) {
    watching = engine.watchEvents({ types: ['container'], labels: [`${LABEL.stack}=${options.stack}`] }, {
      signal: options.signal,
      onEvent: (event) => {
        if (serviceOf(event.attributes, options.stack) !== options.service) return;
        const name = event.name ?? event.attributes.name ?? event.id.slice(0, 12);
        if (event.action === 'start') follow(event.id, name, Math.floor(event.time / 1000) - 1);
        if (event.action === 'rename') renames.get(event.id)?.(name);
      },
    }).catch((error: Error) => options.onProblem(engine.host, `watching for new replicas: ${error.message}`));
  }
  for (const container of serviceContainers(await engine.listContainers(), options.stack, options.service)) {
    follow(container.Id, containerName(container));
  }
  // New reads may start while earlier ones run: wait until none is left.
  for (let done = 0; done < reads.length; done = reads.length) await Promise.all(reads.slice(done));
  if (watching) await watching;
  for (let done = 0; done < reads.length; done = reads.length) await Promise.all(reads.slice(done));
}
