import { engineProfile } from '../../drivers/engines';
import type { ContainerSpec } from '../../graph/graph-document';
import { canonicalJson } from '../../graph/canonical-json';
import type { ImageDefaults } from '../../engine/normalize-container';
import { effectiveCapabilities } from '../../engine/engine-equivalence';
import type { EngineKind } from '../../values/engine-kind';

/** One field that differs between the graph and the host. */
export interface FieldDifference {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly sensitive?: boolean;
}

/** Fields the engines can change on a live container (docker update): no replacement needed. */
const LIVE_UPDATABLE = new Set(['resources.nanoCpus', 'resources.memoryBytes', 'resources.memoryReservationBytes', 'resources.pidsLimit', 'restart.policy', 'restart.maxRetries']);

/** Fields that identify the container rather than configure it. */
const IDENTITY = new Set(['service', 'slot', 'image.resource']);

/** Whether every difference can be applied to the running container. */
export function updatableInPlace(differences: FieldDifference[], engine: EngineKind = 'docker'): boolean {
  // Some engines cannot change a running container's limits (Podman 4): replace instead.
  if (!engineProfile(engine).updatesInPlace) return false;
  return differences.length > 0 && differences.every((d) => LIVE_UPDATABLE.has(d.field));
}

/**
 * Differences between a desired and an observed container spec, field by field (objects
 * compared member by member, so the plan says `resources.memoryBytes` rather than
 * `resources`). A desired value equal to the image's own default counts as "the default",
 * as the observed side reads it; capabilities compare by the set they grant.
 */
export function compareContainer(desired: ContainerSpec, observed: ContainerSpec, image: ImageDefaults | undefined): FieldDifference[] {
  const want = image ? withImageDefaults(desired, image) : desired;
  const differences: FieldDifference[] = [];
  const walk = (path: string, a: unknown, b: unknown) => {
    if (IDENTITY.has(path) || canonicalJson(a ?? null) === canonicalJson(b ?? null)) return;
    if (isPlainObject(a) && isPlainObject(b) && !['env', 'labels'].includes(path) && !path.endsWith('.options')) {
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(path ? `${path}.${key}` : key, a[key], b[key]);
      return;
    }
    if ((path === 'env' || path === 'labels') && isPlainObject(a) && isPlainObject(b)) {
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        if (a[key] !== b[key]) differences.push({ field: `${path}.${key}`, before: b[key] ?? null, after: a[key] ?? null });
      }
      return;
    }
    if (path === 'secrets') {
      differences.push({ field: 'secrets', before: redactSecrets(b), after: redactSecrets(a), sensitive: true });
      return;
    }
    differences.push({ field: path, before: b ?? null, after: a ?? null });
  };
  const { capAdd, capDrop, ...rest } = byEngineNames(want);
  const { capAdd: observedAdd, capDrop: observedDrop, ...observedRest } = byEngineNames(observed);
  walk('', rest, observedRest);
  const wantCaps = effectiveCapabilities(capAdd, capDrop);
  const haveCaps = effectiveCapabilities(observedAdd, observedDrop);
  if (canonicalJson(wantCaps) !== canonicalJson(haveCaps)) differences.push({ field: 'capabilities', before: haveCaps, after: wantCaps });
  return differences;
}

/**
 * A spec whose mounts and networks say only what the container gets: the engine names. Which
 * construct a volume or network came from (its resource id, read back from that object's
 * labels) configures nothing, and differs when the construct moved but the object, and its
 * data, stayed the same.
 */
function byEngineNames(spec: ContainerSpec): ContainerSpec {
  return {
    ...spec,
    mounts: spec.mounts.map((m) => (m.type === 'volume' ? { ...m, volume: '' } : m)),
    networks: spec.networks.map((n) => ({ ...n, resource: '' })),
  };
}

/** A desired spec with values equal to the image's defaults written as null (the default). */
function withImageDefaults(spec: ContainerSpec, image: ImageDefaults): ContainerSpec {
  const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
  return {
    ...spec,
    entrypoint: same(spec.entrypoint, image.entrypoint) ? null : spec.entrypoint,
    command: same(spec.command, image.command) ? null : spec.command,
    user: spec.user === image.user ? null : spec.user,
    workingDir: spec.workingDir === image.workingDir ? null : spec.workingDir,
    healthcheck: same(spec.healthcheck, image.healthcheck) ? null : spec.healthcheck,
  };
}

/** Secrets in a plan: names and where they go, never fingerprints or values. */
function redactSecrets(value: unknown): unknown {
  return Array.isArray(value) ? value.map((s: { name: string; target: string | null; env: string | null }) => ({ name: s.name, target: s.target, env: s.env })) : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
