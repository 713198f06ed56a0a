import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { FileRefusedError } from '../graph/file-refused-error';
import type { GraphDocument, HostSpec } from '../graph/graph-document';
import type * as ReadGraphModule from '../graph/read-graph-file';
import type * as HostPrewarmModule from '../drivers/host-prewarm';
import type { HostPrewarm } from '../drivers/host-prewarm';
import { CliError } from './cli-error';
import type { CliIo } from './cli-io';
import { plural } from './format-summary';
import type * as ProjectConfigModule from './project-config';
import type * as RunProgramModule from './run-program';

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
 * With `prewarmHosts`, hosts are connected to while the graph is being made or checked (see
 * {@link HostPrewarm}): the hosts of the program's previous graph (its graph.json from the
 * last synth, if valid) while the program runs, or those named in the `--graph` file while
 * the file is checked. Until the graph has passed its checks a host sees at most the SSH
 * session and the engine's /_ping; nothing of a stack is read, nothing is changed.
 */
export async function loadGraph(source: GraphSource, io: CliIo, options: { prewarmHosts?: boolean } = {}): Promise<LoadedGraph> {
  const projectDir = path.resolve(source.project ?? '.');
  let file = source.graph ? path.resolve(source.graph) : undefined;
  let prewarm: HostPrewarm | undefined;
  try {
    if (!file) {
      const { loadProjectConfig } = require('./project-config') as typeof ProjectConfigModule;
      const { runProgram } = require('./run-program') as typeof RunProgramModule;
      const config = loadProjectConfig(projectDir, source);
      // Read before the program starts, which replaces it.
      const previous = options.prewarmHosts ? readText(path.join(config.outdir, 'graph.json')) : undefined;
      const running = runProgram(config, 'synth');
      if (previous) prewarm = startPrewarm(hostsOf(previous, true), projectDir);
      const { report, output } = await running;
      if (output) io.err(output.trimEnd());
      if (!report.ok) {
        throw new CliError(`synth found ${plural(report.problems.length, 'problem')}:\n${report.problems.map((p) => `  ${p}`).join('\n')}`);
      }
      file = report.graphFile!;
    } else if (options.prewarmHosts) {
      // The handshakes (and each host's sshd starting its session) go on while the checks'
      // code loads and runs; only connections to hosts of the checked graph are used.
      const text = readText(file);
      if (text) prewarm = startPrewarm(hostsOf(text, false), projectDir);
    }
    // Checked in full before any host is read: a graph cut short or edited by hand is refused.
    const { readGraphFile } = require('../graph/read-graph-file') as typeof ReadGraphModule;
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

function readText(file: string): { file: string; text: string } | undefined {
  try {
    return { file, text: fs.readFileSync(file, 'utf8') };
  } catch {
    return undefined;
  }
}

/**
 * The hosts a graph file names: of a graph that passes every check (`checked`), or, unchecked,
 * each entry shaped like a host (it is checked before anything uses it; a warm connection is
 * only handed out for a host spec equal to one of the checked graph).
 */
function hostsOf(source: { file: string; text: string }, checked: boolean): HostSpec[] {
  try {
    const document = JSON.parse(source.text) as unknown;
    if (checked) {
      const { checkGraphDocument } = require('../graph/read-graph-file') as typeof ReadGraphModule;
      return checkGraphDocument(document, source.file).stacks.flatMap((stack) => stack.hosts);
    }
    const stacks = (document as { stacks?: unknown })?.stacks;
    return (Array.isArray(stacks) ? stacks : []).flatMap((stack) => {
      const hosts = (stack as { hosts?: unknown })?.hosts;
      return (Array.isArray(hosts) ? hosts : []).filter((h): h is HostSpec => typeof h?.name === 'string' && typeof h?.address === 'string' && typeof h?.identity === 'object' && typeof h?.hostKey === 'object');
    });
  } catch {
    return [];
  }
}

/** Starts connecting to `hosts`, if there are any. */
function startPrewarm(hosts: HostSpec[], projectDir: string): HostPrewarm | undefined {
  if (!hosts.length) return undefined;
  const { HostPrewarm: Prewarm } = require('../drivers/host-prewarm') as typeof HostPrewarmModule;
  return Prewarm.start(hosts, { projectDir, trustNewHosts: false });
}
