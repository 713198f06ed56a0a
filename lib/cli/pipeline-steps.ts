import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalJsonPretty } from '../graph/canonical-json';
import { GRAPH_FORMAT_VERSION, type GraphDocument, type StackGraph } from '../graph/graph-document';
import type { PipelineSpec, StageSpec, StepSpec } from '../graph/pipeline-document';
import type { StepExecutor } from '../pipelines/run-pipeline';
import type * as ContainerStepModule from '../pipelines/run-container-step';
import { writeFileAtomic } from '../values/write-file-atomic';
import type { CliIo } from './cli-io';

/** The hoist CLI of this installation, run as a child for each step that is a hoist command. */
const HOIST_BIN = path.join(__dirname, '..', '..', 'bin', 'hoist.js');

/** What the steps of one local run share. */
export interface PipelineStepContext {
  readonly pipeline: PipelineSpec;
  readonly graph: GraphDocument;
  readonly projectDir: string;
  readonly io: CliIo;
  readonly trustNewHosts: boolean;
  readonly connectTimeoutMs: number;
}

/**
 * Carries out pipeline steps on this machine the way a CI job does: the hoist steps (build,
 * lint, plan, apply, drift) as the hoist commands a user would type, each on a graph of its
 * stack alone (written once into the run's artifact directory, so nothing synthesizes twice
 * and no step touches another stack); a run step in a container on its host's engine; a shell
 * step as a child process, argv and no shell. Every command's output is passed through.
 */
export function pipelineStepExecutor(context: PipelineStepContext): StepExecutor {
  const { pipeline, graph, projectDir, io } = context;
  const artifacts = path.resolve(projectDir, pipeline.artifactDirectory);
  const graphFiles = new Map<string, string>();
  const stackGraph = (name: string): StackGraph => {
    const stack = graph.stacks.find((s) => s.name === name);
    if (!stack) throw new Error(`stack ${name} is not in the graph; synthesize again`);
    return stack;
  };
  const graphFileOf = (name: string): string => {
    let file = graphFiles.get(name);
    if (!file) {
      file = path.join(artifacts, `graph-${name}.json`);
      fs.mkdirSync(artifacts, { recursive: true });
      const document: GraphDocument = { formatVersion: GRAPH_FORMAT_VERSION, stacks: [stackGraph(name)] };
      writeFileAtomic(file, canonicalJsonPretty(document), { mode: 0o600 });
      graphFiles.set(name, file);
    }
    return file;
  };
  const hostFlags = [...(context.trustNewHosts ? ['--trust-new-hosts'] : []), '--connect-timeout', String(Math.ceil(context.connectTimeoutMs / 1000))];
  const hoist = (args: string[], capture?: (text: string) => void) => runChild(process.execPath, [HOIST_BIN, ...args], { cwd: projectDir, io, capture });

  return async (step: StepSpec, stage: StageSpec): Promise<string | undefined> => {
    switch (step.type) {
      case 'build': {
        const code = await hoist(['build', '--graph', graphFileOf(step.stack), '-C', projectDir, ...(context.trustNewHosts ? ['--trust-new-hosts'] : [])]);
        return code === 0 ? undefined : `hoist build exited with ${code}`;
      }
      case 'lint': {
        const code = await hoist(['lint', '--graph', graphFileOf(step.stack), '-C', projectDir]);
        return code === 0 ? undefined : `hoist lint found errors (exit ${code})`;
      }
      case 'plan': {
        const planFile = path.resolve(projectDir, step.planFile);
        fs.rmSync(planFile, { force: true });
        let markdown = '';
        const code = await hoist(['plan', '--graph', graphFileOf(step.stack), '-C', projectDir, '--out', planFile, '--markdown', ...hostFlags], (text) => { markdown += text; });
        if (code !== 0) return `hoist plan exited with ${code}`;
        writeFileAtomic(path.resolve(projectDir, step.markdownFile), markdown, { mode: 0o600 });
        return undefined;
      }
      case 'apply': {
        const planFile = path.resolve(projectDir, step.planFile);
        if (!fs.existsSync(planFile)) {
          return `the saved plan ${step.planFile} is not here: the plan step ${step.plan} makes it (in CI, the artifact of stage ${step.plan.split('/')[0]})`;
        }
        const code = await hoist(['apply', planFile, '-C', projectDir, '--yes', ...(context.trustNewHosts ? ['--trust-new-hosts'] : [])]);
        return code === 0 ? undefined : `hoist apply exited with ${code}`;
      }
      case 'drift': {
        const code = await hoist(['plan', '--graph', graphFileOf(step.stack), '-C', projectDir, '--detailed-exitcode', ...hostFlags]);
        if (code === 2) return `the hosts of ${step.stack} differ from the graph (drift, or changes not yet applied): see the plan above`;
        return code === 0 ? undefined : `hoist plan exited with ${code}`;
      }
      case 'run': {
        const { runContainerStep } = require('../pipelines/run-container-step') as typeof ContainerStepModule;
        const result = await runContainerStep(step, stackGraph(step.stack), {
          projectDir, trustNewHosts: context.trustNewHosts, stepId: `${pipeline.name}/${stage.name}/${step.name}`, output: (line) => io.out(line),
        });
        if (result.timedOut) return `the command ran longer than ${step.timeoutSeconds} s and was stopped`;
        return result.exitCode === 0 ? undefined : `the command exited with ${result.exitCode}`;
      }
      case 'shell': {
        const [command, ...args] = step.command;
        const code = await runChild(command, args, { cwd: projectDir, io, env: { ...process.env, ...step.environment } });
        return code === 0 ? undefined : `${command} exited with ${code}`;
      }
    }
  };
}

/** Runs a child process, its output line by line to the CLI's streams (stdout to `capture` when given); resolves to its exit code. */
function runChild(command: string, args: string[], options: { cwd: string; io: CliIo; env?: NodeJS.ProcessEnv; capture?: (text: string) => void }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = (write: (line: string) => void) => {
      let rest = '';
      return {
        push: (chunk: Buffer) => {
          const text = rest + chunk.toString('utf8');
          const parts = text.split('\n');
          rest = parts.pop()!;
          for (const line of parts) write(line);
        },
        end: () => { if (rest) write(rest); },
      };
    };
    const out = lines((line) => options.io.out(line));
    const err = lines((line) => options.io.err(line));
    child.stdout.on('data', (chunk: Buffer) => {
      options.capture?.(chunk.toString('utf8'));
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.on('close', (code, signal) => {
      out.end();
      err.end();
      resolve(code ?? (signal ? 128 + 2 : 1));
    });
  });
}
