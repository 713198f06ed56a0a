import type { Command } from 'commander';
import type * as LintGraphModule from '../../lint/lint-graph';
import type { LintFinding } from '../../lint/dockerfile-rules';
import { ALL_LINT_RULE_IDS, isLintSeverity, lintRuleScope, type LintSeverity } from '../../graph/lint-rule-catalog';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { loadGraph, withGraphSource } from '../load-graph';
import { summaryOf } from '../command-index';

interface LintFlags {
  readonly json: boolean;
  readonly rule: string[];
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
}

/** `hoist lint`: the pitfalls of the images the program builds and the services it runs. */
export function registerLint(program: Command, io: CliIo): void {
  withGraphSource(program.command('lint')
    .description(summaryOf('lint'))
    .option('--json', 'machine-readable output', false)
    .option('--rule <rule=severity>', 'change a rule\'s severity for this run: error, warning, info or off (repeatable)', (value: string, all: string[]) => [...all, value], []))
    .action(async (flags: LintFlags) => {
      const severities: Record<string, LintSeverity> = {};
      for (const setting of flags.rule) {
        const [rule, severity] = setting.split('=');
        if (lintRuleScope(rule) === undefined) throw new CliError(`--rule ${setting}: no rule named ${rule}; rules: ${ALL_LINT_RULE_IDS.join(', ')}`);
        if (!isLintSeverity(severity)) throw new CliError(`--rule ${setting}: severity must be error, warning, info or off`);
        severities[rule] = severity;
      }
      const { lintGraph, lintServices } = require('../../lint/lint-graph') as typeof LintGraphModule;
      const { graph, projectDir } = await loadGraph(flags, io);
      const images = lintGraph(graph, projectDir, severities);
      const services = lintServices(graph, projectDir, severities);
      const errors = [...images, ...services].flatMap((r) => r.findings).filter((f) => f.severity === 'error').length;
      if (flags.json) {
        io.out(JSON.stringify({ images, services }, null, 2));
      } else {
        if (images.length === 0 && services.length === 0) io.out('These stacks build no images and run no services: nothing to lint.');
        for (const r of images) printResult(io, `${r.image.slice('image:'.length)} (${r.dockerfile})`, r.findings);
        for (const r of services) printResult(io, `${r.service} (service)`, r.findings);
      }
      if (errors) throw new CliError(flags.json ? '' : `${errors} error(s); fix them or change the rule's severity with --rule (or lintRules on the construct)`);
    });
}

function printResult(io: CliIo, subject: string, findings: readonly LintFinding[]): void {
  io.out(`${subject}: ${findings.length === 0 ? 'no findings' : `${findings.length} finding(s)`}`);
  for (const f of findings) io.out(`  ${f.severity.padEnd(7)} ${f.rule}${f.line === null ? '' : ` (line ${f.line})`}: ${f.message}`);
}
