import type { Pack } from 'tar-stream';

/** One file of a tar archive: its header as tar-stream takes it, and its content. */
export interface TarFile {
  readonly header: Parameters<Pack['entry']>[0];
  readonly content: Buffer | string;
}

/**
 * A tar archive of `files`, as one buffer: the format `EngineDriver.putArchive` takes.
 * tar-stream is a small, well-kept tar writer (dockerode's own dependency); tar headers have
 * corner cases (long names, checksums) not worth writing again.
 */
export async function tarArchive(files: readonly TarFile[]): Promise<Buffer> {
  const tarStream = require('tar-stream') as typeof import('tar-stream');
  const pack = tarStream.pack();
  for (const file of files) pack.entry(file.header, file.content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
