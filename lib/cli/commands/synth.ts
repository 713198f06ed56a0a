import * as path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import { formatSummary, plural } from '../format-summary';
import { loadProjectConfig } from '../project-config';
import { runProgram } from '../run-program';
import type { CliIo } from '../cli-io';
import type { SynthReport } from '../../synth/synth-report';

/** Options shared by synth and validate. */
interface ProgramOptions {
  readonly app?: string;
  readonly output?: string;
  readonly project?: string;
}

/** `hoist synth`: run the program and write the desired-state graph. */
export function registerSynth(program: Command, io: CliIo): void {
  program.command('synth')
    .description('Run the program and write the desired-state graph (hoist.out/graph.json)')
    .option('-a, --app <file>', 'program to run (default: "app" in hoist.json, else main.ts)')
    .option('-o, --output <dir>', 'output directory (default: "output" in hoist.json, else hoist.out)')
    .option('-C, --project <dir>', 'project directory', '.')
    .action(async (options: ProgramOptions) => {
      const report = await runAndReport(options, 'synth', io);
      io.out(`Synthesized ${plural(report.summary.length, 'stack')} to ${path.relative(process.cwd(), report.graphFile!) || report.graphFile}`);
      for (const line of formatSummary(report.summary)) io.out(line);
    });
}

/** `hoist validate`: run the program and check everything, writing nothing. */
export function registerValidate(program: Command, io: CliIo): void {
  program.command('validate')
    .description('Run the program and check every construct, without writing anything or connecting anywhere')
    .option('-a, --app <file>', 'program to run (default: "app" in hoist.json, else main.ts)')
    .option('-C, --project <dir>', 'project directory', '.')
    .action(async (options: ProgramOptions) => {
      const report = await runAndReport(options, 'validate', io);
      io.out(`Valid: ${plural(report.summary.length, 'stack')}, nothing written`);
      for (const line of formatSummary(report.summary)) io.out(line);
    });
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
