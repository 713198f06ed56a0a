import * as path from 'node:path';
import type { Command } from 'commander';
import type * as PlanModule from '../../deploy/plan';
import type * as PlannedChangeModule from '../../deploy/planned-change';
import type { PlanResult } from '../../deploy/planned-change';
import type * as RenderModule from '../../plan/render-plan';
import type * as PlanLintModule from '../../lint/plan-lint';
import { CliError } from '../cli-error';
import { cliErrorOf } from '../cli-error-of';
import type { CliIo } from '../cli-io';
import { loadGraph, withGraphSource } from '../load-graph';
import { positiveIntegerFlag } from '../parse-flags';
import { summaryOf } from '../command-index';

interface PlanCommandOptions {
  readonly json: boolean;
  readonly markdown: boolean;
  readonly out?: string;
  readonly detailedExitcode: boolean;
  readonly target: string[];
  readonly parallelism: string;
  readonly connectTimeout: string;
  readonly trustNewHosts: boolean;
  readonly deleteVolumes: boolean;
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
}

/** `hoist plan`: diff the graph against every host into an exact, reviewable, saveable plan. */
export function registerPlan(program: Command, io: CliIo): void {
  withGraphSource(program.command('plan')
    .description(summaryOf('plan'))
    .option('--json', 'print the versioned plan document', false)
    .option('--markdown', 'print Markdown for a pull-request comment', false)
    .option('--out <file>', 'save the plan (with the graph and host fingerprints) for "hoist apply <file>"')
    .option('--detailed-exitcode', 'exit 0 with no changes, 2 with changes, 1 on error', false)
    .option('--target <resource>', 'plan only this resource or construct path (repeatable; exceptional use)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--delete-volumes', 'delete volumes that left the graph, and their data', false)
    .option('--parallelism <n>', 'hosts read at once', '10')
    .option('--connect-timeout <seconds>', 'give up on a host after this long', '10')
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false))
    .action(async (options: PlanCommandOptions) => {
      if (options.json && options.markdown) throw new CliError('--json and --markdown exclude each other; pick one');
      const parallelism = positiveIntegerFlag(options.parallelism, '--parallelism');
      const connectMs = positiveIntegerFlag(options.connectTimeout, '--connect-timeout') * 1000;
      const { plan } = require('../../deploy/plan') as typeof PlanModule;
      const { renderPlanText, renderPlanMarkdown } = require('../../plan/render-plan') as typeof RenderModule;
      const { lintLines } = require('../../lint/plan-lint') as typeof PlanLintModule;

      const { graph, projectDir, prewarm } = await loadGraph(options, io, { prewarmHosts: true });
      const targets = options.target.length ? options.target : undefined;
      let result: PlanResult;
      try {
        result = await plan({ graph, projectDir }, {
          trustNewHosts: options.trustNewHosts, parallelism, connectTimeoutMs: connectMs, deleteVolumes: options.deleteVolumes, targets,
          ...(prewarm ? { openHost: prewarm.opener } : {}),
          onEvent: (event) => {
            if (event.type === 'plan-ready') {
              if (targets) io.err(`warning: --target plans only part of the graph (${targets.join(', ')}); use it for exceptional cases only`);
              if (options.json) io.out(JSON.stringify(event.plan, null, 2));
              else if (options.markdown) for (const line of renderPlanMarkdown(event.plan)) io.out(line);
              else for (const line of renderPlanText(event.plan, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR })) io.out(line);
            } else if (event.type === 'lint') {
              // Images about to be built and services about to be (re)created are linted too, so a
              // pull request's plan shows their pitfalls.
              for (const line of lintLines(event.results)) io.err(line);
            }
          },
        });
      } catch (error) {
        throw cliErrorOf(error);
      } finally {
        prewarm?.close();
      }

      if (result.conflicts.length) {
        throw new CliError(`the plan has ${result.conflicts.length} conflict(s) it cannot resolve without touching objects Hoist does not own; see above`);
      }
      if (options.out) {
        const file = path.resolve(options.out);
        // Saved plans name hosts and users: readable by their owner only. (Loaded here: the
        // saved-plan reader behind it costs a plain plan tens of milliseconds.)
        const { savePlanFile } = require('../../deploy/planned-change') as typeof PlannedChangeModule;
        savePlanFile(result, file);
        io.err(`Saved the plan to ${path.relative(process.cwd(), file) || file}; apply exactly it with: hoist apply ${options.out}`);
      }
      if (options.detailedExitcode && result.hasChanges) throw new CliError('', 2);
    });
}
