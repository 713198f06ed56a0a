import type { Command } from 'commander';
import type * as OpenHostModule from '../../drivers/open-host';
import type * as MergeModule from '../../operate/merge-log-lines';
import type * as AddressModule from '../../operate/service-address';
import type * as ServiceLogsModule from '../../operate/service-logs';
import type * as SecretValuesModule from '../../operate/stack-secret-values';
import { Redactor } from '../../values/redactor';
import { parseDuration } from '../../values/duration';
import { asInputProblem, CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { watchInterrupts } from '../interrupts';
import { loadGraph, withGraphSource } from '../load-graph';
import { positiveIntegerFlag } from '../parse-flags';
import { summaryOf } from '../command-index';

interface LogsFlags {
  readonly follow: boolean;
  readonly since?: string;
  readonly tail?: string;
  readonly host?: string;
  readonly json: boolean;
  readonly timestamps: boolean;
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
  readonly trustNewHosts: boolean;
}

/**
 * `hoist logs <stack>/<service>`: the log of every replica across the hosts, merged by the
 * engines' timestamps, each line prefixed with its host and container; with -f it follows,
 * new replicas of a rollout included. Secret values of the stack are redacted.
 */
export function registerLogs(program: Command, io: CliIo): void {
  withGraphSource(program.command('logs')
    .description(summaryOf('logs'))
    .argument('<stack/service>', 'the service, as <stack>/<service>')
    .option('-f, --follow', 'keep following until Ctrl-C', false)
    .option('--since <time>', 'only lines since a duration ago (10m, 1h30m) or an RFC 3339 time')
    .option('-n, --tail <n>', 'only the last n lines of each replica')
    .option('--host <name>', 'only the replicas on this host')
    .option('--timestamps', 'show the engines\' timestamps', false)
    .option('--json', 'one JSON object per line: time, host, container, stream, line', false))
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .action(async (address: string, flags: LogsFlags) => {
      const { resolveService } = require('../../operate/service-address') as typeof AddressModule;
      const { readServiceLogs } = require('../../operate/service-logs') as typeof ServiceLogsModule;
      const { LogMerger, sortByTime } = require('../../operate/merge-log-lines') as typeof MergeModule;
      const { stackSecretValues } = require('../../operate/stack-secret-values') as typeof SecretValuesModule;
      const { forEachHost } = require('../../drivers/open-host') as typeof OpenHostModule;
      const tail = flags.tail === undefined ? undefined : positiveIntegerFlag(flags.tail, '--tail');
      const since = flags.since === undefined ? undefined : sinceSeconds(flags.since);
      const { graph, projectDir } = await loadGraph(flags, io);
      const target = asInputProblem(() => resolveService(graph, address, flags.host));

      const redactor = new Redactor();
      const secrets = stackSecretValues(target.stack, projectDir);
      redactor.add(secrets.values);
      for (const unread of secrets.unread) io.err(`warning: cannot read ${unread}; its value is not redacted from the logs`);

      const print = (line: MergeModule.ServiceLogLine) => {
        const text = redactor.redact(line.text);
        if (flags.json) io.out(JSON.stringify({ time: line.time, host: line.host, container: line.container, stream: line.stream, line: text }));
        else io.out(`${flags.timestamps && line.time ? `${line.time} ` : ''}${line.host} ${line.container} | ${text}`);
      };
      const abort = new AbortController();
      const interrupts = watchInterrupts(() => abort.abort(), () => process.exit(130));
      const merger = flags.follow ? new LogMerger(print) : undefined;
      const collected: MergeModule.ServiceLogLine[] = [];
      try {
        const outcomes = await forEachHost(target.reach, { projectDir, trustNewHosts: flags.trustNewHosts, parallelism: 10 }, (open) => readServiceLogs(open.engine, {
          stack: target.stack.name, service: target.service, follow: flags.follow, signal: abort.signal,
          ...(since !== undefined ? { since } : {}), ...(tail !== undefined ? { tail } : {}),
          onLine: (line) => (merger ? merger.push(line) : collected.push(line)),
          onProblem: (host, message) => io.err(`warning: ${host}: ${redactor.redact(message)}`),
        }));
        merger?.drain();
        for (const line of sortByTime(collected)) print(line);
        const failed = outcomes.filter((o) => !o.ok);
        if (failed.length) throw new CliError(failed.map((o) => `${o.host}: ${redactor.redact((o as { error: Error }).error.message.split('\n')[0])}`).join('\n'));
      } finally {
        interrupts.dispose();
      }
    });
}

/** `--since`: a duration ago, or an RFC 3339 time; seconds since the epoch. */
function sinceSeconds(text: string): number {
  const duration = parseDuration(text);
  if (duration.ok) return Math.floor((Date.now() - duration.ms) / 1000);
  const time = Date.parse(text);
  if (/^\d{4}-\d\d-\d\dT/.test(text) && !Number.isNaN(time)) return Math.floor(time / 1000);
  throw new CliError(`--since "${text}" is neither a duration (10m, 1h30m) nor an RFC 3339 time (2026-12-02T10:00:00Z)`);
}
