import type { Stack } from '../core/stack';
import type { StackGraph } from '../graph/graph-document';
import { buildModel } from './build-model';
import { placeServices } from './place-services';
import { readSecrets } from './read-secrets';
import { renderGraph } from './render-graph';
import type { StackSynthContext } from './stack-synth-context';
import { validateProps } from './validate-props';

/**
 * Turns one stack's constructs into its part of the graph, in phases:
 *
 * 1. {@link validateProps}: the props of the stack, its hosts, volumes, networks and secrets;
 * 2. {@link readSecrets}: each secret's value read and fingerprinted (the only phase that
 *    runs commands);
 * 3. {@link buildModel}: services rendered, named and checked, images with build policies,
 *    dependencies: the unplaced model;
 * 4. {@link placeServices}: each service's replicas on hosts;
 * 5. {@link renderGraph}: resources per host, dependency edges, hashes.
 *
 * Every phase reports to `ctx.problems` and carries on, so one run shows every problem; the
 * result is only used when there are none.
 */
export function synthStack(stack: Stack, ctx: StackSynthContext): StackGraph {
  const validated = validateProps(stack, ctx);
  const secrets = readSecrets(validated, ctx);
  const model = buildModel(validated, secrets, ctx);
  const placed = placeServices(model, ctx.problems);
  return renderGraph(model, placed, ctx.problems);
}
