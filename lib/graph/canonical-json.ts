/**
 * Canonical JSON: object keys sorted by code point, no insignificant whitespace, `undefined`
 * members dropped. Two equal values always give the same bytes, on any machine, which is what
 * makes spec hashes and graph files comparable.
 */
export function canonicalJson(value: unknown): string {
  return write(value);
}

/** Pretty canonical JSON for files people read and diff (graph.json). */
export function canonicalJsonPretty(value: unknown): string {
  return JSON.stringify(sortedCopy(value), undefined, 2) + '\n';
}

/** A copy with object keys in sorted order and undefined members dropped. */
function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortedCopy(v)));
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot encode ${value} in canonical JSON`);
    return value;
  }
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) sorted[key] = sortedCopy(member);
  }
  return sorted;
}

// Written directly (string concatenation) rather than by sorting a copy and calling
// JSON.stringify: planning hashes thousands of specs, and the copies were most of its time.
function write(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`cannot encode ${value} in canonical JSON`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) s += (i > 0 ? ',' : '') + write(value[i]);
    return s + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let s = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    s += (first ? '' : ',') + JSON.stringify(key) + ':' + write(member);
    first = false;
  }
  return s + '}';
}
