import type { ContainerResource, GraphDocument, HostSpec } from '../graph/graph-document';
import type { EngineInfo } from '../drivers/engine-driver';
import type { ObservedHostState } from '../engine/read-host-state';

/** One container's row in `hoist status`. */
export interface ResourceStatus {
  readonly resource: string;
  readonly name: string;
  readonly service: string;
  /** running, exited, restarting, created, paused, dead, missing (in the graph, not on the host) or orphan (on the host, not in the graph). */
  readonly state: string;
  readonly exitCode: number | null;
  readonly health: string | null;
  readonly image: string | null;
  readonly created: string | null;
  readonly revision: number | null;
  readonly inSync: boolean | null;
}

export interface HostStatus {
  readonly host: string;
  readonly address: string;
  readonly reachable: boolean;
  readonly error: string | null;
  readonly engine: { readonly kind: string; readonly version: string; readonly apiVersion: string } | null;
  readonly resources: ResourceStatus[];
  /** Objects named like the stack's without its labels. */
  readonly foreign: { readonly kind: string; readonly name: string }[];
}

export interface StackStatus {
  readonly stack: string;
  readonly hosts: HostStatus[];
}

/** The versioned `hoist status --json` document. */
export interface StatusDocument {
  readonly formatVersion: '1.0';
  readonly stacks: StackStatus[];
}

/** What was read from one host, or why it could not be. */
export type HostReading = { readonly ok: true; readonly engine: EngineInfo; readonly state: ObservedHostState } | { readonly ok: false; readonly error: Error };

/**
 * Puts the graph's containers and what runs on each host side by side: pure, so it is tested
 * without hosts. A host that could not be read is reported with its error; the others show.
 */
export function stackStatus(graph: GraphDocument, stackName: string, readings: ReadonlyMap<string, HostReading>): StackStatus {
  const stack = graph.stacks.find((s) => s.name === stackName);
  if (!stack) throw new Error(`no stack named ${stackName} in the graph`);
  return {
    stack: stack.name,
    hosts: stack.hosts.map((host) => hostStatus(host, stack.resources.filter((r): r is ContainerResource => r.kind === 'container' && r.host === host.name), readings.get(host.name))),
  };
}

function hostStatus(host: HostSpec, desired: ContainerResource[], reading: HostReading | undefined): HostStatus {
  if (!reading || !reading.ok) {
    return { host: host.name, address: host.address, reachable: false, error: reading?.ok === false ? reading.error.message : 'not read', engine: null, resources: [], foreign: [] };
  }
  const observed = reading.state.containers;
  const rows: ResourceStatus[] = desired.map((want) => {
    const got = observed.find((c) => c.resourceId === want.id);
    if (!got) {
      return { resource: want.id, name: want.spec.name, service: want.spec.service, state: 'missing', exitCode: null, health: null, image: null, created: null, revision: null, inSync: false };
    }
    return {
      resource: want.id, name: got.name, service: want.spec.service, state: got.state.status, exitCode: got.state.exitCode, health: got.state.health,
      image: got.image, created: got.created, revision: got.revision, inSync: got.specHash === want.hash,
    };
  });
  for (const got of observed) {
    if (!desired.some((d) => d.id === got.resourceId)) {
      rows.push({ resource: got.resourceId ?? '', name: got.name, service: '', state: 'orphan', exitCode: got.state.exitCode, health: got.state.health, image: got.image, created: got.created, revision: got.revision, inSync: null });
    }
  }
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    host: host.name,
    address: host.address,
    reachable: true,
    error: null,
    engine: { kind: reading.engine.kind, version: reading.engine.version, apiVersion: reading.engine.apiVersion },
    resources: rows,
    foreign: reading.state.foreign.map((f) => ({ kind: f.kind, name: f.name })),
  };
}

/** Human-readable lines for `hoist status`. */
export function formatStatus(document: StatusDocument): string[] {
  const lines: string[] = [];
  for (const stack of document.stacks) {
    lines.push(`Stack ${stack.stack}`);
    for (const host of stack.hosts) {
      if (!host.reachable) {
        lines.push(`  ${host.host} (${host.address}): UNREACHABLE: ${host.error}`);
        continue;
      }
      lines.push(`  ${host.host} (${host.address}, ${host.engine!.kind} ${host.engine!.version})`);
      if (host.resources.length === 0) lines.push('    no containers of this stack');
      for (const r of host.resources) {
        const state = r.state === 'exited' && r.exitCode !== null ? `exited (${r.exitCode})` : r.state;
        const notes = [r.health, r.inSync === false && r.state !== 'missing' ? 'out of date' : null].filter(Boolean).join(', ');
        lines.push(`    ${r.name.padEnd(28)} ${state.padEnd(12)} ${(notes || '-').padEnd(20)} ${(r.image ?? '-').padEnd(28)} ${r.revision === null ? '' : `rev ${r.revision}`}`.trimEnd());
      }
      for (const f of host.foreign) lines.push(`    ${f.name.padEnd(28)} not Hoist's: a ${f.kind} with this stack's name prefix but without its labels (left alone)`);
    }
  }
  return lines;
}
