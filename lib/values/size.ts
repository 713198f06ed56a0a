/**
 * Strict parsing of byte sizes such as "512MiB", "1g" or "256m".
 *
 * Units follow Docker's own reading (`docker run --memory 1g` is 1024^3 bytes): every unit is
 * binary, whether written `k`, `kb`, `KB` or `KiB`. A bare number is bytes. Anything else,
 * such as "512XB", "1.2.3g" or "-5m", is rejected rather than guessed at.
 */

const UNIT_POWERS: Record<string, number> = {
  b: 0,
  k: 1, kb: 1, kib: 1,
  m: 2, mb: 2, mib: 2,
  g: 3, gb: 3, gib: 3,
  t: 4, tb: 4, tib: 4,
};

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/;

/** The result of parsing a size: the bytes, or why the text is not a size. */
export type SizeParse = { ok: true; bytes: number } | { ok: false; reason: string };

/** Parses a size string or a number of bytes into a whole number of bytes. */
export function parseSize(input: string | number): SizeParse {
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input < 0) {
      return { ok: false, reason: `${input} is not a whole, non-negative number of bytes` };
    }
    return { ok: true, bytes: input };
  }
  const match = SIZE_PATTERN.exec(input.trim());
  if (!match) {
    return { ok: false, reason: `"${input}" is not a size (use a number and a unit, e.g. "512MiB" or "1g")` };
  }
  const unit = match[2].toLowerCase();
  const power = unit === '' ? 0 : UNIT_POWERS[unit];
  if (power === undefined) {
    return { ok: false, reason: `"${input}" has an unknown unit "${match[2]}" (use b, k/KiB, m/MiB, g/GiB or t/TiB)` };
  }
  const bytes = Math.floor(Number(match[1]) * 1024 ** power);
  if (!Number.isSafeInteger(bytes)) {
    return { ok: false, reason: `"${input}" is too large` };
  }
  return { ok: true, bytes };
}
