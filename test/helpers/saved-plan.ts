import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { canonicalJsonPretty } from '../../lib/graph/canonical-json';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { hostsAndBuildersOf } from '../../lib/graph/stack-hosts';
import { buildPlan } from '../../lib/plan/build-plan';
import type { HostObservation } from '../../lib/plan/plan-types';

/** The examples whose synthesized graphs are kept as snapshots (test/unit/examples.test.ts keeps them current). */
export const EXAMPLES = ['webapp', 'multi-host'] as const;

/** An example's graph exactly as `hoist synth` wrote it. */
export function exampleGraphText(name: (typeof EXAMPLES)[number]): string {
  return fs.readFileSync(path.join(__dirname, '..', 'snapshots', `${name}.graph.json`), 'utf8');
}

/** What every host and builder of the graph reports when it runs nothing yet. */
export function emptyObservations(graph: GraphDocument): Map<string, HostObservation> {
  const observations = new Map<string, HostObservation>();
  for (const stack of graph.stacks) {
    for (const host of hostsAndBuildersOf(stack)) {
      const states = new Map(observations.get(host.name)?.states ?? []);
      states.set(stack.name, { host: host.name, engine: 'docker', containers: [], images: [], networks: [], volumes: [], foreign: [] });
      observations.set(host.name, { engine: 'docker', states });
    }
  }
  return observations;
}

/** The file `hoist plan --out` writes for `graph` on empty hosts: the plan with its graph, canonical JSON. */
export function savedPlanText(graph: GraphDocument): string {
  const plan = buildPlan(graph, emptyObservations(graph), { deleteVolumes: false, now: new Date('2026-11-27T05:00:00.000Z') });
  return canonicalJsonPretty({ ...plan, graph });
}

/** A fresh directory for files a test writes. */
export function scratchDir(prefix = 'hoist-files-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
