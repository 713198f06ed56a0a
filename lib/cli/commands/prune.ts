import type { Command } from 'commander';
import type * as PruneModule from '../../engine/prune-images';
import type * as CollectModule from '../../plan/collect-observations';
import type * as OpenHostModule from '../../drivers/open-host';
import type { EngineDriver } from '../../drivers/engine-driver';
import type * as ReadStateModule from '../../engine/read-host-state';
import { hostsAndBuildersOf } from '../../graph/stack-hosts';
import { removeOwnedContainer } from '../../engine/remove-container';
import { removeLeftoverSecretVolumes } from '../../engine/secret-files';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { loadGraph, withGraphSource } from '../load-graph';
import { withStackLocks } from '../with-stack-locks';
import { summaryOf } from '../command-index';

interface PruneFlags {
  readonly dryRun: boolean;
  readonly removeVolumes: boolean;
  readonly json: boolean;
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
  readonly trustNewHosts: boolean;
}

/** A stopped container of the stack that the graph no longer has (or a rollout copy left behind). */
interface StoppedContainer {
  readonly host: string;
  readonly name: string;
  readonly state: string;
  /** Anonymous data volumes: kept unless --remove-volumes (never for a rollout copy, whose live version shares them). */
  readonly anonymousVolumes: { readonly path: string; readonly volume: string }[];
}

/**
 * `hoist prune`: removes, on the stacks' hosts and builders, the stack's stopped containers
 * that are not in the graph and the built image versions beyond each image's keepVersions.
 * Only objects carrying this stack's labels; the containers' anonymous data volumes only with --remove-volumes, named volumes never. Holds the stack's lock meanwhile
 * so it cannot take an image an apply is about to use.
 */
export function registerPrune(program: Command, io: CliIo): void {
  withGraphSource(program.command('prune')
    .description(summaryOf('prune'))
    .option('--dry-run', 'only list what would be removed', false)
    .option('--remove-volumes', 'also delete the anonymous data volumes of the removed containers (data loss)', false)
    .option('--json', 'machine-readable output', false))
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .action(async (flags: PruneFlags) => {
      const { openAllHosts } = require('../../drivers/open-host') as typeof OpenHostModule;
      const { hostsToRead } = require('../../plan/collect-observations') as typeof CollectModule;
      const { imagesToPrune, removeImages } = require('../../engine/prune-images') as typeof PruneModule;
      const { graph, projectDir } = await loadGraph(flags, io);
      let opened: OpenHostModule.OpenHost[];
      try {
        opened = await openAllHosts(hostsToRead(graph), { projectDir, trustNewHosts: flags.trustNewHosts });
      } catch (error) {
        throw new CliError(`cannot prune: not every host can be reached; nothing was removed:\n${(error as Error).message.split('\n').map((l) => `  ${l}`).join('\n')}`);
      }
      const clients = new Map(opened.map((o) => [o.spec.name, o.engine]));
      const report: { stack: string; containers: StoppedContainer[]; images: PruneModule.PrunableImage[]; skipped: string[] }[] = [];
      try {
        for (const stack of graph.stacks) {
          const names = hostsAndBuildersOf(stack).map((h) => h.name);
          const prune = async () => {
            const desired = new Set(stack.resources.map((r) => r.id));
            const entry = { stack: stack.name, containers: [] as StoppedContainer[], images: [] as PruneModule.PrunableImage[], skipped: [] as string[] };
            await Promise.all(names.map(async (name) => {
              const client = clients.get(name)!;
              const containers = stack.hosts.some((h) => h.name === name) ? await stoppedLeftovers(client, stack.name, desired) : [];
              const images = await imagesToPrune(client, stack);
              if (!flags.dryRun) {
                for (const c of containers) {
                  await removeOwnedContainer(client, c.name, { stack: stack.name, deleteVolumes: flags.removeVolumes ? c.anonymousVolumes.map((v) => v.volume) : [] })
                    .catch((error: Error) => entry.skipped.push(`container ${c.name}@${name}: ${error.message.split('\n')[0]}`));
                }
                await removeLeftoverSecretVolumes(client, stack.name);
                const result = await removeImages(client, images);
                entry.skipped.push(...result.skipped.map((s) => `image ${s.image.references[0] ?? s.image.id}@${name}: ${s.reason}`));
              }
              entry.containers.push(...containers);
              entry.images.push(...images);
            }));
            report.push(entry);
          };
          // Removing changes hosts and builders: under the stack's lock on each, like apply.
          if (flags.dryRun) await prune();
          else await withStackLocks([...new Set(names)].map((n) => clients.get(n)!), { stack: stack.name, verb: 'prune', message: 'hoist prune', lockTimeoutMs: 0 }, io, prune);
        }
      } finally {
        for (const open of opened) open.close();
      }
      if (flags.json) {
        io.out(JSON.stringify({ dryRun: flags.dryRun, stacks: report }, null, 2));
        return;
      }
      const verb = flags.dryRun ? 'would remove' : 'removed';
      for (const r of report) {
        io.out(`Stack ${r.stack}: ${verb} ${r.containers.length} stopped container(s), ${r.images.length} old image version(s)`);
        for (const c of r.containers.sort((a, b) => (a.host + a.name < b.host + b.name ? -1 : 1))) {
          io.out(`  container ${c.name}@${c.host} (${c.state})`);
          for (const v of c.anonymousVolumes) io.out(`    ${flags.removeVolumes ? (flags.dryRun ? 'would delete' : 'deleted') : 'kept'} anonymous volume for ${v.path} (${v.volume.slice(0, 12)})${flags.removeVolumes ? '' : '; --remove-volumes deletes it'}`);
        }
        for (const i of r.images.sort((a, b) => (a.host + a.created < b.host + b.created ? -1 : 1))) io.out(`  image ${i.references[0] ?? i.id.slice(7, 19)}@${i.host} (built ${i.created})`);
        for (const s of r.skipped) io.out(`  kept ${s}`);
      }
    });
}

/** The stack's stopped containers the graph no longer has, and rollout copies a killed apply left. */
async function stoppedLeftovers(client: EngineDriver, stack: string, desired: ReadonlySet<string>): Promise<StoppedContainer[]> {
  const { readHostState } = require('../../engine/read-host-state') as typeof ReadStateModule;
  const { containers } = await readHostState(client, stack, { inspect: true });
  return containers
    .filter((c) => !['running', 'restarting', 'paused'].includes(c.state.status))
    .filter((c) => c.resourceId !== null && (c.rolloutCopy || !desired.has(c.resourceId)))
    .map((c) => ({ host: client.host, name: c.name, state: c.state.status, anonymousVolumes: c.rolloutCopy ? [] : (c.anonymousVolumes ?? []).map((v) => ({ path: v.target, volume: v.volume })) }));
}
