/**
 * Compose's value coercions: after interpolation every value may be a string, and Compose
 * casts the fields that want numbers or booleans (compose-go's interpolation casts). Each
 * returns undefined when the value is not of the kind asked for.
 */

/** A scalar as Compose turns it into text: numbers and booleans printed, null empty. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** true/false, also written as "true", "yes", "on", "y" (and their opposites), any case. */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  if (['true', 'yes', 'on', 'y'].includes(lower)) return true;
  if (['false', 'no', 'off', 'n'].includes(lower)) return false;
  return undefined;
}

/** A whole number, also written as a string. */
export function asInteger(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

/** A number, also written as a string ("0.5"). */
export function asNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** A plain object (a YAML mapping). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A mapping written either way Compose allows: `{ KEY: value }` or `["KEY=value", "KEY"]`.
 * Entries without a value (`KEY:` or `KEY`) come back with value undefined.
 */
export function asEntries(value: unknown): { key: string; value: string | undefined; index: number | string }[] | undefined {
  if (Array.isArray(value)) {
    const out: { key: string; value: string | undefined; index: number }[] = [];
    for (const [i, item] of value.entries()) {
      const text = asText(item);
      if (text === undefined) return undefined;
      const eq = text.indexOf('=');
      out.push(eq < 0 ? { key: text, value: undefined, index: i } : { key: text.slice(0, eq), value: text.slice(eq + 1), index: i });
    }
    return out;
  }
  if (isRecord(value)) {
    const out: { key: string; value: string | undefined; index: string }[] = [];
    for (const [key, v] of Object.entries(value)) {
      if (v === null || v === undefined) {
        out.push({ key, value: undefined, index: key });
        continue;
      }
      const text = asText(v);
      if (text === undefined) return undefined;
      out.push({ key, value: text, index: key });
    }
    return out;
  }
  return undefined;
}

/** A string, or a list of strings (one item becomes a list of one). */
export function asStringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return undefined;
  const out: string[] = [];
  for (const item of value) {
    const text = asText(item);
    if (text === undefined) return undefined;
    out.push(text);
  }
  return out;
}
