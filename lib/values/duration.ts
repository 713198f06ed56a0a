/**
 * Strict parsing of durations such as "30s", "1m30s" or "500ms" (the Go syntax that Docker
 * and Compose users already write). A bare number is rejected: "10" could mean seconds or
 * nanoseconds, and guessing wrong makes a health check fail in production.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART_PATTERN = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** The result of parsing a duration: whole milliseconds, or why the text is not a duration. */
export type DurationParse = { ok: true; ms: number } | { ok: false; reason: string };

/** Parses a duration string into whole milliseconds. */
export function parseDuration(input: string): DurationParse {
  const text = input.trim();
  if (!DURATION_PATTERN.test(text)) {
    return { ok: false, reason: `"${input}" is not a duration (use e.g. "500ms", "30s", "1m30s" or "2h")` };
  }
  let ms = 0;
  for (const part of text.matchAll(PART_PATTERN)) {
    ms += Number(part[1]) * UNIT_MS[part[2]];
  }
  return { ok: true, ms: Math.round(ms) };
}
