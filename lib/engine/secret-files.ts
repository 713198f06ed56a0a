import * as path from 'node:path/posix';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EngineDriver } from '../drivers/engine-driver';
import { isConflict, isNotFound } from '../drivers/engine-error';
import { tarArchive } from '../drivers/tar-archive';
import { byteLimit } from './byte-limit';
import type { ContainerSpec } from '../graph/graph-document';

/**
 * How secrets reach a container as files.
 *
 * Docker Engine has no secrets outside Swarm, and the same mechanism has to work on Podman,
 * so Hoist gives each directory that holds secret files its own volume, named
 * `hoist-secrets-<random>` and labelled {@link SECRET_VOLUME_LABEL} with the stack and the
 * container, and writes the files into it through the Engine API's archive endpoint after
 * the container is created and before it starts. That way:
 * - the value travels inside the SSH connection as tar data, never on a command line;
 * - the files exist before the program starts, mode 0600, owned by the container's user;
 * - it works with a read-only root filesystem (Docker refuses archive writes to the rootfs
 *   then, but not to volumes), and `docker commit`/`export` never capture the files;
 * - removing the container removes its secret volumes with it, by name (remove-container.ts);
 *   containers are never removed with `v: true`, which would also take the anonymous volumes
 *   an image declares (a database's data directory). The volumes are named and labelled,
 *   rather than anonymous, so that one a killed run left behind is still found and removed
 *   on both engines (Podman does not label anonymous volumes).
 * A tmpfs would keep the files off the host's disk, but Docker's archive endpoint cannot
 * write into a tmpfs mount, so the files rest in the engine's volume directory (root only).
 */
export const SECRET_VOLUME_LABEL = 'hoist.secret-files';

/** File mode of every secret file in a container. */
export const SECRET_FILE_MODE = 0o600;

/** Names of secret volumes: not under any stack's name prefix, so never taken for a stack's own. */
export const SECRET_VOLUME_PREFIX = 'hoist-secrets-';

/** Whether a volume name is one of Hoist's secret volumes (or, for containers made before they were named, an anonymous one). */
export function isSecretVolumeName(name: string): boolean {
  return name.startsWith(SECRET_VOLUME_PREFIX) || /^[0-9a-f]{64}$/.test(name);
}

/** The label value of a secret volume: which stack's container it serves. */
export function secretVolumeOwner(stack: string, container: string): string {
  return `${stack}/${container}`;
}

/** The directories of a spec's file secrets, each needing one secret volume; sorted. */
export function secretDirectories(spec: Pick<ContainerSpec, 'secrets'>): string[] {
  return [...new Set(spec.secrets.filter((s) => s.target !== null).map((s) => path.dirname(s.target!)))].sort();
}

/** A secret volume to create before the container: its name and the directory it is mounted at. */
export interface SecretVolume {
  readonly name: string;
  readonly directory: string;
}

/** New secret volume names for a spec's secret directories (random, so a replacement never shares one). */
export function newSecretVolumes(spec: Pick<ContainerSpec, 'secrets'>): SecretVolume[] {
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  return secretDirectories(spec).map((directory) => ({ name: `${SECRET_VOLUME_PREFIX}${randomBytes(8).toString('hex')}`, directory }));
}

/** The Engine API mounts of a container's secret volumes. */
export function secretVolumeMounts(volumes: readonly SecretVolume[]): Record<string, unknown>[] {
  return volumes.map((v) => ({ Type: 'volume', Source: v.name, Target: v.directory }));
}

/** Creates a container's secret volumes, labelled with the stack and container they serve. */
export async function createSecretVolumes(engine: EngineDriver, stack: string, container: string, volumes: readonly SecretVolume[]): Promise<void> {
  const { LABEL, MANAGED_BY } = require('./ownership-labels') as typeof import('./ownership-labels');
  for (const volume of volumes) {
    await engine.createVolume({ Name: volume.name, Labels: { [LABEL.managedBy]: MANAGED_BY, [SECRET_VOLUME_LABEL]: secretVolumeOwner(stack, container) } });
  }
}

/**
 * Removes the stack's secret volumes that no container uses any more: what a run killed
 * between removing a container and removing its secret volumes left behind. The engine
 * refuses to remove a volume in use, so a live container's files are never touched.
 */
export async function removeLeftoverSecretVolumes(engine: EngineDriver, stack: string): Promise<string[]> {
  const volumes = await engine.listVolumes({ label: [SECRET_VOLUME_LABEL] });
  const removed: string[] = [];
  for (const volume of volumes) {
    if (!String(volume.Labels?.[SECRET_VOLUME_LABEL] ?? '').startsWith(`${stack}/`)) continue;
    try {
      await engine.removeVolume(volume.Name);
      removed.push(volume.Name);
    } catch (error) {
      // In use by a container, or gone already.
      if (!isConflict(error) && !isNotFound(error)) throw error;
    }
  }
  return removed;
}

/** Who owns the secret files: the uid/gid written into the tar headers. */
export interface SecretFileOwner {
  readonly uid: number;
  readonly gid: number;
}

/** The image's account files, read only when the user is given by name. */
export interface AccountFiles {
  readonly passwd: string;
  readonly group: string;
}

/**
 * The owner for a container user as the engine records it (`uid`, `uid:gid`, `name`,
 * `name:group`, or empty for root). Names are looked up in the image's own /etc/passwd and
 * /etc/group: the engine's copyUIDGID cannot be trusted for a container not yet started
 * (Docker 20.10 then resolved "postgres" to another uid than the image's).
 */
export function secretFileOwner(user: string, accounts?: AccountFiles): SecretFileOwner {
  if (user === '') return { uid: 0, gid: 0 };
  const [userPart, groupPart] = user.split(':');
  const entries = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
  let uid: number;
  let gid = 0;
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
  } else {
    const entry = accounts ? entries(accounts.passwd).find((e) => e[0] === userPart) : undefined;
    if (!entry) throw new Error(`the container user "${userPart}" is not in the image's /etc/passwd, so its secret files cannot be given to it; use a numeric user (uid:gid)`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
  }
  if (groupPart !== undefined) {
    if (/^\d+$/.test(groupPart)) {
      gid = Number(groupPart);
    } else {
      const entry = accounts ? entries(accounts.group).find((e) => e[0] === groupPart) : undefined;
      if (!entry) throw new Error(`the container group "${groupPart}" is not in the image's /etc/group, so its secret files cannot be given to it; use a numeric group`);
      gid = Number(entry[2]);
    }
  }
  return { uid, gid };
}

/** The tar stream (as one buffer) holding the secret files of one directory. */
export async function secretArchive(files: { readonly name: string; readonly value: Buffer }[], owner: SecretFileOwner): Promise<Buffer> {
  return tarArchive(files.map((file) => ({
    header: { name: file.name, mode: SECRET_FILE_MODE, uid: owner.uid, gid: owner.gid, type: 'file', mtime: new Date(0) },
    content: file.value,
  })));
}

/**
 * Writes a created (not yet started) container's secret files into its secret volumes.
 * `values` maps a secret resource key (`secret:<path>`) to its bytes.
 */
export async function writeSecretFiles(engine: EngineDriver, container: string, spec: ContainerSpec, values: ReadonlyMap<string, Buffer>): Promise<void> {
  const fileSecrets = spec.secrets.filter((s) => s.target !== null);
  if (fileSecrets.length === 0) return;
  // The effective user: the spec's, or the image's USER the engine copied into the config.
  const user = String((await engine.inspectContainer(container)).Config.User ?? '');
  const byName = user.split(':').some((part) => part !== '' && !/^\d+$/.test(part));
  const owner = secretFileOwner(user, byName ? { passwd: await readFileIn(engine, container, '/etc/passwd'), group: await readFileIn(engine, container, '/etc/group') } : undefined);
  for (const directory of secretDirectories(spec)) {
    const files = fileSecrets.filter((s) => path.dirname(s.target!) === directory).map((s) => {
      const value = values.get(s.resource);
      if (!value) throw new Error(`the value of ${s.resource} was not read before apply (a bug in Hoist)`);
      return { name: path.basename(s.target!), value };
    });
    const archive = await secretArchive(files, owner);
    await engine.putArchive(container, directory, archive);
  }
}

/** /etc/passwd and /etc/group are kilobytes; an archive of them larger than this is not read. */
const MAX_ACCOUNT_ARCHIVE_BYTES = 4 * 1024 * 1024;

/** A text file of a created container's filesystem (its image's), or "" when it has none. */
async function readFileIn(engine: EngineDriver, container: string, file: string): Promise<string> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await engine.getArchive(container, file);
  } catch (error) {
    if (isNotFound(error)) return '';
    throw error;
  }
  const tarStream = require('tar-stream') as typeof import('tar-stream');
  const extract = tarStream.extract();
  let text = '';
  extract.on('entry', (_header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      if (!text) text = Buffer.concat(chunks).toString('utf8');
      next();
    });
  });
  await pipeline(archive as Readable, byteLimit(MAX_ACCOUNT_ARCHIVE_BYTES, `${file} of the image of ${container}`), extract);
  return text;
}
