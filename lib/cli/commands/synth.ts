import * as path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import { formatSummary, plural } from '../format-summary';
import { loadProjectConfig } from '../project-config';
import { runProgram } from '../run-program';
import type { CliIo } from '../cli-io';
import type { SynthReport } from '../../synth/synth-report';
import { PIPELINES_FILE } from '../../graph/pipeline-document';
import type * as ReadPipelinesModule from '../../graph/read-pipelines-file';
import type * as CiFilesModule from '../../pipelines/ci-files';
import type * as WriteCiFilesModule from '../../pipelines/write-ci-files';
import { summaryOf } from '../command-index';

/** Options shared by synth and validate. */
interface ProgramOptions {
  readonly app?: string;
  readonly output?: string;
  readonly project?: string;
}

/** `hoist synth`: run the program and write the desired-state graph. */
export function registerSynth(program: Command, io: CliIo): void {
  program.command('synth')
    .description(summaryOf('synth'))
    .option('-a, --app <file>', 'program to run (default: "app" in hoist.json, else main.ts)')
    .option('-o, --output <dir>', 'output directory (default: "output" in hoist.json, else hoist.out)')
    .option('-C, --project <dir>', 'project directory', '.')
    .action(async (options: ProgramOptions) => {
      const report = await runAndReport(options, 'synth', io);
      io.out(`Synthesized ${plural(report.summary.length, 'stack')} to ${path.relative(process.cwd(), report.graphFile!) || report.graphFile}`);
      for (const line of formatSummary(report.summary)) io.out(line);
      writePipelineFiles(path.resolve(options.project ?? '.'), path.join(path.dirname(report.graphFile!), PIPELINES_FILE), io);
    });
}

/** `hoist validate`: run the program and check everything, writing nothing. */
export function registerValidate(program: Command, io: CliIo): void {
  program.command('validate')
    .description(summaryOf('validate'))
    .option('-a, --app <file>', 'program to run (default: "app" in hoist.json, else main.ts)')
    .option('-C, --project <dir>', 'project directory', '.')
    .action(async (options: ProgramOptions) => {
      const report = await runAndReport(options, 'validate', io);
      io.out(`Valid: ${plural(report.summary.length, 'stack')}, nothing written`);
      for (const line of formatSummary(report.summary)) io.out(line);
    });
}

/**
 * Writes the pipelines as CI files at the repository root (the project directory less the
 * pipelines' working directory), and removes the ones Hoist wrote for pipelines that are gone.
 */
function writePipelineFiles(projectDir: string, pipelinesFile: string, io: CliIo): void {
  const { readPipelinesFile } = require('../../graph/read-pipelines-file') as typeof ReadPipelinesModule;
  const { repositoryRoot } = require('../../pipelines/ci-files') as typeof CiFilesModule;
  const { writeCiFiles } = require('../../pipelines/write-ci-files') as typeof WriteCiFilesModule;
  let result: ReturnType<typeof writeCiFiles>;
  let root: string;
  try {
    const document = readPipelinesFile(pipelinesFile);
    const roots = [...new Set(document.pipelines.map((p) => repositoryRoot(projectDir, p.workingDirectory)))];
    if (roots.length > 1) throw new Error(`the pipelines name different working directories (${document.pipelines.map((p) => `${p.path}: ${p.workingDirectory}`).join(', ')}); give them all the project's path in the repository`);
    root = roots[0] ?? projectDir;
    result = writeCiFiles(root, document);
  } catch (error) {
    throw new CliError(`the graph was written, but not the CI files: ${(error as Error).message}`);
  }
  const shown = (file: string) => path.relative(process.cwd(), path.join(root, file)) || file;
  for (const file of result.written) io.out(`Wrote ${shown(file)}`);
  for (const file of result.removed) io.out(`Removed ${shown(file)} (its pipeline is gone)`);
}

/** Runs the program, relays what it printed, and fails listing every problem it found. */
async function runAndReport(options: ProgramOptions, mode: 'synth' | 'validate', io: CliIo): Promise<Extract<SynthReport, { ok: true }>> {
  const config = loadProjectConfig(path.resolve(options.project ?? '.'), options);
  const { report, output } = await runProgram(config, mode);
  if (output) io.err(output.trimEnd());
  if (!report.ok) {
    throw new CliError(`synth found ${plural(report.problems.length, 'problem')}; nothing was written:\n${report.problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return report;
}
