import { canonicalJson } from '../graph/canonical-json';
import type { ContainerSpec, HealthCheckSpec, MountSpec, PortSpec } from '../graph/graph-document';
import { podmanHealthTest } from './podman-health-test';
import { familiarImageReference } from '../values/image-reference';

/**
 * Whether what an engine reports for a container field means the same as what Hoist asked
 * for. Each rule names an engine's own way of recording a value; anything else that differs
 * is a real difference (drift).
 */
export type FieldEquivalence = (asked: any, reported: any, context: EquivalenceContext) => boolean;

export interface EquivalenceContext {
  readonly engine: 'docker' | 'podman';
  /** The spec Hoist asked for. */
  readonly spec: ContainerSpec;
}

/** The capabilities both engines grant a container by default (Docker's list; Podman 4 uses the same). */
export const DEFAULT_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

/** Environment variables Podman sets on every container by itself. */
const PODMAN_ENV = new Set(['TERM', 'container', 'HOSTNAME', 'HOME', 'PATH']);
/** Podman mounts these as tmpfs in read-only containers (its --read-only-tmpfs default). */
const PODMAN_READ_ONLY_TMPFS = new Set(['/run', '/tmp', '/var/tmp']);

/** Deep equality that ignores key order (a spec read from a label has sorted keys). */
export const same = (a: unknown, b: unknown): boolean => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** The capabilities a container ends up with, from its add and drop lists. */
export function effectiveCapabilities(add: string[], drop: string[]): string[] {
  const set = new Set(drop.includes('ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)));
  for (const c of add) set.add(c);
  return [...set].sort();
}

export const FIELD_EQUIVALENCE: Partial<Record<keyof ContainerSpec, FieldEquivalence>> = {
  // Podman records a name without a registry as `localhost/<name>` and finds it by either.
  image: (asked, reported, { engine }) => asked.resource === reported.resource || reported.resource === ''
    ? familiarImageReference(asked.reference) === familiarImageReference(reported.reference)
      || (engine === 'podman' && familiarImageReference(reported.reference) === `localhost/${familiarImageReference(asked.reference)}`)
    : false,
  // Podman keeps a log driver's name but not its options (max-size becomes its own size
  // field, max-file is dropped), and reports its default file driver as no setting at all.
  logging: (asked: { driver: string; options: Record<string, string> } | null, reported: { driver: string; options: Record<string, string> } | null, { engine }) => {
    if (engine !== 'podman') return same(asked, reported);
    const fileDrivers = ['json-file', 'k8s-file'];
    const driverOf = (l: typeof asked) => (l === null || fileDrivers.includes(l.driver) ? 'file' : l.driver);
    return driverOf(asked) === driverOf(reported);
  },
  env: (asked: Record<string, string>, reported: Record<string, string>, { engine }) =>
    Object.entries(asked).every(([k, v]) => reported[k] === v)
    && Object.keys(reported).every((k) => k in asked || (engine === 'podman' && PODMAN_ENV.has(k))),
  ports: (asked: PortSpec[], reported: PortSpec[]) => asked.length === reported.length
    && asked.every((p, i) => same({ ...p, hostPort: null }, { ...reported[i], hostPort: null }) && (p.hostPort === null || p.hostPort === reported[i].hostPort)),
  // A CMD check whose arguments hold spaces goes to Podman as the same argv in CMD-SHELL form
  // (podman-health-test.ts); it reads back that way.
  healthcheck: (asked: HealthCheckSpec | null, reported: HealthCheckSpec | null, { engine }) =>
    same(asked, reported) || (engine === 'podman' && asked !== null && reported !== null && same({ ...asked, test: podmanHealthTest(asked.test) }, reported)),
  mounts: (asked: MountSpec[], reported: MountSpec[], { engine, spec }) => same(asked, reported.filter((m) =>
    !(engine === 'podman' && spec.readOnlyRootFilesystem && m.type === 'tmpfs' && m.sizeBytes === null && PODMAN_READ_ONLY_TMPFS.has(m.target)
      && !asked.some((a) => a.target === m.target)))),
};

/** Capabilities are compared as the set they grant, whatever add/drop lists express it. */
export function sameCapabilities(asked: ContainerSpec, reported: ContainerSpec): boolean {
  return same(effectiveCapabilities(asked.capAdd, asked.capDrop), effectiveCapabilities(reported.capAdd, reported.capDrop));
}
