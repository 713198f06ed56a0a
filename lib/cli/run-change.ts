import * as readline from 'node:readline';
import type { Command } from 'commander';
import type * as DeployModule from '../deploy/index';
import type { ChangeCommand } from '../deploy/deploy-events';
import type { DeploySource, GraphSource } from '../deploy/deploy-source';
import type { PlannedChange } from '../deploy/planned-change';
import { parseDuration } from '../values/duration';
import { CliError } from './cli-error';
import type { CliIo } from './cli-io';
import { cliErrorOf } from './cli-error-of';
import { presentChange } from './present-change';
import { INTERRUPTED_EXIT_CODE, watchInterrupts, type InterruptWatch } from './interrupts';
import type { HostPrewarm } from '../drivers/host-prewarm';
import { loadGraph, withGraphSource } from './load-graph';
import { positiveIntegerFlag } from './parse-flags';

/** Options shared by `hoist apply`, `hoist destroy` and `hoist rollback`. */
export interface ChangeOptions {
  readonly command: ChangeCommand;
  readonly planfile?: string;
  /** rollback: the stack and revision (see hoist history) to go back to. */
  readonly rollback?: { readonly stack?: string; readonly to?: number };
  /** The graph, when the command loaded it already (rollback checks its stacks first). */
  readonly source?: GraphSource;
  readonly yes: boolean;
  readonly lockTimeout: string;
  readonly trustNewHosts: boolean;
  readonly json: boolean;
  /** destroy: delete the stack's volumes and their data too. */
  readonly removeVolumes?: boolean;
  /** Hosts changed at once within a step. */
  readonly parallelism: string;
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
}

/** The options `hoist apply` and `hoist destroy` share, added to either command. */
export function withChangeOptions(command: Command): Command {
  return withGraphSource(command
    .option('-y, --yes', 'do not ask for confirmation (needed when not interactive)', false)
    .option('--lock-timeout <duration>', 'wait this long for another run\'s lock', '0s')
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .option('--parallelism <n>', 'hosts changed at once within a step', '10'));
}

/**
 * `hoist apply`, `destroy` and `rollback`: parses the flags into the deploy API's options,
 * loads the graph (or the saved plan), wires Ctrl-C and the confirmation prompt, presents the
 * events and turns a DeployError into an exit code. The transaction is lib/deploy's.
 */
export async function runChange(options: ChangeOptions, io: CliIo): Promise<void> {
  const lockTimeout = parseDuration(options.lockTimeout);
  if (!lockTimeout.ok) throw new CliError(`--lock-timeout: ${lockTimeout.reason}`);
  const parallelism = positiveIntegerFlag(options.parallelism, '--parallelism');
  const deploy = require('../deploy/index') as typeof DeployModule;
  const verb = options.command;

  let target: DeploySource | PlannedChange;
  let prewarm: HostPrewarm | undefined;
  try {
    if (options.source) target = options.source;
    else if (options.planfile) target = deploy.readPlanFile(options.planfile, { projectDir: options.project });
    else {
      const loaded = await loadGraph(options, io, { prewarmHosts: true });
      target = { graph: loaded.graph, projectDir: loaded.projectDir };
      prewarm = loaded.prewarm;
    }
  } catch (error) {
    throw cliErrorOf(error);
  }
  const stop = new AbortController();
  let interrupts: InterruptWatch | undefined;
  const present = presentChange(verb, io, { json: options.json });
  const deployOptions: DeployModule.ChangeOptions = {
    parallelism,
    ...(prewarm ? { openHost: prewarm.opener } : {}),
    lockTimeoutMs: lockTimeout.ms,
    trustNewHosts: options.trustNewHosts,
    signal: stop.signal,
    ...(options.yes ? {} : { confirm: () => confirmed(verb, io, () => stop.signal.aborted) }),
    onEvent: (event) => {
      // Ctrl-C is watched from the moment hosts are reached, as long as the run holds them.
      if (event.type === 'connected') {
        interrupts = watchInterrupts(
          () => {
            stop.abort();
            io.err(`Stopping: no new step starts; the running one finishes (or is undone), then locks are released. Press Ctrl-C again to exit at once.`);
          },
          () => {
            io.err(`Exiting at once: work may be half done and the locks stay held. Run hoist plan to see each host's state; release the locks with hoist lock release --id ${event.lockId}.`);
            process.exit(INTERRUPTED_EXIT_CODE);
          },
        );
      }
      present.event(event);
    },
  };
  try {
    if (verb === 'rollback') await deploy.rollback(target as DeploySource, { ...deployOptions, ...options.rollback });
    else if (verb === 'destroy') await deploy.destroy(target as DeploySource, { ...deployOptions, removeVolumes: options.removeVolumes === true });
    else await deploy.apply(target, deployOptions);
  } catch (error) {
    throw cliErrorOf(error);
  } finally {
    prewarm?.close();
    present.close();
    interrupts?.dispose();
  }
}

/** Asks on a terminal (default No); never waits for input otherwise (CI needs --yes). */
async function confirmed(verb: ChangeCommand, io: CliIo, interrupted: () => boolean): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new CliError(`hoist ${verb} needs --yes when not run interactively${verb === 'apply' ? ' (or apply a saved plan: hoist apply plan.json)' : ''}; nothing was changed`);
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const question = verb === 'destroy' ? 'Destroy these objects? Only "yes" is accepted: ' : verb === 'rollback' ? 'Roll back? Only "yes" is accepted: ' : 'Apply these changes? Only "yes" is accepted: ';
  const answer = await new Promise<string>((resolve) => {
    rl.on('SIGINT', () => resolve(''));
    rl.question(question, resolve);
  });
  rl.close();
  const ok = answer.trim() === 'yes' && !interrupted();
  if (!ok) io.out(verb === 'destroy' ? 'Not destroyed.' : 'Not applied.');
  return ok;
}
