import type { ContainerResource } from '../../graph/graph-document';
import type { EngineDriver } from '../../drivers/engine-driver';
import { isNotFound } from '../../drivers/engine-error';
import type { ContainerInspect } from '../../drivers/engine-objects';
import { buildCreateContainerRequest, type CarriedVolume } from '../../engine/container-create';
import { volumesToCarry } from '../../engine/carried-volumes';
import { ownershipLabels } from '../../engine/ownership-labels';
import { removeOwnedContainer } from '../../engine/remove-container';
import { joiningName, nextName, previousName } from '../../engine/rollout-names';
import { createSecretVolumes, newSecretVolumes, writeSecretFiles } from '../../engine/secret-files';
import type { SecretValues } from '../kind-definition';
import { divertTraffic, proxyNetworks, registerReplica, TrafficSwitch } from './traffic-switch';
import { waitCompleted, waitReady } from './wait-ready';

/**
 * The engine operations of one container action. Each leaves the host in a state the next
 * plan understands even if the process dies between two calls: every container carries its
 * ownership labels from creation on, and the only extra names are the rollout copies
 * (rollout-names.ts), which the planner removes.
 */
export interface ContainerTarget {
  readonly client: EngineDriver;
  readonly resource: ContainerResource;
  readonly stack: string;
  readonly revision: number;
  readonly secrets: SecretValues;
  /** Wait for exit code 0 instead of readiness: another service waits for this one to complete. */
  readonly runToCompletion: boolean;
}

/** A replaced container whose previous version is parked (stopped) under its `-hoist-prev` name. */
export interface ParkedPrevious {
  readonly host: string;
  readonly name: string;
  readonly client: EngineDriver;
  readonly resource: ContainerResource;
  readonly stack: string;
  /** The network aliases the previous version left before it stopped, to give back on rollback. */
  readonly aliases: AliasAttachment[];
  /** Whether the new version ran beside the previous one (start-first): a rollback may do the same. */
  readonly startFirst: boolean;
  /**
   * Settles once the previous version has stopped: a start-first replacement stops it beside
   * the batches that follow. Rollback and discard wait for it first.
   */
  readonly stopped?: Promise<void>;
}

/** A container's aliases on one network. */
export interface AliasAttachment {
  readonly network: string;
  readonly aliases: string[];
}

/**
 * Creates the container (after clearing any rollout copies a killed run left, whose
 * anonymous data volumes it takes over), starts it, waits until ready.
 */
export async function createContainer(target: ContainerTarget): Promise<void> {
  const name = target.resource.spec.name;
  // A run killed mid-replacement may have left the old version parked: its data carries on.
  const carried = (await carriedFrom(target, previousName(name))) ?? (await carriedFrom(target, nextName(name))) ?? [];
  await removeOwnCopy(target, nextName(name));
  await removeOwnCopy(target, previousName(name));
  await createAndStart(target, name, { carried });
  try {
    await waitUntilReady(target, name);
  } catch (error) {
    // Left running, an unready container would look done to the next plan; removed, the
    // next apply tries again. Its last log lines are in the error.
    await removeOwnCopy(target, name).catch(() => undefined);
    throw new Error(`${(error as Error).message}\n  the new container was removed`);
  }
}

/**
 * Start-first replacement: the new container starts under its `-hoist-next` name and must
 * become ready while the old one keeps serving; only then is the old one stopped and parked,
 * and the new one takes the name. If it never becomes ready it is removed and the old one
 * was never touched.
 *
 * Clients that reach the service by a network alias see only ready containers: the new one
 * joins the aliases once ready, and the old one leaves them before it is signalled to stop.
 * (Engines answer an alias with every container that has it, from creation until it is gone:
 * a new container before its program listens, an old one while it shuts down.)
 */
export async function replaceStartFirst(target: ContainerTarget): Promise<ParkedPrevious> {
  const { client, resource } = target;
  const name = resource.spec.name;
  const next = nextName(name);
  const joining = joiningName(name, target.revision);
  await removeOwnCopy(target, next);
  await removeOwnCopy(target, joining);
  await removeOwnCopy(target, previousName(name));
  // The new container shares the old one's anonymous data volumes from the start.
  const carried = (await carriedFrom(target, name)) ?? [];
  // Proxies address the replica by its own address on their networks, which reconnecting
  // would change: those networks keep their aliases from creation on and are left alone.
  const fixed = proxyNetworks(resource);
  let traffic = TrafficSwitch.NONE;
  try {
    await createAndStart(target, next, { aliases: false, carried });
    await waitUntilReady(target, next);
    // Through a proxy: the new container takes requests, the old one drains before it stops.
    traffic = await divertTraffic(client, resource, next);
    await client.renameContainer(next, joining);
    await joinAliases(client, joining, resource.spec.networks.filter((n) => n.aliases.length > 0 && !fixed.has(n.name)).map((n) => ({ network: n.name, aliases: n.aliases })));
  } catch (error) {
    await traffic.undo().catch(() => undefined);
    await removeOwnCopy(target, next);
    await removeOwnCopy(target, joining);
    throw new Error(`${(error as Error).message}\n  the new container was removed; the old one kept serving`);
  }
  const aliases = await leaveAliases(client, name, fixed);
  // The old container, out of the aliases (and drained by its proxies), takes its parked name
  // while it still runs and the new one takes the replica's name; it is then stopped beside
  // the work that follows (its grace period, up to the service's stopGracePeriod, would
  // otherwise add to every batch). A run killed before it stopped leaves a rollout copy the
  // next plan removes.
  await client.renameContainer(name, previousName(name));
  await client.renameContainer(joining, name);
  const stopped = client.stopContainer(previousName(name), resource.spec.stopTimeoutSeconds);
  // Awaited by rollback or discard; unobserved until then.
  stopped.catch(() => undefined);
  await traffic.settle();
  return { host: client.host, name, client, resource, stack: target.stack, aliases, startFirst: true, stopped };
}

/**
 * Stop-first replacement (a host port or an exclusive volume cannot be shared): the old
 * container is stopped and parked, the new one created under the name; if it does not become
 * ready it is removed and the old one starts again.
 */
export async function replaceStopFirst(target: ContainerTarget): Promise<ParkedPrevious> {
  const { client, resource } = target;
  const name = resource.spec.name;
  const previous = previousName(name);
  await removeOwnCopy(target, nextName(name));
  await removeOwnCopy(target, previous);
  await client.stopContainer(name, resource.spec.stopTimeoutSeconds);
  await client.renameContainer(name, previous);
  try {
    await createAndStart(target, name, { carried: (await carriedFrom(target, previous)) ?? [] });
    await waitUntilReady(target, name);
  } catch (error) {
    await removeOwnCopy(target, name);
    await client.renameContainer(previous, name);
    await client.startContainer(name);
    throw new Error(`${(error as Error).message}\n  the new container was removed; the previous one runs again`);
  }
  return { host: client.host, name, client, resource, stack: target.stack, aliases: [], startFirst: false };
}

/** A container not made by Hoist that a replica takes over, as the plan found it. */
export interface AdoptedContainer {
  readonly name: string;
  readonly id: string;
}

/** What an adoption leaves until its service's rollout is through: the adopted container, stopped. */
export interface ParkedAdoption {
  /** Puts the adopted container back (the new one is removed). */
  restore(): Promise<void>;
  /** Removes the adopted container for good; its volumes are kept. */
  discard(): Promise<void>;
}

/**
 * Takes over a container Hoist did not make (`adoptContainer`), stop-first, since it may hold
 * host ports and data directories the new one needs: the old container is stopped (moved
 * aside first if it holds the new container's name), the new one created with its anonymous
 * data volumes, and once ready the old one is parked for the rollout. If the new one does not
 * become ready it is removed and the old one runs again as it was. It is checked by id to be
 * the container the plan saw, still without Hoist's labels.
 */
export async function adoptStopFirst(target: ContainerTarget, adopted: AdoptedContainer): Promise<ParkedAdoption> {
  const { client, resource } = target;
  const name = resource.spec.name;
  let old: ContainerInspect;
  try {
    old = await client.inspectContainer(adopted.id);
  } catch (error) {
    if (isNotFound(error)) throw new Error(`container ${adopted.name} (${adopted.id.slice(0, 12)}), which the plan adopts, is gone from ${client.host}; plan again`);
    throw error;
  }
  if (String(old.Name).replace(/^\//, '') !== adopted.name || old.Config.Labels?.['hoist.stack'] !== undefined) {
    throw new Error(`container ${adopted.id.slice(0, 12)} on ${client.host} is no longer the container ${adopted.name} the plan adopts; plan again`);
  }
  const wasRunning = old.State.Running === true;
  await removeOwnCopy(target, nextName(name));
  await removeOwnCopy(target, previousName(name));
  const image = await client.inspectImage(resource.spec.image.reference);
  const carried = volumesToCarry(old.Mounts as never, Object.keys(image.Config?.Volumes ?? {}), resource.spec);
  const holdsName = adopted.name === name;
  const putBack = async () => {
    if (holdsName) await client.renameContainer(adopted.id, name);
    if (wasRunning) await client.startContainer(adopted.id);
  };
  if (wasRunning) await client.stopContainer(adopted.id, resource.spec.stopTimeoutSeconds);
  if (holdsName) await client.renameContainer(adopted.id, previousName(name));
  try {
    await createAndStart(target, name, { carried });
    await waitUntilReady(target, name);
  } catch (error) {
    await removeOwnCopy(target, name);
    await putBack();
    throw new Error(`${(error as Error).message}\n  the new container was removed; ${adopted.name} ${wasRunning ? 'runs again' : 'is back as it was'}`);
  }
  return {
    async restore() {
      await client.stopContainer(name, resource.spec.stopTimeoutSeconds);
      await removeOwnedContainer(client, name, { stack: target.stack, resource: resource.id });
      await putBack();
    },
    // Removed without its volumes: the anonymous ones now belong to the new container.
    discard: () => client.removeContainer(adopted.id),
  };
}

/** Brings a parked previous version back in place of the new one (rollback of a finished replacement). */
export async function restorePrevious(parked: ParkedPrevious): Promise<void> {
  const { client, name, resource } = parked;
  await parked.stopped;
  if (parked.startFirst && (resource.policy.proxies ?? []).length > 0) {
    await restoreThroughProxies(parked);
    return;
  }
  await client.stopContainer(name, resource.spec.stopTimeoutSeconds);
  // The anonymous data volumes it shared with the previous version stay with that one.
  await removeOwnedContainer(client, name, { stack: parked.stack, resource: resource.id });
  await client.renameContainer(previousName(name), name);
  await client.startContainer(name);
  await waitReady(client, name, resource.policy.update.healthTimeoutMs);
  await joinAliases(client, name, parked.aliases);
  await registerReplica(client, resource);
}

/**
 * Rollback of a start-first replacement of a routed replica, start-first too: the previous
 * version starts under its parked name and, once ready, takes the replica's traffic in its
 * proxies while the new one drains; then the new one is removed and the previous one gets
 * the replica's name back.
 */
async function restoreThroughProxies(parked: ParkedPrevious): Promise<void> {
  const { client, name, resource } = parked;
  const previous = previousName(name);
  await client.startContainer(previous);
  await waitReady(client, previous, resource.policy.update.healthTimeoutMs);
  const traffic = await divertTraffic(client, resource, previous);
  await client.stopContainer(name, resource.spec.stopTimeoutSeconds);
  await removeOwnedContainer(client, name, { stack: parked.stack, resource: resource.id });
  await client.renameContainer(previous, name);
  await joinAliases(client, name, parked.aliases);
  await traffic.settle();
}

/** Removes a parked previous version once its service's rollout is through. */
export async function discardPrevious(parked: ParkedPrevious): Promise<void> {
  await parked.stopped;
  await removeOwnedContainer(parked.client, previousName(parked.name), { stack: parked.stack, resource: parked.resource.id });
}

/** Starts a stopped container of the stack again (and applies changed limits where the engine can). */
export async function updateContainer(target: ContainerTarget, changeLimits: boolean): Promise<void> {
  const { client, resource } = target;
  const spec = resource.spec;
  if (changeLimits) {
    await client.updateContainer(spec.name, {
      nanoCpus: spec.resources.nanoCpus ?? 0, memoryBytes: spec.resources.memoryBytes ?? 0, memorySwapBytes: spec.resources.memoryBytes ? -1 : 0,
      memoryReservationBytes: spec.resources.memoryReservationBytes ?? 0, pidsLimit: spec.resources.pidsLimit ?? 0,
      restart: { policy: spec.restart.policy, maxRetries: spec.restart.maxRetries },
    });
  }
  const state = (await client.inspectContainer(spec.name)).State;
  if (!state.Running && !target.runToCompletion) await client.startContainer(spec.name);
  await waitUntilReady(target, spec.name);
}

/**
 * Removes a container of this resource (a rollout copy a killed run left, or a new version
 * that failed): only if it carries the stack's and the resource's labels, else the apply
 * stops with the object named. Its anonymous data volumes are kept: another version may
 * share them.
 */
async function removeOwnCopy(target: ContainerTarget, name: string): Promise<void> {
  await removeOwnedContainer(target.client, name, { stack: target.stack, resource: target.resource.id });
}

/**
 * The anonymous data volumes a new version takes over from `from` (the version it
 * replaces, or one a killed run parked), for the paths the new image declares as VOLUME;
 * undefined when there is no such container of this resource.
 */
async function carriedFrom(target: ContainerTarget, from: string): Promise<CarriedVolume[] | undefined> {
  const { client, resource } = target;
  let previous: ContainerInspect;
  try {
    previous = await client.inspectContainer(from);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const labels = previous.Config.Labels ?? {};
  if (labels['hoist.stack'] !== target.stack || labels['hoist.resource'] !== resource.id) return undefined;
  const image = await client.inspectImage(resource.spec.image.reference);
  return volumesToCarry(previous.Mounts as never, Object.keys(image.Config?.Volumes ?? {}), resource.spec);
}

/**
 * Gives a running container its aliases: it is reconnected to each network with them, since
 * an endpoint's aliases cannot change while it is connected. Its address on those networks
 * changes, so connections it opened over them before (while starting) are cut once; networks
 * without aliases are left alone.
 */
async function joinAliases(client: EngineDriver, name: string, attachments: readonly AliasAttachment[]): Promise<void> {
  for (const { network, aliases } of attachments) {
    await client.disconnectNetwork(network, name);
    await client.connectNetwork(network, name, aliases);
  }
}

/**
 * Takes a container out of its aliases before it stops: reconnected without them to each
 * network where it has some, so it stays on the network (its shutdown can still reach what it
 * uses) but the alias no longer answers with it. Returns what it left. The aliases the engines
 * add themselves (the short id, Podman's container name) are not the container's own.
 */
async function leaveAliases(client: EngineDriver, name: string, keep: ReadonlySet<string> = new Set()): Promise<AliasAttachment[]> {
  const inspect = await client.inspectContainer(name);
  const id = String(inspect.Id);
  const own = (alias: string) => alias !== id.slice(0, 12) && alias !== name && !id.startsWith(alias);
  const left: AliasAttachment[] = [];
  for (const [network, endpoint] of Object.entries(inspect.NetworkSettings.Networks ?? {})) {
    if (keep.has(network)) continue;
    const aliases = ((endpoint as { Aliases?: string[] | null }).Aliases ?? []).filter(own);
    if (aliases.length === 0) continue;
    await client.disconnectNetwork(network, name);
    await client.connectNetwork(network, name, []);
    left.push({ network, aliases: [...new Set(aliases)] });
  }
  return left;
}

async function createAndStart(target: ContainerTarget, name: string, options: { aliases?: boolean; carried?: readonly CarriedVolume[] } = {}): Promise<void> {
  const { client, resource } = target;
  const secretEnv = new Map<string, string>();
  for (const secret of resource.spec.secrets) {
    if (secret.env !== null) secretEnv.set(secret.env, target.secrets.get(secret.resource)?.toString('utf8') ?? missingValue(secret.resource));
  }
  // Without aliases it still reaches (and is reached by name on) its networks; its labels
  // record the spec as asked, aliases included.
  const fixed = proxyNetworks(resource);
  const spec = options.aliases === false ? { ...resource.spec, networks: resource.spec.networks.map((n) => (fixed.has(n.name) ? n : { ...n, aliases: [] })) } : resource.spec;
  const secretVolumes = newSecretVolumes(resource.spec);
  const request = buildCreateContainerRequest(spec, ownershipLabels(target.stack, resource, target.revision), secretEnv, { secret: secretVolumes, carried: options.carried ?? [], profile: client.profile });
  await createSecretVolumes(client, target.stack, name, secretVolumes);
  let id: string;
  try {
    id = await client.createContainer(name, request.body);
  } catch (error) {
    for (const v of secretVolumes) await client.removeVolume(v.name).catch(() => undefined);
    throw error;
  }
  try {
    await writeSecretFiles(client, id, resource.spec, target.secrets);
    for (const extra of request.connectAfter) await client.connectNetwork(extra.network, id, extra.aliases);
    await client.startContainer(id);
  } catch (error) {
    // Half made (no secret files, a network missing): never leave it to be started later.
    await removeOwnCopy(target, name).catch(() => undefined);
    throw error;
  }
}

function waitUntilReady(target: ContainerTarget, name: string): Promise<void> {
  const timeout = target.resource.policy.update.healthTimeoutMs;
  return target.runToCompletion
    ? waitCompleted(target.client, name, timeout)
    : waitReady(target.client, name, timeout);
}

function missingValue(resource: string): never {
  throw new Error(`the value of ${resource} was not read before apply (a bug in Hoist)`);
}
