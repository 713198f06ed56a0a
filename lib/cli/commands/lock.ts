import type { Command } from 'commander';
import type * as LockModule from '../../lock/lock-hosts';
import type { EngineDriver } from '../../drivers/engine-driver';
import type * as HostLockModule from '../../engine/host-lock';
import type * as OpenHostModule from '../../drivers/open-host';
import { hostsOfStacks } from '../../graph/stack-hosts';
import type { GraphDocument, StackGraph } from '../../graph/graph-document';
import { parseDuration } from '../../values/duration';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { loadGraph, withGraphSource } from '../load-graph';
import { INTERRUPTED_EXIT_CODE, watchInterrupts } from '../interrupts';
import { summaryOf } from '../command-index';

interface LockOptions {
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
  readonly stack?: string;
  readonly trustNewHosts: boolean;
  readonly json?: boolean;
  readonly message?: string;
  readonly ttl?: string;
  readonly lockTimeout?: string;
  readonly id?: string;
}

/** `hoist lock status|acquire|release`: the per-host locks that keep two applies apart. */
export function registerLock(program: Command, io: CliIo): void {
  const lock = program.command('lock').description(summaryOf('lock'));
  const common = (command: Command) => withGraphSource(command
    .option('--stack <name>', 'only this stack'))
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false);

  common(lock.command('status').description('Show who holds each stack\'s lock on each host'))
    .option('--json', 'machine-readable output', false)
    .action(async (options: LockOptions) => {
      const { lockStatus } = require('../../lock/lock-hosts') as typeof LockModule;
      await withStacks(options, io, async (stack, clients) => {
        const states = await lockStatus(clients, stack.name);
        if (options.json) {
          io.out(JSON.stringify({
            stack: stack.name,
            locks: states.flatMap((s) => ('holder' in s ? [s.holder] : [])),
            invalid: states.flatMap((s) => ('corrupt' in s ? [{ host: s.host, name: s.corrupt.containerName, problems: s.corrupt.problems }] : [])),
          }, null, 2));
          return;
        }
        if (states.length === 0) io.out(`Stack ${stack.name}: not locked on any of ${clients.length} host(s)`);
        for (const s of states) {
          if ('corrupt' in s) {
            io.out(`Stack ${stack.name} on ${s.host}: INVALID lock object ${s.corrupt.containerName} (${s.corrupt.problems.join('; ')}); Hoist will not use or remove it`);
            continue;
          }
          const h = s.holder;
          io.out(`Stack ${stack.name} on ${h.host}: ${h.expired ? 'EXPIRED' : 'held'} by ${h.user}@${h.machine} (pid ${h.pid}) since ${h.created}, until ${h.expires}, id ${h.id}${h.message ? `: ${h.message}` : ''}`);
        }
      });
    });

  common(lock.command('acquire').description('Lock a stack on all its hosts by hand (e.g. during maintenance); prints the id to release it'))
    .option('-m, --message <text>', 'why, shown to whoever finds the lock')
    .option('--ttl <duration>', 'expiry, after which another run may take the lock over', '1h')
    .option('--lock-timeout <duration>', 'wait this long for a lock held by someone else', '0s')
    .action(async (options: LockOptions) => {
      const { lockHosts } = require('../../lock/lock-hosts') as typeof LockModule;
      const ttlMs = durationMs(options.ttl!, '--ttl');
      const timeoutMs = durationMs(options.lockTimeout!, '--lock-timeout');
      // Ctrl-C while waiting releases the locks already taken (never leaves some hosts locked).
      const stop = new AbortController();
      const interrupts = watchInterrupts(() => stop.abort(), () => process.exit(INTERRUPTED_EXIT_CODE));
      await withStacks(options, io, async (stack, clients) => {
        const held = await lockHosts(clients, { stack: stack.name, ttlMs, timeoutMs, message: options.message, signal: stop.signal }).catch((error: Error) => {
          throw error.name === 'LockWaitInterruptedError' ? new CliError(error.message, INTERRUPTED_EXIT_CODE) : error;
        });
        for (const old of held.tookOver) io.err(`warning: took over an expired lock on ${old.host} (id ${old.id}, ${old.user}@${old.machine}, expired ${old.expires})`);
        io.out(`Locked stack ${stack.name} on ${held.holders.length} host(s) until ${held.holders[0]?.expires}; release with: hoist lock release --id ${held.id}`);
      }).finally(() => interrupts.dispose());
    });

  common(lock.command('release').description('Release a stack\'s lock on all its hosts; needs the lock\'s id (see hoist lock status)'))
    .requiredOption('--id <id>', 'the id of the lock to release')
    .action(async (options: LockOptions) => {
      const { releaseLock } = require('../../engine/host-lock') as typeof HostLockModule;
      await withStacks(options, io, async (stack, clients) => {
        const released = await Promise.all(clients.map((client) => releaseLock(client, stack.name, options.id!)));
        const count = released.filter(Boolean).length;
        io.out(count ? `Released lock ${options.id} of stack ${stack.name} on ${count} host(s)` : `Stack ${stack.name} has no lock on its hosts`);
      });
    });
}

/** Runs `work` for each stack with its hosts' engines open; closes them however it ends. */
async function withStacks(options: LockOptions, io: CliIo, work: (stack: StackGraph, clients: EngineDriver[]) => Promise<void>): Promise<void> {
  const { openAllHosts } = require('../../drivers/open-host') as typeof OpenHostModule;
  const { graph, projectDir }: { graph: GraphDocument; projectDir: string } = await loadGraph(options, io);
  const stacks = options.stack ? graph.stacks.filter((s) => s.name === options.stack) : graph.stacks;
  if (stacks.length === 0) throw new CliError(`no stack named ${options.stack}; stacks: ${graph.stacks.map((s) => s.name).join(', ')}`);
  let opened: OpenHostModule.OpenHost[];
  try {
    opened = await openAllHosts(hostsOfStacks(stacks), { projectDir, trustNewHosts: options.trustNewHosts });
  } catch (error) {
    throw new CliError(`cannot reach every host:\n${(error as Error).message.split('\n').map((l) => `  ${l}`).join('\n')}`);
  }
  try {
    for (const stack of stacks) {
      const clients = opened.filter((o) => stack.hosts.some((h) => h.name === o.spec.name)).map((o) => o.engine);
      try {
        await work(stack, clients);
      } catch (error) {
        throw error instanceof CliError ? error : new CliError((error as Error).message);
      }
    }
  } finally {
    for (const open of opened) open.close();
  }
}

function durationMs(value: string, flag: string): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new CliError(`${flag}: ${parsed.reason}`);
  return parsed.ms;
}
