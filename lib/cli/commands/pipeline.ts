import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Command } from 'commander';
import { FileRefusedError } from '../../graph/file-refused-error';
import type { GraphDocument } from '../../graph/graph-document';
import { PIPELINES_FILE, type PipelineSpec, type PipelinesDocument, type StepSpec, type TriggerName } from '../../graph/pipeline-document';
import type * as ReadGraphModule from '../../graph/read-graph-file';
import type * as ReadPipelinesModule from '../../graph/read-pipelines-file';
import type * as RunPipelineModule from '../../pipelines/run-pipeline';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { plural } from '../format-summary';
import { INTERRUPTED_EXIT_CODE, watchInterrupts } from '../interrupts';
import { positiveIntegerFlag } from '../parse-flags';
import { pipelineStepExecutor } from '../pipeline-steps';
import { loadProjectConfig } from '../project-config';
import { runProgram } from '../run-program';
import { summaryOf } from '../command-index';

interface ProgramOptions {
  readonly app?: string;
  readonly project?: string;
}

interface RunOptions extends ProgramOptions {
  readonly stage?: string;
  readonly trigger?: string;
  readonly yes: boolean;
  readonly trustNewHosts: boolean;
  readonly connectTimeout: string;
}

const TRIGGERS: readonly TriggerName[] = ['pull_request', 'push', 'schedule', 'manual'];

/** `hoist pipeline list|show|run`: the app's pipelines, described or run on this machine. */
export function registerPipeline(program: Command, io: CliIo): void {
  const pipeline = program.command('pipeline')
    .description(summaryOf('pipeline'));
  withProgram(pipeline.command('list')
    .description('List the pipelines: name, triggers, CI systems, stages'))
    .action(async (options: ProgramOptions) => {
      const { document } = await synthesize(options, io);
      if (document.pipelines.length === 0) {
        io.out('No pipelines. Add one with new Pipeline(app, "name", { triggers: [...] }).');
        return;
      }
      for (const p of document.pipelines) {
        io.out(`${p.name}  on ${p.triggers.map(describeTrigger).join(', ')}  ci: ${p.ci.join(', ')}  stages: ${p.stages.map((s) => s.name).join(' -> ')}`);
      }
    });
  withProgram(pipeline.command('show')
    .description("Show a pipeline's stages and steps, with what each runs")
    .argument('<name>', 'the pipeline'))
    .action(async (name: string, options: ProgramOptions) => {
      const { document } = await synthesize(options, io);
      for (const line of describePipeline(pipelineNamed(document, name))) io.out(line);
    });
  withProgram(pipeline.command('run')
    .description("Run a pipeline's steps here, in order, as CI runs them (plans and applies go to the real hosts)")
    .argument('<name>', 'the pipeline')
    .option('--stage <stage>', 'run only this stage (what CI runs in one job; the stages it needs ran before)')
    .option('--trigger <event>', `the event to run for: ${TRIGGERS.join(', ')} (default: push if the pipeline has it)`)
    .option('-y, --yes', 'approve stages that need approval without asking (needed when not interactive)', false)
    .option('--connect-timeout <seconds>', 'give up on a host after this long', '10')
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false))
    .action(async (name: string, options: RunOptions) => {
      if (options.trigger !== undefined && !TRIGGERS.includes(options.trigger as TriggerName)) {
        throw new CliError(`--trigger ${options.trigger} is not an event; use one of ${TRIGGERS.join(', ')}`);
      }
      const connectTimeoutMs = positiveIntegerFlag(options.connectTimeout, '--connect-timeout') * 1000;
      const { runPipeline } = require('../../pipelines/run-pipeline') as typeof RunPipelineModule;
      const { document, graph, projectDir } = await synthesize(options, io);
      const spec = pipelineNamed(document, name);
      // A CI job without the project's key would fingerprint secrets with a fresh random one:
      // every container with a secret would look changed, and a plan made in one job would
      // not match the secrets read in the next.
      if (process.env.CI && !process.env.HOIST_FINGERPRINT_KEY
        && graph.stacks.some((s) => s.resources.some((r) => r.kind === 'secret'))) {
        throw new CliError(`HOIST_FINGERPRINT_KEY is not set in this CI job, and the app has secrets: add the CI secret ${spec.access.fingerprintKeySecret} with the content of .hoist/fingerprint.key from the machine that deployed so far`);
      }
      let stop = false;
      const interrupts = watchInterrupts(() => {
        stop = true;
        io.err('Stopping after the running step (press Ctrl-C again to exit now)');
      }, () => process.exit(INTERRUPTED_EXIT_CODE));
      let result: Awaited<ReturnType<typeof runPipeline>>;
      try {
        result = await runPipeline(spec, {
          stage: options.stage,
          trigger: options.trigger as TriggerName | undefined,
          execute: pipelineStepExecutor({ pipeline: spec, graph, projectDir, io, trustNewHosts: options.trustNewHosts, connectTimeoutMs }),
          approve: (stage, environment) => (options.yes ? Promise.resolve(true) : approved(stage.name, environment, io)),
          stopRequested: () => stop,
          onEvent: (event) => {
            if (event.type === 'run-start') io.err(`==> pipeline ${event.pipeline}${event.trigger ? ` (trigger: ${event.trigger})` : ''}: ${event.stages.join(', ')}`);
            else if (event.type === 'stage-start') io.err(`==> stage ${event.stage}`);
            else if (event.type === 'stage-skipped') io.err(`==> stage ${event.stage} skipped: ${event.reason}`);
            else if (event.type === 'approval') io.err(`    approval ${event.environment}: ${event.approved ? 'given' : 'refused'}`);
            else if (event.type === 'step-start') io.err(`--> ${event.stage}/${event.step.name} (${describeStep(event.step)})`);
            else if (event.type === 'step-done') io.err(`<-- ${event.stage}/${event.step.name} ${event.ok ? 'passed' : 'FAILED'} in ${seconds(event.ms)}${event.message ? `: ${event.message}` : ''}`);
          },
        });
      } catch (error) {
        throw error instanceof CliError ? error : new CliError((error as Error).message);
      } finally {
        interrupts.dispose();
      }
      io.out('');
      io.out(`Pipeline ${spec.name}: ${result.ok ? 'passed' : stop ? 'stopped' : 'failed'}`);
      for (const step of result.steps) io.out(`  ${step.status.padEnd(7)}  ${`${step.stage}/${step.step}`.padEnd(28)} ${step.type.padEnd(6)} ${step.status === 'not run' ? '' : seconds(step.ms)}`);
      for (const skipped of result.skipped) io.out(`  skipped  ${skipped.stage.padEnd(28)} ${skipped.reason}`);
      if (!result.ok) throw new CliError('', stop ? INTERRUPTED_EXIT_CODE : 1);
    });
}

function withProgram(command: Command): Command {
  return command
    .option('-a, --app <file>', 'program to run (default: "app" in hoist.json, else main.ts)')
    .option('-C, --project <dir>', 'project directory', '.');
}

/** Runs the program once: its graph and its pipelines, as the same synth wrote them. */
async function synthesize(options: ProgramOptions, io: CliIo): Promise<{ document: PipelinesDocument; graph: GraphDocument; projectDir: string }> {
  const projectDir = path.resolve(options.project ?? '.');
  const config = loadProjectConfig(projectDir, options);
  const { report, output } = await runProgram(config, 'synth');
  if (output) io.err(output.trimEnd());
  if (!report.ok) throw new CliError(`synth found ${plural(report.problems.length, 'problem')}:\n${report.problems.map((p) => `  ${p}`).join('\n')}`);
  const { readGraphFile } = require('../../graph/read-graph-file') as typeof ReadGraphModule;
  const { readPipelinesFile } = require('../../graph/read-pipelines-file') as typeof ReadPipelinesModule;
  try {
    const graphFile = report.graphFile!;
    return { graph: readGraphFile(graphFile), document: readPipelinesFile(path.join(path.dirname(graphFile), PIPELINES_FILE)), projectDir };
  } catch (error) {
    throw error instanceof FileRefusedError ? new CliError(error.message) : error;
  }
}

function pipelineNamed(document: PipelinesDocument, name: string): PipelineSpec {
  const found = document.pipelines.find((p) => p.name === name);
  if (!found) {
    const names = document.pipelines.map((p) => p.name);
    throw new CliError(`no pipeline named ${name}; ${names.length ? `the app has ${names.join(', ')}` : 'the app has none'} (hoist pipeline list)`);
  }
  return found;
}

function describeTrigger(trigger: PipelineSpec['triggers'][number]): string {
  if (trigger.type === 'schedule') return `schedule "${trigger.cron}"`;
  return trigger.branches.length ? `${trigger.type} (${trigger.branches.join(', ')})` : trigger.type;
}

function describeStep(step: StepSpec): string {
  switch (step.type) {
    case 'build': return `build the images of ${step.stack}`;
    case 'lint': return `lint ${step.stack}`;
    case 'plan': return `plan ${step.stack} -> ${step.planFile}`;
    case 'apply': return `apply the plan of ${step.plan}`;
    case 'drift': return `check ${step.stack} for drift`;
    case 'run': return `run ${step.command ? JSON.stringify(step.command) : 'the default command'} in ${step.image.reference} on ${step.host}`;
    case 'shell': return `run ${JSON.stringify(step.command)}`;
  }
}

/** The lines of `hoist pipeline show`. */
export function describePipeline(pipeline: PipelineSpec): string[] {
  const lines = [
    `Pipeline ${pipeline.name} (${pipeline.path})`,
    `  triggers: ${pipeline.triggers.map(describeTrigger).join(', ')}`,
    `  written for: ${pipeline.ci.map((c) => (c === 'github' ? `GitHub Actions (.github/workflows/${pipeline.name}.yml)` : 'GitLab CI (.gitlab-ci.yml)')).join(', ')}`,
    `  CI secrets: ${[pipeline.access.sshKeySecret, ...(pipeline.access.knownHostsSecret ? [pipeline.access.knownHostsSecret] : []), pipeline.access.fingerprintKeySecret, ...pipeline.access.secrets.map((s) => s.ciName)].join(', ')}`,
  ];
  for (const stage of pipeline.stages) {
    lines.push('', `  stage ${stage.name}: on ${stage.on.join(', ')}${stage.needs.length ? `, after ${stage.needs.join(', ')}` : ''}${stage.approval ? `, approval: ${stage.approval}` : ''}`);
    for (const step of stage.steps) lines.push(`    ${step.name.padEnd(20)} ${describeStep(step)}`);
  }
  return lines;
}

/** Asks on a terminal whether a stage may go on (default No); never waits for input otherwise. */
async function approved(stage: string, environment: string, io: CliIo): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new CliError(`stage ${stage} needs approval (${environment}): run with --yes to approve it, or run from a terminal to be asked`);
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string>((resolve) => {
    rl.on('SIGINT', () => resolve(''));
    rl.question(`Stage ${stage} needs approval (${environment}). Approve? Only "yes" is accepted: `, resolve);
  });
  rl.close();
  const ok = answer.trim() === 'yes';
  if (!ok) io.err(`Not approved: stage ${stage} does not run.`);
  return ok;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
