/**
 * The lint rules by id: the vocabulary of the `lint` settings a graph records on images and
 * containers (`policy.lint`). Synth checks the settings a program gives against it; lint
 * (lib/lint/) implements the rules and applies the settings. A new rule is registered here
 * and implemented there.
 */

/** How much a finding matters; `off` silences a rule. */
export type LintSeverity = 'error' | 'warning' | 'info' | 'off';

/** A lint rule's registration: default severity, CIS Docker Benchmark number, what trips it. */
export interface LintRuleInfo {
  readonly severity: Exclude<LintSeverity, 'off'>;
  /** The check's number in the CIS Docker Benchmark as docker-bench-security numbers it; null when the benchmark has none. */
  readonly cis: string | null;
  readonly summary: string;
}

/** The rules checked on a built image's Dockerfile, their default severities and what each is about. */
export const LINT_RULES: Readonly<Record<string, LintRuleInfo>> = {
  'no-user': { severity: 'warning', cis: '4.1', summary: 'the image runs as root (no USER, or USER root, in the built stage) and a service running it sets no user' },
  'floating-base': { severity: 'warning', cis: null, summary: 'a base image by floating tag or latest rather than by digest' },
  'secret-in-build': { severity: 'error', cis: '4.10', summary: 'a secret-looking ENV or ARG: it stays in the image\'s layers and history' },
  'copy-before-install': { severity: 'warning', cis: null, summary: 'the whole source is copied before dependencies are installed, so any change re-installs them' },
  'full-base': { severity: 'info', cis: null, summary: 'a full base image where a slim variant exists' },
  'no-dockerignore': { severity: 'warning', cis: null, summary: 'the build context has no .dockerignore (.git, node_modules and secrets get sent)' },
  'no-healthcheck': { severity: 'info', cis: '4.6', summary: 'neither the image nor every service running it defines a health check' },
};

/**
 * The rules checked on each service's containers (CIS Docker Benchmark sections 4 and 5).
 *
 * Some CIS checks have no rule because no Hoist prop can express what they look for, and the
 * engine request never sets it (lib/engine/container-create.ts; a unit test guards that): privileged
 * containers (5.4), the host's network, PID or IPC namespace (5.9, 5.15, 5.16). Others are
 * image rules (LINT_RULES above): the image's USER (4.1, `no-user`), HEALTHCHECK (4.6,
 * `no-healthcheck`), secrets in ENV or ARG (4.10, `secret-in-build`).
 */
export const SERVICE_LINT_RULES: Readonly<Record<string, LintRuleInfo>> = {
  'engine-socket': { severity: 'error', cis: '5.31', summary: 'a bind mount of the container engine\'s socket (/var/run/docker.sock, /run/podman/podman.sock, ...) or a directory holding it: root on the host for whoever controls the container' },
  'dangerous-capability': { severity: 'warning', cis: '5.3', summary: 'capAdd adds ALL or a capability that breaks isolation (SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_PTRACE, ...)' },
  'sensitive-mount': { severity: 'warning', cis: '5.5', summary: 'a bind mount of a sensitive host directory (/, /etc, /proc, /sys, /boot, /dev, /usr, /lib, /var/lib/docker, ...)' },
  'root-user': { severity: 'warning', cis: '4.1', summary: 'the service runs as root: user "root" or "0"; or no user and a registry image whose USER is unknown at synth (reported as info)' },
  'writable-rootfs': { severity: 'warning', cis: '5.12', summary: 'the root filesystem is writable (readOnlyRootFilesystem is not set)' },
  'no-memory-limit': { severity: 'warning', cis: '5.10', summary: 'no memory limit (resources.memory)' },
  'no-cpu-limit': { severity: 'info', cis: '5.11', summary: 'no CPU limit (resources.cpus)' },
  'no-pids-limit': { severity: 'warning', cis: '5.28', summary: 'no process limit (resources.pids): a fork bomb takes the host down' },
  'new-privileges': { severity: 'warning', cis: '5.25', summary: 'noNewPrivileges is not set: setuid binaries can raise privileges' },
  'all-interfaces': { severity: 'info', cis: '5.13', summary: 'a port published on all of the host\'s interfaces (0.0.0.0 or ::), often intended' },
  'floating-tag': { severity: 'warning', cis: '4.5', summary: 'a registry image by tag rather than by digest (built images are content-tagged and exempt)' },
  'anonymous-volume': { severity: 'warning', cis: null, summary: 'the built image declares a VOLUME the service does not mount: its data lives in an anonymous volume no replacement carries over' },
};

/** What a rule is checked on: an image's Dockerfile, or a service's containers. */
export type LintRuleScope = 'image' | 'service';

const SEVERITIES: readonly string[] = ['error', 'warning', 'info', 'off'];

/** Every rule id, image rules first: what `hoist lint --rule` accepts. */
export const ALL_LINT_RULE_IDS: readonly string[] = [...Object.keys(LINT_RULES), ...Object.keys(SERVICE_LINT_RULES)];

/** The scope of a rule id, or undefined when no rule has that id. */
export function lintRuleScope(rule: string): LintRuleScope | undefined {
  if (Object.prototype.hasOwnProperty.call(LINT_RULES, rule)) return 'image';
  if (Object.prototype.hasOwnProperty.call(SERVICE_LINT_RULES, rule)) return 'service';
  return undefined;
}

/** Whether `value` is a severity name. */
export function isLintSeverity(value: unknown): value is LintSeverity {
  return typeof value === 'string' && SEVERITIES.includes(value);
}
