import * as path from 'node:path';
import type { ContainerSpec } from '../graph/graph-document';
import type { DockerfileFacts } from './dockerfile-facts';
import type { LintFinding } from './dockerfile-rules';
import { SERVICE_LINT_RULES, type LintSeverity } from '../graph/lint-rule-catalog';
import { isRootUser } from '../values/root-user';
import { normalizePath } from '../values/normalize-path';

/** What is known at synth about the image a service runs. */
export type ServiceImageFacts =
  | { readonly source: 'registry'; readonly reference: string }
  /** `facts` is null when the Dockerfile could not be read (nothing is assumed then). */
  | { readonly source: 'build'; readonly facts: DockerfileFacts | null };

/** What the service rules look at: one container spec of the service (its replicas differ only by name and slot). */
export interface ServiceLintInput {
  /** The service's construct path, e.g. `shop/web`. */
  readonly path: string;
  readonly spec: ContainerSpec;
  readonly image: ServiceImageFacts;
  /** The socket of the engine on a host running the service, when it is not a standard path. */
  readonly engineSockets?: readonly string[];
}

/** Capabilities that break the container's isolation, with what each allows. */
const DANGEROUS_CAPABILITIES: Readonly<Record<string, string>> = {
  ALL: 'every capability',
  SYS_ADMIN: 'mount, namespaces and much of root',
  NET_ADMIN: 'reconfiguring the host-side network stack the container sees',
  SYS_MODULE: 'loading kernel modules',
  SYS_PTRACE: 'tracing and injecting into other processes',
  SYS_RAWIO: 'raw I/O to devices and ports',
  SYS_BOOT: 'rebooting',
  SYS_TIME: 'setting the host\'s clock',
  DAC_READ_SEARCH: 'open_by_handle_at, the classic container escape',
  BPF: 'loading BPF programs',
  PERFMON: 'kernel performance monitoring',
  MAC_ADMIN: 'changing the LSM (AppArmor, SELinux) policy',
  MAC_OVERRIDE: 'bypassing the LSM policy',
  SYSLOG: 'reading kernel addresses from the kernel log',
};

/** Engine sockets at their standard places (Docker, Podman rootful, containerd, CRI-O, BuildKit). */
const ENGINE_SOCKETS = [
  '/var/run/docker.sock', '/run/docker.sock',
  '/var/run/podman/podman.sock', '/run/podman/podman.sock',
  '/var/run/containerd/containerd.sock', '/run/containerd/containerd.sock',
  '/var/run/crio/crio.sock', '/run/crio/crio.sock',
  '/var/run/buildkit/buildkitd.sock', '/run/buildkit/buildkitd.sock',
];
/** A socket file of an engine wherever it is; rootless Podman and Docker live under /run/user/<uid>. */
const ENGINE_SOCKET_NAME = /\/(docker|podman|containerd|crio|buildkitd)\.sock$/;
const ROOTLESS_RUNTIME_DIR = /^\/run\/user\/\d+(\/(podman|docker))?$/;

/** Host directories no container should see (docker-bench-security 5.5 and the engines' own stores). */
const SENSITIVE_EXACT = ['/', '/etc', '/usr', '/lib', '/lib64', '/bin', '/sbin', '/root'];
/** Directories sensitive all the way down. */
const SENSITIVE_TREES = ['/proc', '/sys', '/dev', '/boot', '/var/lib/docker', '/var/lib/containers'];

/**
 * Checks one service's container spec against the hardening rules. Pure: everything it
 * needs is in `input`. `severities` overrides each rule's default (`off` drops it); findings
 * whose premise is unknown (a registry image's USER) are info whatever the rule's severity.
 */
export function lintService(input: ServiceLintInput, severities: Readonly<Record<string, LintSeverity>> = {}): LintFinding[] {
  const { path: at, spec, image } = input;
  const findings: LintFinding[] = [];
  const report = (rule: string, message: string, unknown = false) => {
    const severity = severities[rule] ?? SERVICE_LINT_RULES[rule].severity;
    if (severity === 'off') return;
    findings.push({ rule, severity: unknown ? 'info' : severity, line: null, message });
  };

  const binds = spec.mounts.filter((m): m is Extract<typeof m, { type: 'bind' }> => m.type === 'bind');
  const sockets = [...ENGINE_SOCKETS, ...(input.engineSockets ?? [])].map(normalizePath);
  for (const mount of binds) {
    const source = normalizePath(mount.source);
    const socket = sockets.find((s) => s === source || isUnder(s, source));
    if (socket !== undefined || ENGINE_SOCKET_NAME.test(source) || ROOTLESS_RUNTIME_DIR.test(source)) {
      const what = socket === undefined || socket === source ? `the engine socket ${source}` : `${source}, which holds the engine socket ${socket}`;
      report('engine-socket', `${at} bind-mounts ${what} at ${mount.target}: whoever controls the container controls the host's engine, so root on the host (read-only does not help); remove the mount, or if this is a trusted agent, lower engine-socket in the service's lintRules`);
    }
  }
  const dangerous = spec.capAdd.filter((c) => c in DANGEROUS_CAPABILITIES);
  if (dangerous.length) {
    report('dangerous-capability', `${at} adds ${dangerous.map((c) => `${c} (${DANGEROUS_CAPABILITIES[c]})`).join(', ')} in capAdd; remove ${dangerous.length === 1 ? 'it' : 'them'} and add only the narrow capability the process needs (e.g. NET_BIND_SERVICE)`);
  }
  for (const mount of binds) {
    const source = normalizePath(mount.source);
    if (SENSITIVE_EXACT.includes(source) || SENSITIVE_TREES.some((tree) => source === tree || isUnder(source, tree))) {
      report('sensitive-mount', `${at} bind-mounts the host's ${source} at ${mount.target}${mount.readOnly ? ' (read-only)' : ''}: the container can ${mount.readOnly ? 'read' : 'read and change'} the host's system files; mount only the file or directory the service needs, or a Volume`);
    }
  }

  if (spec.user !== null) {
    if (isRootUser(spec.user)) report('root-user', `${at} sets user "${spec.user}", which is root; set user to an unprivileged uid (e.g. "10001:10001") and give it the files it needs`);
  } else if (image.source === 'registry') {
    report('root-user', `${at} sets no user and the USER of ${image.reference} is not known at synth (many images run as root); set user (e.g. "65534:65534") to be sure`, true);
  }
  // A built image without USER is the image rule no-user's finding; it is not reported twice.

  if (!spec.readOnlyRootFilesystem) {
    report('writable-rootfs', `${at} has a writable root filesystem; set readOnlyRootFilesystem: true (or the stack's defaults) and mount a Volume or Mount.tmpfs where the process writes`);
  }
  if (spec.resources.memoryBytes === null) {
    report('no-memory-limit', `${at} has no memory limit, so one leak can exhaust the host; set resources.memory (or the stack's defaults.resources.memory)`);
  }
  if (spec.resources.nanoCpus === null) {
    report('no-cpu-limit', `${at} has no CPU limit, so it can starve its neighbours; set resources.cpus (or the stack's defaults.resources.cpus)`);
  }
  if (spec.resources.pidsLimit === null) {
    report('no-pids-limit', `${at} has no process limit, so a fork bomb takes the host down; set resources.pids (or the stack's defaults.resources.pids)`);
  }
  if (!spec.noNewPrivileges) {
    report('new-privileges', `${at} lets processes gain privileges through setuid binaries; set noNewPrivileges: true (or the stack's defaults)`);
  }

  const open = spec.ports.filter((p) => ['0.0.0.0', '::', ''].includes(p.hostIp));
  if (open.length) {
    const list = open.map((p) => `${p.hostPort ?? 'an engine-chosen port'}/${p.protocol}`).join(', ');
    report('all-interfaces', `${at} publishes ${list} on all of the host's interfaces; if only clients on the host (or a proxy there) need ${open.length === 1 ? 'it' : 'them'}, set bindAddress: "127.0.0.1" on the port`);
  }

  if (image.source === 'registry' && !image.reference.includes('@')) {
    report('floating-tag', `${at} runs ${image.reference}, a tag that can move to other content between hosts and applies; pin its digest (${image.reference}@sha256:...) in Image.fromRegistry`);
  }

  if (image.source === 'build' && image.facts) {
    const mounted = new Set([
      ...spec.mounts.map((m) => normalizePath(m.target)),
      ...spec.secrets.flatMap((s) => (s.target === null ? [] : [path.posix.dirname(s.target)])),
    ]);
    const reported = new Set<string>();
    for (const volume of image.facts.volumes) {
      if (mounted.has(volume.path) || reported.has(volume.path)) continue;
      reported.add(volume.path);
      report('anonymous-volume', `${at}: its image declares VOLUME ${volume.path} (Dockerfile line ${volume.line}), which the service does not mount, so the data there lives in an anonymous volume that a replacement or rollback does not carry over; mount a named Volume at ${volume.path} (volume.mount('${volume.path}'))`);
    }
  }
  return findings;
}

/** Whether `p` lies strictly under directory `dir`. */
function isUnder(p: string, dir: string): boolean {
  return p !== dir && p.startsWith(dir === '/' ? '/' : `${dir}/`);
}
