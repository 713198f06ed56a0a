import { HostError } from '../transport/host-error';
import type { ContainerSpec } from '../graph/graph-document';
import type { EngineDriver } from '../drivers/engine-driver';
import { isConflict, isNotFound } from '../drivers/engine-error';
import type { InspectedMount } from './carried-volumes';
import { LABEL, MANAGED_BY } from './ownership-labels';
import { isSecretVolumeName, secretDirectories } from './secret-files';

/** Thrown instead of touching a container that does not carry the stack's ownership labels. */
export class ForeignContainerError extends HostError {
  public readonly containerName: string;

  constructor(host: string, name: string, why: string) {
    super(host, 'engine', `a container named ${name} exists ${why}; Hoist will not touch it: rename or remove it by hand, or rename the construct`);
    this.name = 'ForeignContainerError';
    this.containerName = name;
  }
}

/** What removing a container of a stack may remove with it. */
export interface RemoveContainerOptions {
  /** The stack that must own the container (its `hoist.stack` label). */
  readonly stack: string;
  /** When given, the container must also be this resource's (its `hoist.resource` label). */
  readonly resource?: string;
  /**
   * Anonymous data volumes (by name) to delete with the container; every other volume is
   * kept. Its secret volumes always go with it.
   * @default none
   */
  readonly deleteVolumes?: readonly string[];
}

/**
 * Removes one of a stack's containers, after checking that it carries the stack's labels
 * (reliability item 28: an object without them is never touched), then its secret volumes,
 * so secret files never outlive their container. Anonymous volumes holding data (an image's
 * VOLUME paths) are kept unless named in `deleteVolumes`: the container is never removed
 * with `v: true`. Resolves to false when no such container exists.
 */
export async function removeOwnedContainer(client: EngineDriver, name: string, options: RemoveContainerOptions): Promise<boolean> {
  let inspect: { Id: string; Config: { Labels?: Record<string, string> | null }; Mounts?: InspectedMount[] };
  try {
    inspect = await client.inspectContainer(name) as never;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  const labels = inspect.Config.Labels ?? {};
  if (labels[LABEL.managedBy] !== MANAGED_BY || labels[LABEL.stack] !== options.stack) {
    throw new ForeignContainerError(client.host, name, `without the labels of stack ${options.stack}`);
  }
  if (options.resource !== undefined && labels[LABEL.resource] !== options.resource) {
    throw new ForeignContainerError(client.host, name, `that belongs to ${labels[LABEL.resource] ?? 'no resource'}, not ${options.resource}`);
  }
  const recorded = recordedSpec(labels);
  const secretTargets = new Set(recorded ? secretDirectories(recorded) : []);
  const mounts = inspect.Mounts ?? [];
  const secretVolumes = mounts.filter((m) => m.Type === 'volume' && secretTargets.has(String(m.Destination)) && isSecretVolumeName(String(m.Name))).map((m) => String(m.Name));
  const mounted = new Set(mounts.map((m) => String(m.Name)));
  const doomed = [...secretVolumes, ...(options.deleteVolumes ?? []).filter((v) => mounted.has(v))];
  try {
    // By id: the name may have moved on to another container since the inspect.
    await client.removeContainer(inspect.Id);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  for (const volume of doomed) {
    try {
      await client.removeVolume(volume);
    } catch (error) {
      // Gone already, or still used by another container (the one it was carried over to):
      // a secret volume left this way is removed by the next run's leftover cleanup.
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }
  return true;
}

/** The spec a container was created with, from its `hoist.spec` label; undefined when absent or unreadable. */
function recordedSpec(labels: Record<string, string>): Pick<ContainerSpec, 'secrets'> | undefined {
  try {
    const spec = JSON.parse(labels[LABEL.spec] ?? '') as Partial<ContainerSpec>;
    return Array.isArray(spec.secrets) ? { secrets: spec.secrets } : undefined;
  } catch {
    return undefined;
  }
}
