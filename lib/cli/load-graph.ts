import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { GRAPH_FORMAT_VERSION, GraphDocument } from '../graph/graph-document';
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
  let graph: GraphDocument;
  try {
    graph = JSON.parse(fs.readFileSync(file, 'utf8')) as GraphDocument;
  } catch (error) {
    throw new CliError(`cannot read the graph ${file} (${(error as Error).message}); run hoist synth`);
  }
  const major = String(graph.formatVersion ?? '').split('.')[0];
  if (major !== GRAPH_FORMAT_VERSION.split('.')[0]) {
    throw new CliError(`${file} has graph format ${graph.formatVersion}; this hoist reads ${GRAPH_FORMAT_VERSION}: synthesize it again with this version`);
  }
  return { graph, projectDir };
}
