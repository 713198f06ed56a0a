/**
 * Hoist as a library: plan, apply, check and destroy a stack from TypeScript, without the
 * `hoist` command (lib/deploy, package export `hoist/deploy`).
 *
 * The stack is a busybox web server on every host of an inventory file. Run it against hosts
 * of your own (or a sandbox: `hoist sandbox up`, then `.hoist/sandbox/default/inventory.json`):
 *
 *   npx tsx examples/library-api/deploy.ts path/to/inventory.json
 *
 * test/integration/deploy-api.test.ts runs exactly this on the integration sandbox.
 */
import { App, HealthCheck, Image, Inventory, Service, Stack } from 'hoist';
import { apply, DeployError, type DeployEvent, destroy, plan } from 'hoist/deploy';

/** The example's program: one busybox web server per host of the inventory. */
export function helloApp(inventoryFile: string, projectDir: string, stackName = 'hello'): App {
  const app = new App({ projectDir });
  const stack = new Stack(app, stackName);
  const hosts = Inventory.fromFile(stack, 'hosts', inventoryFile).hosts;
  new Service(stack, 'web', {
    image: Image.fromRegistry('busybox:latest'),
    command: ['sh', '-c', 'mkdir -p /w && echo hello > /w/index.html && exec httpd -f -p 8080 -h /w'],
    replicas: hosts.length,
    placement: { hosts: [...hosts] },
    stopGracePeriod: '1s',
    healthCheck: HealthCheck.http(8080, { interval: '1s', timeout: '1s', retries: 10 }),
  });
  return app;
}

/** What {@link deployAndDestroy} saw. */
export interface ExampleRun {
  /** Whether the first plan had changes (true on hosts without the stack). */
  readonly firstPlanHadChanges: boolean;
  /** Whether a plan made after the apply had changes (false: the hosts match the program). */
  readonly secondPlanHadChanges: boolean;
  /** What the apply created, replaced, ... */
  readonly applied: { readonly create: number; readonly replace: number; readonly delete: number };
  /** What the destroy deleted. */
  readonly destroyed: number;
}

/**
 * Plans the program, applies exactly that plan (refused if a host changed in between),
 * plans again (which must be clean), and destroys the stack. Every event goes to `onEvent`.
 */
export async function deployAndDestroy(app: App, onEvent: (event: DeployEvent) => void = () => undefined): Promise<ExampleRun> {
  const first = await plan(app, { onEvent });
  if (first.conflicts.length) throw new Error(`the plan has ${first.conflicts.length} conflict(s)`);
  const applied = await apply(first, { onEvent, lockTimeoutMs: 30_000 });
  const second = await plan(app, { onEvent });
  const destroyed = await destroy(app, { onEvent, lockTimeoutMs: 30_000 });
  return {
    firstPlanHadChanges: first.hasChanges,
    secondPlanHadChanges: second.hasChanges,
    applied: { create: applied.summary.create, replace: applied.summary.replace, delete: applied.summary.delete },
    destroyed: destroyed.summary.delete,
  };
}

async function main(inventoryFile: string | undefined): Promise<void> {
  if (!inventoryFile) {
    console.error('usage: npx tsx examples/library-api/deploy.ts path/to/inventory.json');
    process.exitCode = 2;
    return;
  }
  const run = await deployAndDestroy(helloApp(inventoryFile, process.cwd()), (event) => {
    if (event.type === 'action-done') console.log(`${event.action.host}: ${event.action.action} ${event.action.name}`);
    if (event.type === 'complete') console.log(`${event.command} complete`);
  });
  console.log(JSON.stringify(run));
}

if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    // A DeployError's reason says what kind of failure it was; its message what to do.
    console.error(DeployError.isDeployError(error) ? `${error.reason}: ${error.message}` : error);
    process.exitCode = 1;
  });
}
