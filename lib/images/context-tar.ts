import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { ContextFile } from './build-context';

/**
 * Every file in the build context gets this modification time. COPY keeps mtimes in the
 * layer, so fresh checkouts (CI clones) would otherwise make layers that differ from the
 * last build's in nothing but timestamps, and be sent to every host again.
 */
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

/**
 * The build context as a tar stream: exactly the files `contextFiles` listed (so
 * .dockerignore is honoured the same way the identity was computed), owned by root, with a
 * fixed mtime, read from disk one file at a time. `extra` adds generated files, such as a
 * Dockerfile rendered from typed steps.
 */
export function packContext(contextDir: string, files: readonly ContextFile[], extra: readonly { name: string; text: string }[] = []): Readable {
  const tarStream = require('tar-stream') as typeof import('tar-stream');
  const pack = tarStream.pack();
  const common = { uid: 0, gid: 0, uname: '', gname: '', mtime: FIXED_MTIME };
  const dirs = new Set<string>();
  void (async () => {
    try {
      for (const file of files) {
        // Parent directories first, with the mode they have on disk.
        const parts = file.path.split('/').slice(0, -1);
        for (let i = 1; i <= parts.length; i++) {
          const dir = parts.slice(0, i).join('/');
          if (dirs.has(dir)) continue;
          dirs.add(dir);
          const mode = fs.statSync(path.join(contextDir, dir)).mode & 0o7777;
          await entry(pack, { ...common, name: `${dir}/`, type: 'directory', mode });
        }
        const full = path.join(contextDir, file.path);
        if (file.symlink) {
          await entry(pack, { ...common, name: file.path, type: 'symlink', linkname: fs.readlinkSync(full), mode: 0o777 });
        } else {
          await entry(pack, { ...common, name: file.path, type: 'file', mode: file.mode }, fs.readFileSync(full));
        }
      }
      for (const e of extra) await entry(pack, { ...common, name: e.name, type: 'file', mode: 0o644 }, Buffer.from(e.text, 'utf8'));
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
    }
  })();
  return pack as unknown as Readable;
}

function entry(pack: import('tar-stream').Pack, header: Parameters<import('tar-stream').Pack['entry']>[0], body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, body ?? '', (error) => (error ? reject(error) : resolve()));
  });
}
