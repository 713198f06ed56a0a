import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalJson } from '../graph/canonical-json';
import type { BuildImageSpec } from '../graph/graph-document';

/** A file of a build context, as the build will see it. */
export interface ContextFile {
  /** Path relative to the context directory, with forward slashes. */
  readonly path: string;
  /** Permission bits (what COPY preserves). */
  readonly mode: number;
  /** `sha256:` of the content (of the link target for a symbolic link). */
  readonly digest: string;
  readonly symlink: boolean;
}

/**
 * The files of a build context that a build receives: everything under the context
 * directory except what `.dockerignore` excludes, with Docker's reading of the patterns
 * (`**`, `!` exceptions, a leading `/`), through @balena/dockerignore, the parser dockerode
 * itself uses. Sorted by path, so the list is the same on every machine.
 */
export function contextFiles(contextDir: string): ContextFile[] {
  const ignore = dockerignoreOf(contextDir);
  const files: ContextFile[] = [];
  const walk = (relative: string) => {
    const absolute = path.join(contextDir, relative);
    for (const entry of fs.readdirSync(absolute, { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(child);
        continue;
      }
      if (ignore.ignores(child)) continue;
      const full = path.join(contextDir, child);
      if (entry.isSymbolicLink()) {
        files.push({ path: child, mode: 0o777, digest: digestOf(Buffer.from(fs.readlinkSync(full))), symlink: true });
      } else if (entry.isFile()) {
        files.push({ path: child, mode: fs.statSync(full).mode & 0o7777, digest: digestOf(fs.readFileSync(full)), symlink: false });
      }
      // Sockets, devices and fifos cannot be sent to a build; Docker skips them too.
    }
  };
  walk('');
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * An image's identity: a hash of everything that decides what the build produces (the
 * Dockerfile text, every context file's path, mode and content, build args, target and
 * platform), and of nothing else (not modification times, not the machine). Equal identity:
 * no build, no transfer, no diff.
 */
export function imageIdentity(spec: Pick<BuildImageSpec, 'buildArgs' | 'target' | 'platform'>, dockerfileText: string, files: readonly ContextFile[]): string {
  const inputs = {
    dockerfile: digestOf(Buffer.from(dockerfileText, 'utf8')),
    buildArgs: spec.buildArgs,
    target: spec.target,
    platform: spec.platform,
    files: files.map((f) => [f.path, f.mode, f.symlink, f.digest]),
  };
  return digestOf(Buffer.from(canonicalJson(inputs), 'utf8'));
}

/** Input names for what is not a context file. */
export const DOCKERFILE_INPUT = '(dockerfile)';
export const ARGUMENTS_INPUT = '(arguments)';

/**
 * Short digests of every input of a build, by name: each context file (content, mode and
 * kind together), the Dockerfile text and the arguments. Kept in the graph and on each
 * built image, so a plan can name what changed since the last build.
 */
export function imageInputs(spec: Pick<BuildImageSpec, 'buildArgs' | 'target' | 'platform'>, dockerfileText: string, files: readonly ContextFile[]): Record<string, string> {
  const inputs: Record<string, string> = {
    [DOCKERFILE_INPUT]: shortDigest(dockerfileText),
    [ARGUMENTS_INPUT]: shortDigest(canonicalJson({ buildArgs: spec.buildArgs, target: spec.target, platform: spec.platform })),
  };
  for (const f of files) inputs[f.path] = shortDigest(`${f.symlink ? 'l' : 'f'}${f.mode.toString(8)}${f.digest}`);
  return inputs;
}

/** What changed between two builds' inputs, e.g. ["src/app.py changed", "the Dockerfile changed"]. */
export function inputChanges(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): string[] {
  const name = (key: string) => (key === DOCKERFILE_INPUT ? 'the Dockerfile' : key === ARGUMENTS_INPUT ? 'build arguments, target or platform' : key);
  const changes: string[] = [];
  for (const key of Object.keys(after).sort()) {
    if (!(key in before)) changes.push(`${name(key)} added`);
    else if (before[key] !== after[key]) changes.push(`${name(key)} changed`);
  }
  for (const key of Object.keys(before).sort()) if (!(key in after)) changes.push(`${name(key)} removed`);
  return changes;
}

/** The tag of a built image: its identity's first 16 hex digits. */
export function contentTag(identity: string): string {
  return identity.replace(/^sha256:/, '').slice(0, 16);
}

/** What changed between two context file lists, for plan causes ("src/app.py changed"). */
export function contextChanges(before: readonly ContextFile[], after: readonly ContextFile[]): string[] {
  const old = new Map(before.map((f) => [f.path, f]));
  const now = new Map(after.map((f) => [f.path, f]));
  const changes: string[] = [];
  for (const f of after) {
    const was = old.get(f.path);
    if (!was) changes.push(`${f.path} added`);
    else if (was.digest !== f.digest || was.symlink !== f.symlink) changes.push(`${f.path} changed`);
    else if (was.mode !== f.mode) changes.push(`${f.path} mode changed`);
  }
  for (const f of before) if (!now.has(f.path)) changes.push(`${f.path} removed`);
  return changes;
}

function dockerignoreOf(contextDir: string): { ignores(path: string): boolean } {
  const dockerignore = require('@balena/dockerignore') as (options?: { ignorecase?: boolean }) => { add(patterns: string[]): { ignores(path: string): boolean } };
  let text = '';
  try {
    text = fs.readFileSync(path.join(contextDir, '.dockerignore'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const patterns = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  return dockerignore({ ignorecase: false }).add(patterns);
}

function shortDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
