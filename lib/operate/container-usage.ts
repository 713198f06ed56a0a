import type { EngineDriver } from '../drivers/engine-driver';
import { HELPER_LABEL, LABEL } from '../engine/ownership-labels';
import { isLockContainer } from '../engine/host-lock';
import { containerName, serviceOf } from './service-address';

/** One container's resource use, as `hoist top` shows it. */
export interface ContainerUsage {
  readonly host: string;
  readonly stack: string;
  readonly service: string;
  readonly container: string;
  /** running, exited, restarting, ... */
  readonly state: string;
  /** Share of one CPU (1.5 = one and a half); null when not running or not measured. */
  readonly cpus: number | null;
  readonly memoryBytes: number | null;
  /** Null when unlimited (or not running). */
  readonly memoryLimitBytes: number | null;
  readonly networkRxBytes: number | null;
  readonly networkTxBytes: number | null;
  readonly pids: number | null;
  /** How often the engine restarted it (its restart policy at work). */
  readonly restarts: number;
}

/**
 * The resource use of every container of the stacks on one host (all of Hoist's stacks, or
 * `stacks`): one stats sample of each running container and its restart count, read in
 * parallel over the host's one connection. Lock and helper containers are left out.
 */
export async function readContainerUsage(engine: EngineDriver, stacks?: readonly string[]): Promise<ContainerUsage[]> {
  const containers = (await engine.listContainers()).filter((c) => {
    const stack = c.Labels?.[LABEL.stack];
    return stack !== undefined && !isLockContainer(c.Labels) && !c.Labels?.[HELPER_LABEL] && (!stacks || stacks.includes(stack));
  });
  const rows = await Promise.all(containers.map(async (c): Promise<ContainerUsage> => {
    const stack = c.Labels![LABEL.stack];
    const running = c.State === 'running';
    const [stats, inspect] = await Promise.all([
      running ? engine.stats(c.Id).catch(() => null) : Promise.resolve(null),
      engine.inspectContainer(c.Id).catch(() => null),
    ]);
    return {
      host: engine.host, stack, service: serviceOf(c.Labels, stack) ?? '', container: containerName(c), state: c.State,
      // Engines report the host's memory as the limit of an unlimited container.
      cpus: stats?.cpus ?? null, memoryBytes: stats?.memoryBytes ?? null,
      memoryLimitBytes: Number((inspect?.HostConfig as { Memory?: number } | undefined)?.Memory ?? 0) > 0 ? stats?.memoryLimitBytes ?? null : null,
      networkRxBytes: stats?.networkRxBytes ?? null, networkTxBytes: stats?.networkTxBytes ?? null, pids: stats?.pids ?? null,
      restarts: Number((inspect as { RestartCount?: number } | null)?.RestartCount ?? 0),
    };
  }));
  return rows.sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0) || (a.container < b.container ? -1 : a.container > b.container ? 1 : 0));
}

/** Bytes for people: `512.0 MiB`, `1.2 GiB`, `980 B`. */
export function humanBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The table `hoist top` prints: one line per container, columns aligned. */
export function usageTable(rows: readonly ContainerUsage[]): string[] {
  const header = ['HOST', 'STACK', 'SERVICE', 'CONTAINER', 'STATE', 'CPU %', 'MEMORY / LIMIT', 'MEM %', 'NET RX / TX', 'PIDS', 'RESTARTS'];
  const body = rows.map((r) => [
    r.host, r.stack, r.service || '-', r.container, r.state,
    r.cpus === null ? '-' : (r.cpus * 100).toFixed(1),
    `${humanBytes(r.memoryBytes)} / ${r.memoryLimitBytes === null ? (r.memoryBytes === null ? '-' : 'no limit') : humanBytes(r.memoryLimitBytes)}`,
    r.memoryBytes !== null && r.memoryLimitBytes ? ((100 * r.memoryBytes) / r.memoryLimitBytes).toFixed(1) : '-',
    r.networkRxBytes === null ? '-' : `${humanBytes(r.networkRxBytes)} / ${humanBytes(r.networkTxBytes)}`,
    r.pids === null ? '-' : String(r.pids),
    String(r.restarts),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  return [header, ...body].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}
