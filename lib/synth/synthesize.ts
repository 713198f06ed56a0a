import type { SynthRoot } from './synth-root';
import { Host } from '../core/host';
import { Inventory } from '../core/inventory';
import { Network } from '../core/network';
import { Secret } from '../core/secret';
import { Service } from '../core/service';
import { Stack } from '../core/stack';
import { Volume } from '../core/volume';
import { GRAPH_FORMAT_VERSION, GraphDocument, StackGraph } from '../graph/graph-document';
import { compareStrings, Problems } from './problems';
import { FingerprintKey, loadFingerprintKey } from '../secrets/secret-fingerprint';
import { synthPipelines } from './synth-pipelines';
import { synthStack } from './synth-stack';
import type { PipelinesDocument } from '../graph/pipeline-document';

/** Options for {@link synthesize}. */
export interface SynthesizeOptions {
  /** Key for secret fingerprints; by default HOIST_FINGERPRINT_KEY or the project's key file. */
  readonly fingerprintKey?: FingerprintKey;
}

/** The graph, or every problem that prevents it. */
export type SynthesisResult = { ok: true; graph: GraphDocument; pipelines: PipelinesDocument } | { ok: false; problems: string[] };

/**
 * Validates the whole construct tree and builds the desired-state graph. Pure apart from
 * reading local inputs (secret sources, Dockerfile presence); connects nowhere.
 */
export function synthesize(app: SynthRoot, options: SynthesizeOptions = {}): SynthesisResult {
  const problems = new Problems();
  const all = app.node.findAll();
  let key = options.fingerprintKey;
  const fingerprintKey = () => (key ??= loadFingerprintKey(app.projectDir));

  const stacks = all.filter(Stack.isStack);
  for (const stack of stacks) {
    const outer = stack.node.scopes.slice(0, -1).find(Stack.isStack);
    if (outer) {
      problems.add(stack.node.path, `stacks cannot be nested (inside ${outer.node.path}); create it with the App as scope`);
    }
  }
  const orphans = all.filter((c) => !Stack.tryOf(c) && (Service.isService(c) || Volume.isVolume(c) || Network.isNetwork(c) || Secret.isSecret(c)));
  for (const orphan of orphans) {
    problems.add(orphan.node.path, 'is not inside a Stack; create it with a Stack (or a construct inside one) as scope');
  }
  if (stacks.length === 0) {
    problems.add('', 'the app has no Stack; create one with new Stack(app, "name")');
  }
  const sharedHosts = all.filter((c): c is Host => Host.isHost(c) && !Stack.tryOf(c));
  for (const inventory of all.filter((c): c is Inventory => Inventory.isInventory(c) && !Stack.tryOf(c))) {
    problems.addAll(inventory.node.path, inventory._problems);
  }

  const graphs: StackGraph[] = [];
  const stackNames = new Map<string, string>();
  for (const stack of stacks.sort((a, b) => compareStrings(a.node.path, b.node.path))) {
    const earlier = stackNames.get(stack.stackName);
    if (earlier) {
      problems.add(stack.node.path, `stackName: "${stack.stackName}" is also the name of ${earlier}; stack names own objects on hosts and must be unique`);
    }
    stackNames.set(stack.stackName, stack.node.path);
    graphs.push(synthStack(stack, { projectDir: app.projectDir, problems, sharedHosts, fingerprintKey }));
  }

  const graph: GraphDocument = { formatVersion: GRAPH_FORMAT_VERSION, stacks: graphs.sort((a, b) => compareStrings(a.name, b.name)) };
  // Pipelines are checked against the graph (their stacks, images, hosts): only once it is whole.
  const pipelines = problems.size === 0 ? synthPipelines(app, graph, problems) : undefined;
  if (problems.size > 0 || !pipelines) {
    return { ok: false, problems: problems.list() };
  }
  return { ok: true, graph, pipelines };
}
