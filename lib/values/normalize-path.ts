import * as path from 'node:path';

/**
 * An absolute POSIX path as the engines compare mount points and sources: `.`, `..` and
 * repeated slashes resolved, no trailing slash (`/data/` and `/data//x/..` are `/data`).
 */
export function normalizePath(p: string): string {
  const normalized = path.posix.normalize(p);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}
