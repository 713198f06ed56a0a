import type { EngineDriver } from '../drivers/engine-driver';
import { tarArchive } from '../drivers/tar-archive';
import { INGRESS_CONFIG_PATH, INGRESS_LOADED_CONFIG_PATH, INGRESS_STATE_PATH } from '../values/ingress-config';
import { ProxyRuntime } from './proxy-runtime';

/**
 * The configuration a running proxy serves: the copy its entrypoint wrote at start, or Hoist
 * after its last reload. Undefined when it cannot be read (the container is not running).
 */
export async function readLiveProxyConfig(client: EngineDriver, container: string): Promise<string | undefined> {
  const result = await client.exec(container, ['cat', INGRESS_LOADED_CONFIG_PATH], { timeoutMs: 15_000, maxOutputBytes: 8 * 1024 * 1024 });
  return result.exitCode === 0 && !result.truncated ? result.stdout.toString('utf8') : undefined;
}

/**
 * Where a proxy the caller has just seen running sends each server's requests, by
 * `<backend>/<server>` (its main servers only, not the rollout spares); undefined when it
 * cannot be asked (it stopped since).
 */
export async function readProxyServerAddresses(client: EngineDriver, container: string): Promise<Record<string, string> | undefined> {
  const answer = await ProxyRuntime.ofRunning(client, container).command('show servers state').catch(() => undefined);
  if (answer === undefined) return undefined;
  const lines = answer.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('#'))?.replace(/^#\s*/, '').split(' ') ?? [];
  const [backend, server, address] = ['be_name', 'srv_name', 'srv_addr'].map((name) => header.indexOf(name));
  if (backend < 0 || server < 0 || address < 0) return undefined;
  const addresses: Record<string, string> = {};
  for (const line of lines.filter((l) => !l.startsWith('#') && l.includes(' '))) {
    const fields = line.split(' ');
    if (fields[server]?.endsWith('.next') || fields[server]?.startsWith('remote.')) continue;
    addresses[`${fields[backend]}/${fields[server]}`] = fields[address];
  }
  return addresses;
}

/**
 * Gives a running proxy a new configuration without stopping it: the servers' states are
 * saved, the new file is checked by HAProxy itself, put in place, and the master process
 * reloads (SIGUSR2): a new worker takes over the listening sockets and the saved states, the
 * old one finishes the requests it has. Returns once the new worker answers.
 */
export async function reloadProxy(client: EngineDriver, container: string, config: string): Promise<void> {
  const runtime = await ProxyRuntime.open(client, container);
  if (!runtime) throw new Error(`proxy ${container} on ${client.host} is not running; it cannot reload`);
  const before = await runtime.workerPid();
  const next = `${INGRESS_CONFIG_PATH}.next`;
  const run = async (argv: string[], what: string) => {
    const result = await client.exec(container, argv, { timeoutMs: 30_000 });
    if (result.exitCode !== 0) {
      throw new Error(`proxy ${container} on ${client.host}: ${what} failed (${result.timedOut ? 'timed out' : `exit ${result.exitCode}`}): ${(result.stderr.toString('utf8') || result.stdout.toString('utf8')).trim().slice(0, 500)}`);
    }
  };
  await client.putArchive(container, '/tmp', await tarArchive([{ header: { name: next.slice('/tmp/'.length), mode: 0o644 }, content: config }]));
  await run(['haproxy', '-c', '-q', '-f', next], 'checking the new configuration');
  await runtime.saveServerStates(INGRESS_STATE_PATH);
  await run(['sh', '-c', `mv ${next} ${INGRESS_CONFIG_PATH} && kill -USR2 1`], 'reloading');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const pid = await runtime.workerPid().catch(() => undefined);
    if (pid !== undefined && pid !== before) {
      // Only now is the new configuration the one the proxy serves.
      await run(['cp', INGRESS_CONFIG_PATH, INGRESS_LOADED_CONFIG_PATH], 'recording the loaded configuration');
      return;
    }
    if (Date.now() > deadline) throw new Error(`proxy ${container} on ${client.host} did not reload within 30 s; see hoist logs`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
