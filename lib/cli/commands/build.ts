import type { Command } from 'commander';
import type * as BuildModule from '../../kinds/image/build-image';
import type * as SecretValuesModule from '../../apply/secret-values';
import type * as BuildStateModule from '../../engine/read-build-state';
import type * as PlanLintModule from '../../lint/plan-lint';
import type * as OpenHostModule from '../../drivers/open-host';
import type * as FingerprintModule from '../../secrets/secret-fingerprint';
import type { GraphDocument, ImageResource, StackGraph } from '../../graph/graph-document';
import { resourceKeyOf } from '../../graph/resource-id';
import type * as CollectModule from '../../plan/collect-observations';
import type { StackPlan } from '../../plan/plan-types';
import { asInputProblem, CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { loadGraph, withGraphSource } from '../load-graph';
import { withStackLocks } from '../with-stack-locks';
import { redactedError, redactingIo } from '../redacting-io';
import { Redactor } from '../../values/redactor';
import { parseDuration } from '../../values/duration';
import { summaryOf } from '../command-index';

interface BuildFlags {
  readonly graph?: string;
  readonly app?: string;
  readonly project?: string;
  readonly trustNewHosts: boolean;
  readonly lockTimeout: string;
}

function lockTimeout(value: string): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new CliError(`--lock-timeout: ${parsed.reason}`);
  return parsed.ms;
}

/**
 * `hoist build`: builds, on their builders, the images whose inputs have no build yet, and
 * changes nothing on the hosts. Run before `hoist plan` (in a pull request, say) and the plan
 * shows exactly how many layers and bytes each host will be sent; apply then finds the builds
 * done. Images with lint errors are refused, as apply refuses them.
 */
export function registerBuild(program: Command, io: CliIo): void {
  withGraphSource(program.command('build')
    .description(summaryOf('build')))
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .option('--lock-timeout <duration>', 'wait this long for another run\'s lock on a builder', '0s')
    .action(async (flags: BuildFlags) => {
      const { openAllHosts } = require('../../drivers/open-host') as typeof OpenHostModule;
      const { hostsToRead } = require('../../plan/collect-observations') as typeof CollectModule;
      const { graph, projectDir } = await loadGraph(flags, io);

      const names = new Set(graph.stacks.flatMap((s) => s.resources.map((r) => (r.kind === 'image' ? (r as ImageResource).policy?.builder : undefined))));
      const builders = hostsToRead(graph).filter((h) => names.has(h.name));
      if (builders.length === 0) {
        io.out('No images are built by these stacks.');
        return;
      }
      let opened: OpenHostModule.OpenHost[];
      try {
        opened = await openAllHosts(builders, { projectDir, trustNewHosts: flags.trustNewHosts });
      } catch (error) {
        throw new CliError(`cannot build: not every builder can be reached:\n${(error as Error).message.split('\n').map((l) => `  ${l}`).join('\n')}`);
      }
      try {
        let built = 0;
        for (const stack of graph.stacks) {
          const stackBuilders = opened.filter((o) => stack.resources.some((r) => r.kind === 'image' && (r as ImageResource).policy?.builder === o.spec.name));
          if (stackBuilders.length === 0) continue;
          // A build changes its builders: under the stack's lock there, like apply.
          built += await withStackLocks(stackBuilders.map((o) => o.engine), { stack: stack.name, verb: 'build', message: 'hoist build', lockTimeoutMs: lockTimeout(flags.lockTimeout) }, io, (stopRequested) => buildStackImages(stack, stackBuilders, graph, projectDir, io, stopRequested));
        }
        io.out(built === 0 ? 'Every image is built already: nothing to do.' : `Built ${built} image(s); hoist plan now shows what each host will be sent.`);
      } finally {
        for (const open of opened) open.close();
      }
    });
}

/** Builds a stack's images that have no build yet on the given builders (held under lock); returns how many. */
async function buildStackImages(stack: StackGraph, builders: OpenHostModule.OpenHost[], graph: GraphDocument, projectDir: string, plainIo: CliIo, stopRequested: () => boolean): Promise<number> {
  // A build step may print a build secret: its output and errors pass through the redactor.
  const redactor = new Redactor();
  const io = redactingIo(plainIo, redactor);
  try {
    return await buildWithRedaction(stack, builders, graph, projectDir, io, redactor, stopRequested);
  } catch (error) {
    throw redactedError(error, redactor);
  }
}

async function buildWithRedaction(stack: StackGraph, builders: OpenHostModule.OpenHost[], graph: GraphDocument, projectDir: string, io: CliIo, redactor: Redactor, stopRequested: () => boolean): Promise<number> {
  const { buildsOn, readBuildState } = require('../../engine/read-build-state') as typeof BuildStateModule;
  const { buildImage } = require('../../kinds/image/build-image') as typeof BuildModule;
  const { readImageSecrets } = require('../../apply/secret-values') as typeof SecretValuesModule;
  const { lintBuilds, lintLines, lintBlockers } = require('../../lint/plan-lint') as typeof PlanLintModule;
  const { loadFingerprintKey } = require('../../secrets/secret-fingerprint') as typeof FingerprintModule;
  let builtHere = 0;
  const todo: { resource: ImageResource; client: OpenHostModule.OpenHost['engine'] }[] = [];
  for (const open of builders) {
    const images = buildsOn(open.spec.name, stack.resources.filter((r): r is ImageResource => r.kind === 'image'));
    const states = await readBuildState(open.engine, images);
    images.forEach((resource, i) => {
      if (!states[i].built) todo.push({ resource, client: open.engine });
    });
  }
  if (todo.length === 0) return 0;
  // The same checks apply makes: lint errors and secrets, before anything is built.
  const keys = todo.map(({ resource }) => resourceKeyOf(resource.id));
  const linted = asInputProblem(() => lintBuilds(new Set(keys), graph, projectDir));
  for (const line of lintLines(linted)) io.err(line);
  const blockers = lintBlockers(linted);
  let key: FingerprintModule.FingerprintKey | undefined;
  // The builds as the plan would list them, so their secrets are read exactly as apply reads them.
  const builds: StackPlan = { stack: stack.name, conflicts: [], kept: [], actions: todo.map(({ resource, client }, i) => ({ step: 1, host: client.host, kind: 'image', resource: keys[i], name: resource.id, action: 'build', causes: [] })) };
  const secrets = readImageSecrets(builds, stack, projectDir, () => (key ??= loadFingerprintKey(projectDir)));
  blockers.push(...secrets.problems);
  redactor.add(secrets.values.values());
  if (blockers.length) throw new CliError(`cannot build; nothing was built:\n${blockers.map((b) => `  ${b}`).join('\n')}`);
  for (const { resource, client } of todo) {
    if (stopRequested()) break;
    const started = Date.now();
    io.out(`${client.host}  building ${resourceKeyOf(resource.id).slice('image:'.length)}`);
    await buildImage(client, stack.name, resource, projectDir, (message) => io.out(`${client.host}  ${message}`), secrets.values);
    io.out(`${client.host}  built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    builtHere++;
  }
  return builtHere;
}
