#!/usr/bin/env node
// Puts into .hoist/package-cache what `npm install <hoist tarball>` fetches that is not in the
// tarball: the peer dependency (constructs) and the optional tsx with its esbuild and this
// platform's esbuild binary, at the versions of package-lock.json. The packaging test then
// installs the tarball with --offline from this cache: no network at test time.
// Run by scripts/setup.sh (which has the network for npm ci anyway); a no-op when current.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, '.hoist', 'package-cache');
const STAMP = join(CACHE, 'warmed-for');

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')).packages;
const version = (name) => {
  const entry = lock[`node_modules/${name}`];
  if (!entry) throw new Error(`${name} is not in package-lock.json; run npm install`);
  return entry.version;
};

// What npm resolves from the registry for the tarball: peers and optional dependencies, and
// what those depend on (never the bundled ones, which travel inside the tarball).
const wanted = new Set();
const visit = (name) => {
  if (wanted.has(name) || (manifest.bundleDependencies ?? []).includes(name)) return;
  wanted.add(name);
  const entry = lock[`node_modules/${name}`] ?? {};
  for (const dep of Object.keys(entry.dependencies ?? {})) visit(dep);
  // Optional dependencies only for this platform (esbuild's binary package).
  for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
    const info = lock[`node_modules/${dep}`];
    const fits = info && (!info.os || info.os.includes(process.platform)) && (!info.cpu || info.cpu.includes(process.arch));
    if (fits) visit(dep);
  }
};
for (const name of [...Object.keys(manifest.peerDependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})]) visit(name);
const specs = [...wanted].sort().map((name) => `${name}@${version(name)}`);

const stamp = createHash('sha256').update(specs.join('\n')).digest('hex');
if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === stamp) process.exit(0);
mkdirSync(CACHE, { recursive: true });
console.log(`==> npm packages for the packaging test, into .hoist/package-cache: ${specs.join(' ')}`);
execFileSync('npm', ['cache', 'add', '--cache', CACHE, ...specs], { stdio: 'inherit' });
writeFileSync(STAMP, stamp);
