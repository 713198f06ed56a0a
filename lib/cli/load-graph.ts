import * as path from 'node:path';
import type { Command } from 'commander';
import { FileRefusedError } from '../graph/file-refused-error';
import type { GraphDocument } from '../graph/graph-document';
import { readGraphFile } from '../graph/read-graph-file';
import { CliError } from './cli-error';
import type { CliIo } from './cli-io';
import { plural } from './format-summary';
import { loadProjectConfig } from './project-config';
import { runProgram } from './run-program';

/** Where a command gets its graph: a saved file, or a fresh synth of the program. */
export interface GraphSource {
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
  readonly output?: string;
}

/** Adds the options that choose the graph (`--graph`, `-a/--app`, `-C/--project`) to a command. */
export function withGraphSource(command: Command): Command {
  return command
    .option('--graph <file>', 'use a saved graph instead of synthesizing the program')
    .option('-a, --app <file>', 'program to run (default: "app" in hoist.json, else main.ts)')
    .option('-C, --project <dir>', 'project directory', '.');
}

/** Loads the graph: `--graph FILE` as saved, else synthesizes the project's program first. */
export async function loadGraph(source: GraphSource, io: CliIo): Promise<{ graph: GraphDocument; projectDir: string }> {
  const projectDir = path.resolve(source.project ?? '.');
  let file = source.graph ? path.resolve(source.graph) : undefined;
  if (!file) {
    const config = loadProjectConfig(projectDir, source);
    const { report, output } = await runProgram(config, 'synth');
    if (output) io.err(output.trimEnd());
    if (!report.ok) {
      throw new CliError(`synth found ${plural(report.problems.length, 'problem')}:\n${report.problems.map((p) => `  ${p}`).join('\n')}`);
    }
    file = report.graphFile!;
  }
  // Checked in full before any host is contacted: a graph cut short or edited by hand is refused.
  let graph: GraphDocument;
  try {
    graph = readGraphFile(path.relative(process.cwd(), file) || file);
  } catch (error) {
    throw error instanceof FileRefusedError ? new CliError(error.message) : error;
  }
  return { graph, projectDir };
}
