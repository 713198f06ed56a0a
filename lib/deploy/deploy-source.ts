import type { GraphDocument } from '../graph/graph-document';
import type { SynthRoot } from '../synth/synth-root';
import type * as SynthesizeModule from '../synth/synthesize';
import { DeployError } from './deploy-error';

/** A graph already synthesized (e.g. read with `hoist synth`'s output), with its project directory. */
export interface GraphSource {
  /** The desired-state graph. */
  readonly graph: GraphDocument;
  /** Where the program lives: build contexts, secret files and the fingerprint key are read relative to it. */
  readonly projectDir: string;
}

/**
 * What to deploy: a graph with its project directory, or an App (anything synth takes: the
 * root of a construct tree with its `projectDir`), synthesized in this process. A program
 * file is the CLI's business: it runs the program in a process of its own (any jsii
 * language, a crash cannot take the CLI down); a library caller already holds the App or the
 * graph.
 */
export type DeploySource = GraphSource | SynthRoot;

/** The graph and project directory of a source; an App that does not validate is refused with every problem. */
export function resolveSource(source: DeploySource): GraphSource {
  if ('graph' in source) return source;
  // Loaded here: a graph read from a file (the CLI's case) needs none of synth's code.
  const { synthesize } = require('../synth/synthesize') as typeof SynthesizeModule;
  const result = synthesize(source);
  if (!result.ok) {
    const n = result.problems.length;
    throw new DeployError('invalid', `synth found ${n} problem${n === 1 ? '' : 's'}:\n${result.problems.map((p) => `  ${p}`).join('\n')}`, { nothingChanged: true });
  }
  // Plain data, as a graph read from a file is.
  return { graph: JSON.parse(JSON.stringify(result.graph)) as GraphDocument, projectDir: source.projectDir };
}
