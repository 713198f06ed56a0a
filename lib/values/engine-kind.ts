/**
 * The container engines Hoist drives: the one definition of the engine kind. The graph's
 * `HostSpec.engine`, the schemas of host props and inventories, the plan's observations and
 * the public `EngineType` enum (checked against it in lib/core/private/engine-type-check.ts)
 * all derive from it. A new engine starts here, then gets a driver.
 */
export const ENGINE_KINDS = ['docker', 'podman'] as const;

/** An engine Hoist drives: `docker` (Docker Engine) or `podman` (Podman's Docker-compatible API). */
export type EngineKind = typeof ENGINE_KINDS[number];

/** What a host may declare: an engine kind, or `detect` to ask the host when connecting. */
export const ENGINE_CHOICES = [...ENGINE_KINDS, 'detect'] as const;

/** An engine kind or `detect`. */
export type EngineChoice = typeof ENGINE_CHOICES[number];

/** Whether `value` names an engine Hoist drives. */
export function isEngineKind(value: unknown): value is EngineKind {
  return (ENGINE_KINDS as readonly unknown[]).includes(value);
}
