/**
 * Why a document's format version cannot be read by a reader of `supported`, or undefined
 * when it can: the same major version is readable (minor versions only add members a reader
 * ignores), any other is not.
 */
export function formatVersionProblem(found: unknown, supported: string): string | undefined {
  if (typeof found !== 'string' || !/^[0-9]+\.[0-9]+$/.test(found)) {
    return `it has no format version this hoist understands (found ${found === undefined ? 'none' : JSON.stringify(found)}; this hoist reads ${majorOf(supported)}.x)`;
  }
  if (majorOf(found) !== majorOf(supported)) {
    return `it has format version ${found}, and this hoist reads format ${majorOf(supported)}.x (it writes ${supported})`;
  }
  return undefined;
}

function majorOf(version: string): string {
  return version.split('.')[0];
}
