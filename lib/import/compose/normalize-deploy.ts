import { UNSUPPORTED_DEPLOY_KEYS, NOT_A_COMPOSE_KEY } from './compose-keys';
import type { ComposeService } from './compose-model';
import type { ComposeReader, FindingOwner } from './compose-reader';
import { asInteger, asText, isRecord } from './compose-values';
import type { KeyPath } from './read-compose';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** deploy.restart_policy conditions as Compose maps them to the engine's restart policies. */
const RESTART_CONDITIONS: Record<string, 'no' | 'on-failure' | 'always'> = { none: 'no', 'on-failure': 'on-failure', any: 'always' };

/**
 * A service's `deploy`: replicas, resources (limits of cpus, memory and pids; a memory
 * reservation), restart_policy (as Compose maps it to the engine's restart policy) and
 * update_config (parallelism, order, failure_action as Hoist's update strategy). Swarm-only
 * keys go to the unsupported list.
 */
export function normalizeDeploy(r: ComposeReader, value: unknown, at: KeyPath, owner: FindingOwner, service: Mutable<ComposeService>, resources: Mutable<ComposeService['resources']>): void {
  if (!isRecord(value)) {
    r.error(at, 'expected a mapping');
    return;
  }
  for (const k of Object.keys(value)) {
    if (k.startsWith('x-') || ['replicas', 'resources', 'restart_policy', 'update_config'].includes(k)) continue;
    if (k === 'mode' && asText(value.mode) === 'replicated') continue;
    r.skip([...at, k], UNSUPPORTED_DEPLOY_KEYS[k] ?? NOT_A_COMPOSE_KEY, owner);
  }
  if (value.replicas !== undefined) {
    const replicas = asInteger(value.replicas);
    if (replicas === undefined || replicas < 0) r.error([...at, 'replicas'], 'expected a number of containers');
    else service.replicas = replicas;
  }
  if (value.resources !== undefined) {
    const rat = [...at, 'resources'];
    if (!isRecord(value.resources)) {
      r.error(rat, 'expected a mapping');
    } else {
      r.otherKeys(value.resources, rat, ['limits', 'reservations'], {}, owner);
      const limits = value.resources.limits;
      if (isRecord(limits)) {
        r.otherKeys(limits, [...rat, 'limits'], ['cpus', 'memory', 'pids'], {}, owner);
        if (limits.cpus !== undefined) resources.cpus = r.cpus(limits.cpus, [...rat, 'limits', 'cpus'], owner);
        if (limits.memory !== undefined) resources.memory = r.size(limits.memory, [...rat, 'limits', 'memory'], owner);
        if (limits.pids !== undefined) resources.pids = r.pids(limits.pids, [...rat, 'limits', 'pids'], owner);
      }
      const reservations = value.resources.reservations;
      if (isRecord(reservations)) {
        r.otherKeys(reservations, [...rat, 'reservations'], ['memory'], {
          cpus: 'Hoist reserves memory only',
          devices: 'Hoist gives containers no devices (GPUs)',
          generic_resources: 'Hoist reserves memory only',
        }, owner);
        if (reservations.memory !== undefined) resources.memoryReservation = r.size(reservations.memory, [...rat, 'reservations', 'memory'], owner);
      }
    }
  }
  if (value.restart_policy !== undefined) {
    const pat = [...at, 'restart_policy'];
    const policy = value.restart_policy;
    if (!isRecord(policy)) {
      r.error(pat, 'expected a mapping');
    } else {
      r.otherKeys(policy, pat, ['condition', 'max_attempts'], {
        delay: 'Hoist\'s restart policies wait as the engine does',
        window: 'Hoist\'s restart policies have no window',
      }, owner);
      // As Compose maps them to the engine's restart policies.
      const condition = asText(policy.condition) ?? 'any';
      const name = RESTART_CONDITIONS[condition];
      const attempts = policy.max_attempts === undefined ? undefined : asInteger(policy.max_attempts);
      if (name === undefined) r.error([...pat, 'condition'], `${JSON.stringify(condition)} is not a condition (none, on-failure or any)`);
      else service.restart = { where: r.where(pat), policy: name, maxRetries: name === 'on-failure' ? attempts : undefined };
      if (attempts !== undefined && name !== 'on-failure') r.skip([...pat, 'max_attempts'], 'the engine limits restarts only for on-failure', owner);
    }
  }
  if (value.update_config !== undefined) {
    const uat = [...at, 'update_config'];
    const update = value.update_config;
    if (!isRecord(update)) {
      r.error(uat, 'expected a mapping');
    } else {
      r.otherKeys(update, uat, ['parallelism', 'order', 'failure_action'], {
        delay: 'Hoist starts the next batch as soon as the last one is healthy',
        monitor: 'Hoist waits for health up to update.healthTimeout',
        max_failure_ratio: 'Hoist stops at the first failed batch',
      }, owner);
      const u: Mutable<ComposeService['update']> = { where: r.where(uat) };
      if (update.parallelism !== undefined) {
        const n = asInteger(update.parallelism);
        if (n !== undefined && n >= 1) u.batchSize = n;
        else r.skip([...uat, 'parallelism'], 'Hoist updates in batches of 1 or more', owner);
      }
      const order = asText(update.order);
      if (order === 'start-first' || order === 'stop-first') u.order = order;
      else if (order !== undefined) r.error([...uat, 'order'], `${JSON.stringify(order)} is not an order (start-first or stop-first)`);
      const action = asText(update.failure_action);
      if (action === 'rollback' || action === 'pause') u.failureAction = action;
      else if (action !== undefined) r.skip([...uat, 'failure_action'], `Hoist rolls back or pauses on failure, it does not ${action}`, owner);
      service.update = u;
    }
  }
}
