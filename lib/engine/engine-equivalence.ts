import { canonicalJson } from '../graph/canonical-json';
import type { ContainerSpec, HealthCheckSpec, MountSpec, PortSpec } from '../graph/graph-document';
import type { EngineProfile } from '../drivers/engine-profile';
import { familiarImageReference } from '../values/image-reference';

/**
 * Whether what an engine reports for a container field means the same as what Hoist asked
 * for. Each rule names an engine's own way of recording a value; anything else that differs
 * is a real difference (drift).
 */
export type FieldEquivalence = (asked: any, reported: any, context: EquivalenceContext) => boolean;

export interface EquivalenceContext {
  /** How the engine that reported records what it is asked. */
  readonly profile: EngineProfile;
  /** The spec Hoist asked for. */
  readonly spec: ContainerSpec;
}

/** The capabilities both engines grant a container by default (Docker's list; Podman 4 uses the same). */
export const DEFAULT_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];


/** Deep equality that ignores key order (a spec read from a label has sorted keys). */
export const same = (a: unknown, b: unknown): boolean => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** The capabilities a container ends up with, from its add and drop lists. */
export function effectiveCapabilities(add: string[], drop: string[]): string[] {
  const set = new Set(drop.includes('ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)));
  for (const c of add) set.add(c);
  return [...set].sort();
}

export const FIELD_EQUIVALENCE: Partial<Record<keyof ContainerSpec, FieldEquivalence>> = {
  // An engine may record a name without a registry under its local prefix (Podman's `localhost/`).
  image: (asked, reported, { profile }) => asked.resource === reported.resource || reported.resource === ''
    ? familiarImageReference(asked.reference) === familiarImageReference(reported.reference)
      || (profile.localImagePrefix !== null && familiarImageReference(reported.reference) === `${profile.localImagePrefix}${familiarImageReference(asked.reference)}`)
    : false,
  // An engine that keeps a log driver's name but not its options reports its own file driver
  // as no setting at all.
  logging: (asked: { driver: string; options: Record<string, string> } | null, reported: { driver: string; options: Record<string, string> } | null, { profile }) => {
    if (profile.keepsLogOptions) return same(asked, reported);
    const fileDrivers = ['json-file', 'k8s-file'];
    const driverOf = (l: typeof asked) => (l === null || fileDrivers.includes(l.driver) ? 'file' : l.driver);
    return driverOf(asked) === driverOf(reported);
  },
  env: (asked: Record<string, string>, reported: Record<string, string>, { profile }) =>
    Object.entries(asked).every(([k, v]) => reported[k] === v)
    && Object.keys(reported).every((k) => k in asked || profile.injectedEnv.includes(k)),
  ports: (asked: PortSpec[], reported: PortSpec[]) => asked.length === reported.length
    && asked.every((p, i) => same({ ...p, hostPort: null }, { ...reported[i], hostPort: null }) && (p.hostPort === null || p.hostPort === reported[i].hostPort)),
  // A test is sent as the engine needs it to run that argv (Podman: CMD with spaced arguments
  // as CMD-SHELL, podman-health-test.ts); it reads back that way.
  healthcheck: (asked: HealthCheckSpec | null, reported: HealthCheckSpec | null, { profile }) =>
    same(asked, reported) || (asked !== null && reported !== null && same({ ...asked, test: profile.healthTest(asked.test) }, reported)),
  mounts: (asked: MountSpec[], reported: MountSpec[], { profile, spec }) => same(asked, reported.filter((m) =>
    !(spec.readOnlyRootFilesystem && m.type === 'tmpfs' && m.sizeBytes === null && profile.readOnlyRootTmpfs.includes(m.target)
      && !asked.some((a) => a.target === m.target)))),
};

/** Capabilities are compared as the set they grant, whatever add/drop lists express it. */
export function sameCapabilities(asked: ContainerSpec, reported: ContainerSpec): boolean {
  return same(effectiveCapabilities(asked.capAdd, asked.capDrop), effectiveCapabilities(reported.capAdd, reported.capDrop));
}
