import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { ALL_PACKAGES, missingPackages, requireLinuxRoot } from '../../sandbox/prerequisites';
import { projectSandboxDir } from '../../sandbox/project-files';
import { sandboxDown } from '../../sandbox/sandbox-down';
import { parseSandboxName, parseUpOptions } from '../../sandbox/sandbox-options';
import { listStates, readState } from '../../sandbox/sandbox-state';
import { sandboxStatus } from '../../sandbox/sandbox-status';
import { sandboxUp } from '../../sandbox/sandbox-up';
import { runCommand } from '../../sandbox/system-command';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { summaryOf } from '../command-index';

/** `hoist sandbox ...`: local test hosts in network namespaces. */
export function registerSandbox(program: Command, io: CliIo): void {
  const sandbox = program.command('sandbox')
    .description(summaryOf('sandbox'));

  sandbox.command('install')
    .description('Install the Debian packages the sandbox needs (apt-get)')
    .option('--if-missing', 'do nothing when every package is installed already', false)
    .action(async (options: { ifMissing: boolean }) => {
      wrap(() => requireLinuxRoot('install'));
      if (options.ifMissing) {
        const missing = await missingPackages({ docker: true, podman: true, registry: true, debian: true });
        if (missing.length === 0) {
          io.out('Every package the sandbox needs is installed');
          return;
        }
      }
      io.err(`installing: ${ALL_PACKAGES.join(' ')}`);
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      const update = await runCommand('apt-get', ['update', '-q'], { timeoutMs: 10 * 60_000, env });
      if (update.code !== 0) throw new CliError(`apt-get update failed: ${update.stderr.trim().split('\n').slice(-2).join(' / ')}`);
      const install = await runCommand('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...ALL_PACKAGES], { timeoutMs: 20 * 60_000, env });
      if (install.code !== 0) throw new CliError(`apt-get install failed: ${install.stderr.trim().split('\n').slice(-3).join(' / ')}`);
      io.out(`Installed ${ALL_PACKAGES.length} packages; next: sudo npx hoist sandbox up`);
    });

  sandbox.command('up')
    .description('Create (or repair) a sandbox and write its inventory to .hoist/sandbox/<name>/')
    .option('--hosts <n>', 'number of hosts (1-20)', '3')
    .option('--engine <engine>', 'docker, podman or mixed (alternating, Docker first)', 'docker')
    .option('--name <name>', 'sandbox name (default: HOIST_SANDBOX, else "default")')
    .option('--registry', 'also run a registry on the sandbox bridge (port 5000)', false)
    .option('--images <list>', 'base images to load: busybox,debian,haproxy', 'busybox,debian,haproxy')
    .option('-C, --project <dir>', 'project directory to write the inventory into', '.')
    .action(async (options: { hosts: string; engine: string; name?: string; registry: boolean; images: string; project: string }) => {
      const parsed = wrap(() => parseUpOptions({ ...options, projectDir: path.resolve(options.project) }));
      const result = await wrapAsync(() => sandboxUp(parsed, (line) => io.err(line)));
      const s = result.state;
      io.out(`Sandbox ${s.name} is up (${s.hosts.length} hosts on ${s.subnet}) in ${result.seconds.toFixed(1)}s` +
        (result.created ? '' : result.restartedHosts.length ? `; restarted ${result.restartedHosts.join(', ')}` : '; its hosts were already running'));
      for (const h of s.hosts) io.out(`  ${h.name.padEnd(8)} ${h.address.padEnd(14)} ${h.engine.padEnd(7)} roles ${h.roles.join(',')}`);
      io.out(`Inventory: ${path.relative(process.cwd(), path.join(result.inventoryDir, 'inventory.json'))}`);
      io.out(`Shell on a host: npx hoist sandbox ssh ${s.hosts[0].name}${s.name === 'default' ? '' : ` --name ${s.name}`}`);
    });

  sandbox.command('down')
    .description('Remove a sandbox and everything it created (also after a crash)')
    .option('--name <name>', 'sandbox name (default: HOIST_SANDBOX, else "default")')
    .action(async (options: { name?: string }) => {
      const name = sandboxName(options.name);
      const result = await wrapAsync(() => sandboxDown(name, (line) => io.err(line)));
      io.out(result.existed ? `Sandbox ${name} removed in ${result.seconds.toFixed(1)}s` : `No sandbox named ${name}; nothing to remove`);
    });

  sandbox.command('status')
    .description('Show each host of a sandbox: address, engine, sshd and engine health')
    .option('--name <name>', 'sandbox name (default: HOIST_SANDBOX, else "default")')
    .option('--json', 'machine-readable output', false)
    .action(async (options: { name?: string; json: boolean }) => {
      const name = sandboxName(options.name);
      const status = await sandboxStatus(name);
      if (!status) throw new CliError(`no sandbox named ${name}; create one with "sudo npx hoist sandbox up${name === 'default' ? '' : ` --name ${name}`}"`);
      if (options.json) {
        io.out(JSON.stringify(status, null, 2));
      } else {
        io.out(`Sandbox ${status.name}: ${status.subnet} on bridge ${status.bridge}, ${status.healthy ? 'healthy' : 'UNHEALTHY'}`);
        for (const inventory of status.inventories) io.out(`  inventory ${inventory}`);
        io.out(`  ${'HOST'.padEnd(8)} ${'ADDRESS'.padEnd(14)} ${'ENGINE'.padEnd(7)} ${'SSH'.padEnd(5)} ENGINE API`);
        for (const h of status.hosts) {
          const engine = h.engineVersion ? `${h.engineVersion} (API ${h.apiVersion})` : h.running ? 'not answering' : 'host not running';
          io.out(`  ${h.name.padEnd(8)} ${h.address.padEnd(14)} ${h.engine.padEnd(7)} ${(h.ssh ? 'ok' : 'down').padEnd(5)} ${engine}`);
        }
        if (!status.healthy) io.out(`Repair with: sudo npx hoist sandbox up${status.name === 'default' ? '' : ` --name ${status.name}`} --hosts ${status.hosts.length}`);
      }
      if (!status.healthy) throw new CliError('', 1);
    });

  sandbox.command('list')
    .description('List the sandboxes on this machine')
    .action(() => {
      const states = listStates();
      if (states.length === 0) io.out('No sandboxes');
      for (const s of states) io.out(`${s.name.padEnd(20)} ${s.subnet.padEnd(16)} ${s.hosts.length} ${s.engineMode} host(s), since ${s.createdAt}`);
    });

  sandbox.command('ssh')
    .description('Open a shell (or run a command) on a sandbox host; docker/podman there talk to that host\'s engine')
    .argument('<host>', 'host name, e.g. host-1')
    .argument('[command...]', 'command to run instead of a shell')
    .option('--name <name>', 'sandbox name (default: HOIST_SANDBOX, else "default")')
    .option('-C, --project <dir>', 'project directory holding the sandbox inventory', '.')
    .action((host: string, command: string[], options: { name?: string; project: string }) => {
      const name = sandboxName(options.name);
      const config = path.join(projectSandboxDir(path.resolve(options.project), name), 'ssh_config');
      if (!fs.existsSync(config)) {
        throw new CliError(`no sandbox ${name} for this project (${config} is missing); run "sudo npx hoist sandbox up${name === 'default' ? '' : ` --name ${name}`}" here`);
      }
      const state = readState(name);
      if (state && !state.hosts.some((h) => h.name === host)) {
        throw new CliError(`sandbox ${name} has no host "${host}" (hosts: ${state.hosts.map((h) => h.name).join(', ')})`);
      }
      const result = spawnSync('ssh', ['-F', config, ...(command.length ? [] : ['-t']), host, '--', ...command], { stdio: 'inherit' });
      if (result.error) throw new CliError(`cannot run ssh: ${result.error.message}; install openssh-client`);
      if (result.status !== 0) throw new CliError('', result.status ?? 1);
    });
}

function sandboxName(given: string | undefined): string {
  const problems: string[] = [];
  const name = parseSandboxName(given, problems);
  if (problems.length) throw new CliError(problems.join('\n'));
  return name;
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

async function wrapAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}
