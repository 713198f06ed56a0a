import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { engineRequest } from './engine-socket';
import { IMAGE_CACHE_DIR } from './sandbox-names';
import { mustRun } from './system-command';

/**
 * Base images without a registry: busybox from the static busybox binary,
 * debian:bookworm-slim from a debootstrap'd root filesystem, and haproxy:2.6 on top of it. Each is a root filesystem tar,
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

/**
 * haproxy:2.6, standing in for the official image (which no sandbox host can pull): Debian's
 * own haproxy package (2.6, like the official tag) installed into the Debian base above, with
 * the official image's config path and command. (Not its STOPSIGNAL SIGUSR1: image imports
 * cannot set one.)
 * The package is fetched once, on this machine, when the cache is built; hosts never reach out.
 */
export const HAPROXY_IMAGE: BaseImage = {
  reference: 'haproxy:2.6',
  changes: [
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'CMD ["haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]',
  ],
  async prepare(log) {
    const tar = path.join(IMAGE_CACHE_DIR, 'haproxy-2.6-debian.tar');
    if (fs.existsSync(tar)) return tar;
    const base = await DEBIAN_IMAGE.prepare(log);
    const root = fs.mkdtempSync(path.join(IMAGE_CACHE_DIR, 'haproxy-'));
    log('building haproxy:2.6 from the Debian base and Debian\'s haproxy package (once; cached in ' + IMAGE_CACHE_DIR + ')');
    try {
      await mustRun('tar', ['--numeric-owner', '-C', root, '-xf', base], { timeoutMs: 10 * 60_000 });
      // Packages must not try to start services inside the image.
      fs.writeFileSync(path.join(root, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
      fs.copyFileSync('/etc/resolv.conf', path.join(root, 'etc/resolv.conf'));
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
      await mustRun('chroot', [root, 'apt-get', 'update', '-qq'], { timeoutMs: 10 * 60_000, env });
      await mustRun('chroot', [root, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'haproxy'], { timeoutMs: 15 * 60_000, env });
      fs.rmSync(path.join(root, 'usr/sbin/policy-rc.d'));
      fs.writeFileSync(path.join(root, 'etc/resolv.conf'), '');
      fs.mkdirSync(path.join(root, 'usr/local/etc/haproxy'), { recursive: true });
      fs.copyFileSync(path.join(root, 'etc/haproxy/haproxy.cfg'), path.join(root, 'usr/local/etc/haproxy/haproxy.cfg'));
      for (const dir of ['var/lib/apt/lists', 'var/cache/apt/archives', 'var/cache/apt']) {
        const full = path.join(root, dir);
        for (const entry of fs.readdirSync(full)) {
          if (entry !== 'partial' && entry !== 'lock' && entry !== 'archives') fs.rmSync(path.join(full, entry), { recursive: true, force: true });
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
