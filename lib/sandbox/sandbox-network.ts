import * as fs from 'node:fs';
import { mustRun, runCommand } from './system-command';
import { ruleComment } from './sandbox-names';
import type { SandboxHostState, SandboxState } from './sandbox-state';

/**
 * The sandbox's network: one bridge with a private /24, a network namespace per host joined
 * by a veth pair, and NAT so builds on the hosts can download packages. Every iptables rule
 * carries the sandbox's comment, so teardown removes exactly what was added.
 */

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

export function readIpForward(): string {
  return fs.readFileSync(IP_FORWARD, 'utf8').trim();
}

export async function linkExists(name: string): Promise<boolean> {
  return (await runCommand('ip', ['link', 'show', 'dev', name])).code === 0;
}

export async function netnsExists(name: string): Promise<boolean> {
  return fs.existsSync(`/var/run/netns/${name}`);
}

/** Whether any route on this machine already covers `prefix` (e.g. "10.213.4"). */
export async function subnetInUse(prefix: string, ownBridge: string): Promise<boolean> {
  const routes = await mustRun('ip', ['-4', 'route', 'show']);
  return routes.split('\n').some((line) => line.includes(`${prefix}.`) && !line.includes(`dev ${ownBridge} `));
}

export async function createBridge(state: SandboxState): Promise<void> {
  if (!(await linkExists(state.bridge))) {
    await mustRun('ip', ['link', 'add', state.bridge, 'type', 'bridge']);
  }
  const addresses = await mustRun('ip', ['-4', 'addr', 'show', 'dev', state.bridge]);
  if (!addresses.includes(`${state.gateway}/24`)) {
    await mustRun('ip', ['addr', 'add', `${state.gateway}/24`, 'dev', state.bridge]);
  }
  await mustRun('ip', ['link', 'set', state.bridge, 'up']);
  fs.writeFileSync(IP_FORWARD, '1\n');
  await ensureRules(state);
}

export async function createHostNetwork(state: SandboxState, host: SandboxHostState): Promise<void> {
  if (!(await netnsExists(host.netns))) {
    await mustRun('ip', ['netns', 'add', host.netns]);
  }
  const inside = (args: string[]) => mustRun('ip', ['-n', host.netns, ...args]);
  const hasEth0 = (await runCommand('ip', ['-n', host.netns, 'link', 'show', 'dev', 'eth0'])).code === 0;
  if (!hasEth0) {
    if (await linkExists(host.veth)) await mustRun('ip', ['link', 'del', host.veth]);
    const peer = `${host.veth}p`;
    await mustRun('ip', ['link', 'add', host.veth, 'type', 'veth', 'peer', 'name', peer]);
    await mustRun('ip', ['link', 'set', peer, 'netns', host.netns]);
    await inside(['link', 'set', peer, 'name', 'eth0']);
    await inside(['addr', 'add', `${host.address}/24`, 'dev', 'eth0']);
  }
  await mustRun('ip', ['link', 'set', host.veth, 'master', state.bridge, 'up']);
  await inside(['link', 'set', 'lo', 'up']);
  await inside(['link', 'set', 'eth0', 'up']);
  const routes = await inside(['route', 'show']);
  if (!routes.includes('default')) {
    await inside(['route', 'add', 'default', 'via', state.gateway]);
  }
}

/** The rules a sandbox adds: forwarding on its bridge, NAT to the outside. */
function rulesOf(state: SandboxState): { table: string; chain: string; spec: string[] }[] {
  const tag = ['-m', 'comment', '--comment', ruleComment(state.name)];
  return [
    { table: 'filter', chain: 'FORWARD', spec: ['-i', state.bridge, ...tag, '-j', 'ACCEPT'] },
    { table: 'filter', chain: 'FORWARD', spec: ['-o', state.bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...tag, '-j', 'ACCEPT'] },
    { table: 'nat', chain: 'POSTROUTING', spec: ['-s', state.subnet, '!', '-o', state.bridge, ...tag, '-j', 'MASQUERADE'] },
  ];
}

async function ensureRules(state: SandboxState): Promise<void> {
  for (const rule of rulesOf(state)) {
    const exists = await runCommand('iptables', ['-t', rule.table, '-C', rule.chain, ...rule.spec]);
    if (exists.code !== 0) {
      await mustRun('iptables', ['-t', rule.table, '-I', rule.chain, '1', ...rule.spec]);
    }
  }
}

/** Removes every iptables rule carrying the sandbox's comment, in any chain. */
export async function removeRules(name: string): Promise<number> {
  let removed = 0;
  for (const table of ['filter', 'nat']) {
    const listing = await runCommand('iptables', ['-t', table, '-S']);
    for (const line of listing.stdout.split('\n')) {
      if (!line.startsWith('-A ') || !line.includes(ruleComment(name))) continue;
      // iptables -S prints rules in the form -D accepts; split on spaces (no value has one).
      const args = line.slice(3).split(' ').map((a) => a.replace(/^"(.*)"$/, '$1'));
      const result = await runCommand('iptables', ['-t', table, '-D', ...args]);
      if (result.code === 0) removed++;
    }
  }
  return removed;
}

/** PIDs of every process inside a network namespace. */
export async function processesIn(netns: string): Promise<number[]> {
  const result = await runCommand('ip', ['netns', 'pids', netns]);
  return result.code === 0 ? result.stdout.split('\n').filter(Boolean).map(Number) : [];
}
