import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { FileRefusedError } from '../graph/file-refused-error';
import type { GraphDocument } from '../graph/graph-document';
import { checkGraphDocument, readGraphFile } from '../graph/read-graph-file';
import type * as HostPrewarmModule from '../drivers/host-prewarm';
import type { HostPrewarm } from '../drivers/host-prewarm';
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

/** A graph to work on, where it came from, and connections already opening to its hosts. */
export interface LoadedGraph {
  readonly graph: GraphDocument;
  readonly projectDir: string;
  /**
   * With `prewarmHosts`, when the program ran: connections opened while it ran to the hosts of
   * its previous graph. Pass its opener to the deploy call and close it when done.
   */
  readonly prewarm?: HostPrewarm;
}

/**
 * Loads the graph: `--graph FILE` as saved, else synthesizes the project's program first.
 * With `prewarmHosts`, the hosts of the program's previous graph (its graph.json from the last
 * synth, if valid) are connected to while the program runs (see {@link HostPrewarm}).
 */
export async function loadGraph(source: GraphSource, io: CliIo, options: { prewarmHosts?: boolean } = {}): Promise<LoadedGraph> {
  const projectDir = path.resolve(source.project ?? '.');
  let file = source.graph ? path.resolve(source.graph) : undefined;
  let prewarm: HostPrewarm | undefined;
  try {
    if (!file) {
      const config = loadProjectConfig(projectDir, source);
      // Read before the program starts, which replaces it.
      const previous = options.prewarmHosts ? readPrevious(path.join(config.outdir, 'graph.json')) : undefined;
      const running = runProgram(config, 'synth');
      if (previous) prewarm = startPrewarm(previous, projectDir);
      const { report, output } = await running;
      if (output) io.err(output.trimEnd());
      if (!report.ok) {
        throw new CliError(`synth found ${plural(report.problems.length, 'problem')}:\n${report.problems.map((p) => `  ${p}`).join('\n')}`);
      }
      file = report.graphFile!;
    }
    // Checked in full before any host is read: a graph cut short or edited by hand is refused.
    let graph: GraphDocument;
    try {
      graph = readGraphFile(path.relative(process.cwd(), file) || file);
    } catch (error) {
      throw error instanceof FileRefusedError ? new CliError(error.message) : error;
    }
    return { graph, projectDir, ...(prewarm ? { prewarm } : {}) };
  } catch (error) {
    prewarm?.close();
    throw error;
  }
}

function readPrevious(file: string): { file: string; text: string } | undefined {
  try {
    return { file, text: fs.readFileSync(file, 'utf8') };
  } catch {
    return undefined;
  }
}

/** Starts connecting to the hosts of a previous graph, if it is one this hoist would accept. */
function startPrewarm(previous: { file: string; text: string }, projectDir: string): HostPrewarm | undefined {
  let graph: GraphDocument;
  try {
    graph = checkGraphDocument(JSON.parse(previous.text), previous.file);
  } catch {
    return undefined;
  }
  const { HostPrewarm: Prewarm } = require('../drivers/host-prewarm') as typeof HostPrewarmModule;
  const hosts = graph.stacks.flatMap((stack) => stack.hosts);
  return hosts.length ? Prewarm.start(hosts, { projectDir, trustNewHosts: false }) : undefined;
}
