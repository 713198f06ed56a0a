import * as path from 'node:path';

/**
 * Paths recorded in the graph: relative to the project directory (forward slashes) when
 * inside it, so the graph is byte-identical on every checkout; absolute otherwise; `~/...`
 * as written, for the transport to expand on the machine that runs Hoist.
 */
export function projectPath(projectDir: string, p: string): string {
  if (p.startsWith('~/')) {
    return p;
  }
  const absolute = path.resolve(projectDir, p);
  const relative = path.relative(projectDir, absolute);
  if (relative === '') {
    return '.';
  }
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    return absolute;
  }
  return relative.split(path.sep).join('/');
}
