import * as path from 'node:path/posix';
import type Docker from 'dockerode';
import type { ContainerSpec } from '../graph/graph-document';

/**
 * How secrets reach a container as files.
 *
 * Docker Engine has no secrets outside Swarm, and the same mechanism has to work on Podman,
 * so Hoist gives each directory that holds secret files its own anonymous volume (labelled
 * {@link SECRET_VOLUME_LABEL}) and writes the files into it through the Engine API's archive
 * endpoint after the container is created and before it starts. That way:
 * - the value travels inside the SSH connection as tar data, never on a command line;
 * - the files exist before the program starts, mode 0600, owned by the container's user;
 * - it works with a read-only root filesystem (Docker refuses archive writes to the rootfs
 *   then, but not to volumes), and `docker commit`/`export` never capture the files;
 * - removing the container with `v: true` removes the volume and the files with it (so every
 *   removal of a stack's container passes `v: true`; Podman does not label anonymous volumes,
 *   so the label is a hint on Docker, never what cleanup relies on).
 * A tmpfs would keep the files off the host's disk, but Docker's archive endpoint cannot
 * write into a tmpfs mount, so the files rest in the engine's volume directory (root only).
 */
export const SECRET_VOLUME_LABEL = 'hoist.secret-files';

/** File mode of every secret file in a container. */
export const SECRET_FILE_MODE = 0o600;

/** The directories of a spec's file secrets, each needing one secret volume; sorted. */
export function secretDirectories(spec: Pick<ContainerSpec, 'secrets'>): string[] {
  return [...new Set(spec.secrets.filter((s) => s.target !== null).map((s) => path.dirname(s.target!)))].sort();
}

/** The Engine API mounts of a container's secret volumes. */
export function secretVolumeMounts(spec: Pick<ContainerSpec, 'secrets' | 'name'>): Record<string, unknown>[] {
  return secretDirectories(spec).map((directory) => ({
    Type: 'volume',
    Target: directory,
    VolumeOptions: { Labels: { [SECRET_VOLUME_LABEL]: spec.name } },
  }));
}

/** Who owns the secret files: a uid/gid to write into the tar headers, or the engine resolves a user name. */
export type SecretFileOwner = { readonly uid: number; readonly gid: number } | { readonly byName: true };

/**
 * The owner for a container user as the engine records it (`uid`, `uid:gid`, `name`,
 * `name:group`, or empty for root). Numeric ids go into the tar headers (Docker cannot look
 * up a uid that /etc/passwd lacks); names are left to the engine (`copyUIDGID`).
 */
export function secretFileOwner(user: string): SecretFileOwner {
  if (user === '') return { uid: 0, gid: 0 };
  const numeric = /^(\d+)(?::(\d+))?$/.exec(user);
  if (numeric) return { uid: Number(numeric[1]), gid: numeric[2] === undefined ? 0 : Number(numeric[2]) };
  return { byName: true };
}

/** The tar stream (as one buffer) holding the secret files of one directory. */
export async function secretArchive(files: { readonly name: string; readonly value: Buffer }[], owner: SecretFileOwner): Promise<Buffer> {
  // tar-stream: a small, well-kept tar writer (dockerode's own dependency); tar headers have
  // corner cases (long names, checksums) not worth writing again.
  const tarStream = require('tar-stream') as typeof import('tar-stream');
  const pack = tarStream.pack();
  const ids = 'uid' in owner ? owner : { uid: 0, gid: 0 };
  for (const file of files) {
    pack.entry({ name: file.name, mode: SECRET_FILE_MODE, uid: ids.uid, gid: ids.gid, type: 'file', mtime: new Date(0) }, file.value);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Writes a created (not yet started) container's secret files into its secret volumes.
 * `values` maps a secret resource key (`secret:<path>`) to its bytes.
 */
export async function writeSecretFiles(container: Docker.Container, spec: ContainerSpec, values: ReadonlyMap<string, Buffer>): Promise<void> {
  const fileSecrets = spec.secrets.filter((s) => s.target !== null);
  if (fileSecrets.length === 0) return;
  // The effective user: the spec's, or the image's USER the engine copied into the config.
  const user = String((await container.inspect()).Config.User ?? '');
  const owner = secretFileOwner(user);
  for (const directory of secretDirectories(spec)) {
    const files = fileSecrets.filter((s) => path.dirname(s.target!) === directory).map((s) => {
      const value = values.get(s.resource);
      if (!value) throw new Error(`the value of ${s.resource} was not read before apply (a bug in Hoist)`);
      return { name: path.basename(s.target!), value };
    });
    const archive = await secretArchive(files, owner);
    await container.putArchive(archive, { path: directory, ...('byName' in owner ? { copyUIDGID: '1' } : {}) } as never);
  }
}
