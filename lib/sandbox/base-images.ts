import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { engineRequest } from './engine-socket';
import { IMAGE_CACHE_DIR } from './sandbox-names';
import { mustRun } from './system-command';

/**
 * Base images without a registry: busybox from the static busybox binary, and
 * debian:bookworm-slim from a debootstrap'd root filesystem. Each is a root filesystem tar,
 * built once and cached in IMAGE_CACHE_DIR, then imported into every host's engine.
 */
export interface BaseImage {
  readonly reference: string;
  /** Dockerfile-style changes applied on import. */
  readonly changes: string[];
  /** Builds the tar if it is not cached, and returns its path. */
  prepare(log: (line: string) => void): Promise<string>;
}

const BUSYBOX = '/bin/busybox';

export const BUSYBOX_IMAGE: BaseImage = {
  reference: 'busybox:latest',
  changes: ['CMD ["sh"]'],
  async prepare() {
    const stat = fs.statSync(BUSYBOX);
    const tar = path.join(IMAGE_CACHE_DIR, `busybox-${stat.size}-${Math.floor(stat.mtimeMs)}.tar`);
    if (fs.existsSync(tar)) return tar;
    fs.mkdirSync(IMAGE_CACHE_DIR, { recursive: true });
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-busybox-'));
    try {
      for (const dir of ['bin', 'etc', 'root', 'tmp', 'var/www', 'usr/bin', 'sbin', 'usr/sbin', 'proc', 'sys', 'dev', 'run']) {
        fs.mkdirSync(path.join(root, dir), { recursive: true });
      }
      fs.copyFileSync(BUSYBOX, path.join(root, 'bin', 'busybox'));
      fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
      const applets = (await mustRun(BUSYBOX, ['--list'])).split('\n').filter((a) => a && a !== 'busybox');
      for (const applet of applets) fs.symlinkSync('busybox', path.join(root, 'bin', applet));
      fs.chmodSync(path.join(root, 'tmp'), 0o1777);
      fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
      fs.writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
      await writeTar(root, tar);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    return tar;
  },
};

export const DEBIAN_IMAGE: BaseImage = {
  reference: 'debian:bookworm-slim',
  changes: ['CMD ["bash"]', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  async prepare(log) {
    const tar = path.join(IMAGE_CACHE_DIR, 'debian-bookworm-slim.tar');
    if (fs.existsSync(tar)) return tar;
    fs.mkdirSync(IMAGE_CACHE_DIR, { recursive: true });
    const root = fs.mkdtempSync(path.join(IMAGE_CACHE_DIR, 'debootstrap-'));
    log('building debian:bookworm-slim with debootstrap (about a minute, once; cached in ' + IMAGE_CACHE_DIR + ')');
    try {
      await mustRun('debootstrap', ['--variant=minbase', 'bookworm', root, 'http://deb.debian.org/debian'], { timeoutMs: 15 * 60_000 });
      // Slim like the official image: no package lists, caches, manuals or translations.
      for (const dir of ['var/lib/apt/lists', 'var/cache/apt/archives', 'usr/share/man', 'usr/share/info', 'usr/share/locale']) {
        const full = path.join(root, dir);
        for (const entry of fs.existsSync(full) ? fs.readdirSync(full) : []) {
          if (entry !== 'partial' && entry !== 'lock') fs.rmSync(path.join(full, entry), { recursive: true, force: true });
        }
      }
      await writeTar(root, tar);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    return tar;
  },
};

async function writeTar(root: string, tar: string): Promise<void> {
  const partial = `${tar}.partial-${process.pid}`;
  await mustRun('tar', ['--numeric-owner', '-C', root, '-cf', partial, '.'], { timeoutMs: 10 * 60_000 });
  fs.renameSync(partial, tar);
}

/** Imports the image into an engine unless it is there already. Returns whether it imported. */
export async function importImage(socket: string, image: BaseImage, tar: string): Promise<boolean> {
  const present = await engineRequest(socket, 'GET', `/images/${encodeURIComponent(image.reference)}/json`);
  if (present.status === 200) return false;
  // The tag goes inside `repo`: Docker accepts both forms, Podman's compatible API only this one.
  const query = new URLSearchParams({ fromSrc: '-', repo: image.reference });
  for (const change of image.changes) query.append('changes', change);
  const response = await engineRequest(socket, 'POST', `/images/create?${query.toString()}`, fs.createReadStream(tar), 10 * 60_000, {
    'Content-Type': 'application/x-tar',
    'Transfer-Encoding': 'chunked',
  });
  if (response.status !== 200 || /"error"/.test(response.body)) {
    throw new Error(`importing ${image.reference} failed (HTTP ${response.status}): ${response.body.slice(0, 300)}`);
  }
  const check = await engineRequest(socket, 'GET', `/images/${encodeURIComponent(image.reference)}/json`);
  if (check.status !== 200) {
    throw new Error(`imported ${image.reference}, but the engine does not list it (HTTP ${check.status})`);
  }
  return true;
}
