import type { ChangeCommand, DeployEvent } from '../deploy/deploy-events';
import type * as PlanLintModule from '../lint/plan-lint';
import type * as RenderModule from '../plan/render-plan';
import { createApplyOutput, describeAction, outputMode, type ApplyOutput } from './apply-output';
import type { CliIo } from './cli-io';

/** How a change is shown: the apply output's form, and whether the plan is coloured. */
export interface PresentOptions {
  readonly json: boolean;
  /** @default - a live view on a terminal, timestamped lines otherwise */
  readonly output?: ApplyOutput;
  /** @default - on a terminal, unless NO_COLOR */
  readonly color?: boolean;
}

/** Shows the events of `hoist apply`, `destroy` or `rollback`, as the CLI prints them. */
export interface ChangePresenter {
  event(event: DeployEvent): void;
  /** Ends a live view, so later lines print below it. */
  close(): void;
}

/**
 * The CLI's view of a change: the plan text (or its NDJSON record), lint findings and
 * warnings on stderr, the executor's progress, what runs now, and the closing summary.
 */
export function presentChange(verb: ChangeCommand, io: CliIo, options: PresentOptions): ChangePresenter {
  const output = options.output ?? createApplyOutput(io, outputMode(options.json));
  const color = options.color ?? (Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  return {
    close: () => output.close(),
    event: (event) => {
      switch (event.type) {
        case 'connected': case 'lock-waiting': case 'lock-taken': case 'confirmed': case 'history-recorded': case 'verified':
          return;
        case 'lock-lost':
          io.err(`warning: ${event.message}; stopping: no new step starts`);
          return;
        case 'lock-taken-over': {
          const old = event.holder;
          io.err(`warning: took over the expired lock of ${old.user}@${old.machine} (id ${old.id}, expired ${old.expires}) on ${old.host}`);
          return;
        }
        case 'lock-release-failed':
          io.err(`warning: the lock on ${event.host} could not be released (${event.error}); once the host answers, run: hoist lock release --id ${event.id}`);
          return;
        case 'plan-ready': {
          // A saved plan was reviewed when it was made: it is not shown again.
          if (event.saved) return;
          if (options.json) {
            output.record('plan', { plan: event.plan });
            return;
          }
          const { renderPlanText } = require('../plan/render-plan') as typeof RenderModule;
          for (const line of renderPlanText(event.plan, { color })) io.out(line);
          return;
        }
        case 'lint': {
          if (options.json) return;
          const { lintLines } = require('../lint/plan-lint') as typeof PlanLintModule;
          for (const line of lintLines(event.results)) io.err(line);
          return;
        }
        case 'no-changes':
          output.message(verb === 'destroy' ? 'Nothing to destroy: the stacks have nothing on their hosts.' : 'No changes: the hosts match the graph.');
          return;
        case 'executed':
          output.close();
          return;
        case 'versions': {
          const lines = event.containers.map((c) => `  ${c.container}@${c.host}: revision ${c.revision ?? '?'}, ${c.image}, ${c.state}`);
          output.message(['What runs now:', ...lines.sort()].join('\n'));
          output.record('versions', { containers: event.containers });
          return;
        }
        case 'verify-unreachable':
          output.message(`  ${event.host}: did not answer after the ${verb} (${event.error}); its state is unknown`);
          return;
        case 'warning':
          io.err(`warning: ${event.message}`);
          return;
        case 'incomplete':
          output.message([
            `${event.done} action(s) done, ${event.failed} failed, ${event.notStarted.length} not started`,
            ...event.notStarted.map((a) => `  not started: ${describeAction(a)}@${a.host}`),
            ...event.rolledBack.map((r) => `  ${r.ok ? 'rolled back' : 'could NOT roll back'}: ${r.name}@${r.host}${r.error ? ` (${r.error.split('\n')[0]})` : ''}`),
          ].join('\n'));
          return;
        case 'pruned':
          output.message(`Removed ${event.removed.length} old image version(s) beyond each image's keepVersions: ${event.removed.join(', ')}`);
          return;
        case 'rollback-target':
          io.err(`Rolling ${event.stack} back to revision ${event.revision}.`);
          return;
        case 'complete': {
          const s = event.summary;
          output.message(`${verb === 'destroy' ? 'Destroy' : verb === 'rollback' ? `Rollback to revision ${event.revision}` : 'Apply'} complete: ${s.build ? `${s.build} built, ` : ''}${s.create} created, ${s.update} updated, ${s.replace} replaced, ${s.delete} deleted; the hosts match the graph.`);
          output.record('result', { ok: true, summary: s });
          return;
        }
        default:
          // The executor's own events (stack-start, action-*, rollback-*, interrupted, stack-done).
          output.event(event);
      }
    },
  };
}
