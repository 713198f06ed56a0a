import type { Host } from '../core/host';
import type { HostSpec } from '../graph/graph-document';
import { hostPropsSchema } from '../schemas/host-props';
import { zodProblems } from '../schemas/zod-problems';
import { IDENTIFIER_PATTERN } from '../values/docker-name';
import { compareStrings } from './problems';
import { projectPath } from './project-path';

/** A host's graph entry, or the problems in its props. */
export function renderHost(host: Host, projectDir: string): { spec?: HostSpec; problems: string[] } {
  const parsed = hostPropsSchema.safeParse(host._props);
  if (!parsed.success) {
    return { problems: zodProblems(parsed.error) };
  }
  const p = parsed.data;
  const problems: string[] = [];
  if (p.identityPassphraseEnv !== undefined && p.identityFile === undefined) {
    problems.push('identityPassphraseEnv: needs identityFile (an agent holds keys already unlocked)');
  }
  if (p.local && (p.identityFile !== undefined || p.hostKeyFingerprint !== undefined)) {
    problems.push('local: a local host is reached without SSH; drop identityFile and hostKeyFingerprint');
  }
  const name = p.hostName ?? host.node.id;
  // Explicit hostNames pass the schema; a construct id used as the name gets the same rule,
  // which readers of the graph check again.
  if (p.hostName === undefined && !IDENTIFIER_PATTERN.test(name)) {
    problems.push(`hostName: the construct id ${JSON.stringify(name)} is not a valid host name (letters, digits, "_", "." or "-", starting with a letter or digit); set hostName`);
  }
  const spec: HostSpec = {
    name,
    source: host.node.path,
    address: p.address,
    ...(p.privateAddress !== undefined ? { privateAddress: p.privateAddress } : {}),
    // Left open, port and user come from ~/.ssh/config at connect time, like ssh itself.
    port: p.port ?? null,
    user: p.user ?? null,
    identity: p.identityFile !== undefined
      ? { kind: 'file', path: projectPath(projectDir, p.identityFile), passphraseEnv: p.identityPassphraseEnv ?? null }
      : { kind: 'agent', socketEnv: 'SSH_AUTH_SOCK' },
    hostKey: {
      knownHostsFile: p.knownHostsFile !== undefined ? projectPath(projectDir, p.knownHostsFile)
        : p.hostKeyFingerprint !== undefined ? null : '~/.ssh/known_hosts',
      fingerprint: p.hostKeyFingerprint ?? null,
    },
    engine: p.engine ?? 'detect',
    engineSocket: p.engineSocket ?? null,
    roles: [...new Set(p.roles ?? [])].sort(compareStrings),
    labels: { ...(p.labels ?? {}) },
    arch: p.arch ?? null,
    local: p.local ?? false,
  };
  return { spec, problems };
}
