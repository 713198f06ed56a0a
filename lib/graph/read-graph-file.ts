import { FileRefusedError, type RefusedFileKind } from './file-refused-error';
import { formatVersionProblem } from './format-version-problem';
import { GRAPH_FORMAT_VERSION, type GraphDocument } from './graph-document';
import { graphProblems } from './graph-problems';
import { readJsonDocument } from './read-json-document';

const GRAPH_FILE: RefusedFileKind = { noun: 'graph', remedy: 'run hoist synth again to write a new one (change the program, not the graph)' };

/**
 * Reads a graph file (`hoist synth`'s graph.json, or `--graph FILE`) and checks all of it
 * before anything uses it: complete JSON, this hoist's major format version, the schema and
 * synth's naming rules, every resource's hash against its spec, and the references inside.
 * Throws a FileRefusedError naming the file, every problem with its JSON path, and what to do.
 *
 * @example
 * const graph = readGraphFile('hoist.out/graph.json');
 */
export function readGraphFile(file: string): GraphDocument {
  // Graphs also come from programs (Testing.synth and JSON.stringify) that end without a
  // newline; a graph lacking only that has lost nothing, so it is not asked for.
  return checkGraphDocument(readJsonDocument(file, GRAPH_FILE, { finalNewline: false }), file);
}

/**
 * Checks a graph document already parsed from `file` as {@link readGraphFile} does, and
 * returns it typed; throws a FileRefusedError naming the file and every problem.
 */
export function checkGraphDocument(document: unknown, file: string): GraphDocument {
  const version = formatVersionProblem((document as { formatVersion?: unknown } | null)?.formatVersion, GRAPH_FORMAT_VERSION);
  if (version) {
    throw new FileRefusedError(file, { ...GRAPH_FILE, remedy: 'synthesize it again with this hoist (hoist synth), or use the hoist version that wrote it' }, version);
  }
  let problems: string[];
  try {
    problems = graphProblems(document);
  } catch (error) {
    // A document shaped to break the checks themselves (say, nested beyond the stack) is refused too.
    throw new FileRefusedError(file, GRAPH_FILE, `it could not be checked (${(error as Error).message})`);
  }
  if (problems.length) {
    throw new FileRefusedError(file, GRAPH_FILE, `it does not hold the graph hoist synth wrote: it was edited by hand or damaged (${problems.length} problem${problems.length === 1 ? '' : 's'})`, problems);
  }
  return document as GraphDocument;
}
