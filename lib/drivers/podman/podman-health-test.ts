/**
 * Podman 4.3's Docker-compatible create joins a `CMD` health check's arguments with spaces
 * and splits them again on whitespace, so `["CMD", "sh", "-c", "curl -f x || exit 1"]` is
 * stored (and run) as `sh -c curl -f x || exit 1`: a different, often always-passing, check.
 * Such a test goes to Podman as `CMD-SHELL` with each argument single-quoted instead, which
 * it keeps whole and runs as the same argv through /bin/sh. Pure.
 */
export function podmanHealthTest(test: readonly string[]): string[] {
  if (test[0] !== 'CMD' || !test.slice(1).some((arg) => arg === '' || /\s/.test(arg))) return [...test];
  return ['CMD-SHELL', test.slice(1).map(shellQuote).join(' ')];
}

/** One argument as a POSIX shell reads it back unchanged: single quotes, with ' written as '\''. */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
