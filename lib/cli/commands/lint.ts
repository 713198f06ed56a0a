import type { Command } from 'commander';
import type * as LintGraphModule from '../../lint/lint-graph';
import { LINT_RULES, type LintSeverity } from '../../lint/dockerfile-rules';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { loadGraph, withGraphSource } from '../load-graph';

interface LintFlags {
  readonly json: boolean;
  readonly rule: string[];
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
}

/** `hoist lint`: the pitfalls of the images the program builds. */
export function registerLint(program: Command, io: CliIo): void {
  withGraphSource(program.command('lint')
    .description('Check the images the stacks build for common pitfalls (root user, floating bases, secrets in layers, cache-killing COPY, ...); exit 1 on an error')
    .option('--json', 'machine-readable output', false)
    .option('--rule <rule=severity>', 'change a rule\'s severity for this run: error, warning, info or off (repeatable)', (value: string, all: string[]) => [...all, value], []))
    .action(async (flags: LintFlags) => {
      const severities: Record<string, LintSeverity> = {};
      for (const setting of flags.rule) {
        const [rule, severity] = setting.split('=');
        if (!(rule in LINT_RULES)) throw new CliError(`--rule ${setting}: no rule named ${rule}; rules: ${Object.keys(LINT_RULES).join(', ')}`);
        if (!['error', 'warning', 'info', 'off'].includes(severity)) throw new CliError(`--rule ${setting}: severity must be error, warning, info or off`);
        severities[rule] = severity as LintSeverity;
      }
      const { lintGraph } = require('../../lint/lint-graph') as typeof LintGraphModule;
      const { graph, projectDir } = await loadGraph(flags, io);
      const results = lintGraph(graph, projectDir, severities);
      const errors = results.flatMap((r) => r.findings).filter((f) => f.severity === 'error').length;
      if (flags.json) {
        io.out(JSON.stringify({ images: results }, null, 2));
      } else {
        if (results.length === 0) io.out('No images are built by these stacks: nothing to lint.');
        for (const r of results) {
          io.out(`${r.image.slice('image:'.length)} (${r.dockerfile}): ${r.findings.length === 0 ? 'no findings' : `${r.findings.length} finding(s)`}`);
          for (const f of r.findings) io.out(`  ${f.severity.padEnd(7)} ${f.rule}${f.line === null ? '' : ` (line ${f.line})`}: ${f.message}`);
        }
      }
      if (errors) throw new CliError(flags.json ? '' : `${errors} error(s); fix them or change the rule's severity with --rule`);
    });
}
