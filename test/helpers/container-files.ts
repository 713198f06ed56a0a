import type Docker from 'dockerode';

/**
 * The regular files at `path` in a container (a file, or every file under a directory), read
 * through the Engine API's archive endpoint: bytes exactly as stored, no shell, no exec.
 * Keys are the paths inside the archive (`argv`, `secrets/s1`). Undefined when the path does
 * not exist (yet).
 */
export async function readContainerFiles(docker: Docker, container: string, path: string): Promise<Map<string, Buffer> | undefined> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await docker.getContainer(container).getArchive({ path });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
  const tarStream = require('tar-stream') as typeof import('tar-stream');
  const extract = tarStream.extract();
  const files = new Map<string, Buffer>();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      if (header.type === 'file') files.set(header.name, Buffer.concat(chunks));
      next();
    });
    stream.resume();
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve());
    extract.on('error', reject);
    archive.on('error', reject);
    archive.pipe(extract);
  });
  return files;
}
