import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

type TarHeader = Parameters<import('tar-stream').Pack['entry']>[0];

/** One entry of an image archive, kept on local disk in arrival order. */
interface SpooledEntry {
  readonly header: TarHeader;
  /** Where its content is, for files. */
  readonly file: string | null;
}

/**
 * An image archive (`docker save` format, as both engines export it) kept on local disk, with
 * every layer's digest checked: the image is read from its builder once and sent to each
 * host from here, each host getting only the layers it lacks.
 */
export interface SpooledImage {
  /** The image id: the digest of its config, as every engine computes it. */
  readonly id: string;
  /** Layer diff ids in order. */
  readonly layers: string[];
  /** Size of each layer's tar, by diff id. */
  readonly layerBytes: ReadonlyMap<string, number>;
  readonly entries: readonly SpooledEntry[];
  /** Archive entry name of each layer file -> its diff id. */
  readonly layerEntries: ReadonlyMap<string, string>;
  /** The entries a load reads: manifest.json, the config and the layer files (and links to them). */
  readonly needed: ReadonlySet<string>;
  /** Removes the files; safe to call twice. */
  dispose(): void;
}

/**
 * Reads an image archive stream to disk, then checks it: the config's digest must be
 * `expectedId` and each layer file's sha256 its diff id. Throws (and leaves nothing on
 * disk) when anything does not match.
 */
export async function spoolImageArchive(archive: NodeJS.ReadableStream, expectedId: string, where: string): Promise<SpooledImage> {
  const tarStream = require('tar-stream') as typeof import('tar-stream');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-image-'));
  const dispose = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const entries: SpooledEntry[] = [];
    const digests = new Map<string, string>();
    const extract = tarStream.extract();
    extract.on('entry', (header, stream, next) => {
      if (header.type !== 'file') {
        entries.push({ header: { ...header, size: 0 }, file: null });
        stream.resume();
        stream.on('end', () => next());
        return;
      }
      const file = path.join(dir, String(entries.length));
      const hash = createHash('sha256');
      entries.push({ header, file });
      stream.on('data', (chunk) => {
        hash.update(chunk as Buffer);
      });
      pipeline(stream, fs.createWriteStream(file)).then(() => {
        digests.set(header.name, `sha256:${hash.digest('hex')}`);
        next();
      }, next);
    });
    await pipeline(archive as Readable, extract);

    const read = (name: string) => {
      const e = entries.find((x) => x.header.name === name && x.file);
      if (!e) throw new Error(`the image archive from ${where} has no ${name}`);
      return fs.readFileSync(e.file!);
    };
    const manifest = JSON.parse(read('manifest.json').toString('utf8')) as { Config: string; Layers: string[] }[];
    if (manifest.length !== 1) throw new Error(`the image archive from ${where} holds ${manifest.length} images; expected one`);
    const configBytes = read(manifest[0].Config);
    const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
    if (configDigest !== expectedId) throw new Error(`the image archive from ${where} is image ${configDigest}, not the built ${expectedId}`);
    const diffIds = (JSON.parse(configBytes.toString('utf8')) as { rootfs?: { diff_ids?: string[] } }).rootfs?.diff_ids ?? [];
    if (diffIds.length !== manifest[0].Layers.length) throw new Error(`the image archive from ${where} lists ${manifest[0].Layers.length} layer files for ${diffIds.length} layers`);
    const layerEntries = new Map<string, string>();
    const layerBytes = new Map<string, number>();
    manifest[0].Layers.forEach((name, i) => {
      const resolved = resolveLink(entries, name);
      const digest = digests.get(resolved);
      if (digest !== diffIds[i]) throw new Error(`layer ${i + 1} (${name}) of the image archive from ${where} has digest ${digest ?? 'none'}, expected ${diffIds[i]}`);
      layerEntries.set(resolved, diffIds[i]);
      layerBytes.set(diffIds[i], Number(entries.find((e) => e.header.name === resolved)!.header.size ?? 0));
    });
    const needed = new Set(['manifest.json', manifest[0].Config, ...manifest[0].Layers, ...layerEntries.keys()]);
    return { id: configDigest, layers: diffIds, layerBytes, entries, layerEntries, needed, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

/** A symlinked layer entry (engines link identical layers) -> the entry holding the bytes. */
function resolveLink(entries: readonly SpooledEntry[], name: string): string {
  let current = name;
  for (let hops = 0; hops < 10; hops++) {
    const e = entries.find((x) => x.header.name === current);
    if (!e || e.header.type !== 'symlink' || !e.header.linkname) return current;
    current = path.posix.normalize(path.posix.join(path.posix.dirname(current), e.header.linkname));
  }
  return current;
}

/** The archive a host is sent, and what it holds. */
export interface HostArchive {
  readonly stream: Readable;
  /** Layers whose bytes go in the archive. */
  readonly layersSent: number;
  /** Resolves with the archive's size once it has been read to the end. */
  readonly bytes: Promise<number>;
}

/**
 * The spooled archive for a host that already has the layers `present`: only what a load
 * reads, and the layer files the host has go as empty files. Both engines then take each such layer from their own store by its
 * diff id (checked on Docker Engine 20.10 and Podman 4.3; Podman refuses an archive with the
 * file missing altogether, so it is kept, empty).
 */
export function archiveForHost(spool: SpooledImage, present: ReadonlySet<string>): HostArchive {
  const tarStream = require('tar-stream') as typeof import('tar-stream');
  const pack = tarStream.pack();
  const skip = (name: string) => {
    const diffId = spool.layerEntries.get(name);
    return diffId !== undefined && present.has(diffId);
  };
  const layersSent = [...spool.layerEntries].filter(([name]) => !skip(name)).length;
  void (async () => {
    try {
      for (const e of spool.entries) {
        // The legacy per-layer `json`/`VERSION` files and `repositories` are for loaders
        // without manifest.json; both engines read the manifest, so those bytes stay home.
        if (!spool.needed.has(e.header.name)) continue;
        if (!e.file || skip(e.header.name)) {
          await new Promise<void>((resolve, reject) => pack.entry({ ...e.header, size: 0 }, '', (error) => (error ? reject(error) : resolve())));
          continue;
        }
        const sink = pack.entry({ ...e.header });
        await pipeline(fs.createReadStream(e.file), sink);
      }
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
    }
  })();
  let total = 0;
  const counter = new PassThrough();
  counter.on('data', (chunk: Buffer) => {
    total += chunk.length;
  });
  const bytes = new Promise<number>((resolve) => counter.on('end', () => resolve(total)));
  (pack as unknown as Readable).pipe(counter);
  return { stream: counter, layersSent, bytes };
}
