import type { Command } from 'commander';
import type * as OpenHostModule from '../../drivers/open-host';
import type * as AddressModule from '../../operate/service-address';
import { asInputProblem, CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { loadGraph, withGraphSource } from '../load-graph';
import { positiveIntegerFlag } from '../parse-flags';
import { summaryOf } from '../command-index';

interface ExecFlags {
  readonly host?: string;
  readonly replica?: string;
  readonly user?: string;
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
  readonly trustNewHosts: boolean;
}

/**
 * `hoist exec <stack>/<service> [--host h] -- cmd...`: runs a command in a running replica of
 * the service, with a TTY when this is a terminal, over the host's SSH connection; exits with
 * the command's exit code.
 */
export function registerExec(program: Command, io: CliIo): void {
  withGraphSource(program.command('exec')
    .description(summaryOf('exec'))
    .argument('<stack/service>', 'the service, as <stack>/<service>')
    .argument('<command...>', 'the command and its arguments (put -- before it)')
    .option('--host <name>', 'a replica on this host (default: the first host with a running replica)')
    .option('--replica <n>', 'the replica with this slot number')
    .option('-u, --user <user>', 'run as this user'))
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .action(async (address: string, argv: string[], flags: ExecFlags) => {
      const { resolveService, serviceContainers, containerName } = require('../../operate/service-address') as typeof AddressModule;
      const { openHost } = require('../../drivers/open-host') as typeof OpenHostModule;
      const slot = flags.replica === undefined ? undefined : positiveIntegerFlag(flags.replica, '--replica');
      const { graph, projectDir } = await loadGraph(flags, io);
      const target = asInputProblem(() => resolveService(graph, address, flags.host));
      const wanted = new Set(target.stack.resources
        .filter((r) => r.kind === 'container' && (r.spec as { service: string }).service === target.service && (slot === undefined || (r.spec as { slot: number }).slot === slot))
        .map((r) => `${r.host}/${(r.spec as { name: string }).name}`));
      const tried: string[] = [];
      for (const spec of target.reach) {
        const open = await openHost(spec, { projectDir, trustNewHosts: flags.trustNewHosts });
        try {
          const running = serviceContainers(await open.engine.listContainers(), target.stack.name, target.service)
            .filter((c) => c.State === 'running' && wanted.has(`${spec.name}/${containerName(c)}`));
          if (running.length === 0) {
            tried.push(spec.name);
            continue;
          }
          const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
          if (tty) process.stdin.setRawMode(true);
          let code: number | null;
          try {
            code = await open.engine.execInteractive(running[0].Id, argv, {
              tty, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr,
              ...(tty ? { size: { columns: process.stdout.columns, rows: process.stdout.rows } } : {}),
              ...(flags.user ? { user: flags.user } : {}),
            });
          } finally {
            if (tty) process.stdin.setRawMode(false);
            process.stdin.pause();
          }
          // The command's own exit code; it has said what went wrong itself.
          if (code !== 0) throw new CliError('', code ?? 1);
          return;
        } finally {
          open.close();
        }
      }
      throw new CliError(`no running replica of ${address}${slot !== undefined ? ` with slot ${slot}` : ''} on ${tried.join(', ')}; hoist status shows what runs`);
    });
}
