import type { z } from 'zod';

/**
 * Turns zod issues into Hoist's problem lines: `field.path[0].x: message`. The construct
 * path is added by the caller, so one schema serves every construct of a kind.
 */
export function zodProblems(error: z.ZodError, fieldPrefix = ''): string[] {
  return error.issues.map((issue) => {
    const field = formatFieldPath(fieldPrefix, issue.path);
    return field ? `${field}: ${issue.message}` : issue.message;
  });
}

/** `ports`, `[0]`, `host` -> `ports[0].host`. */
export function formatFieldPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') {
      out += `[${part}]`;
    } else {
      const key = String(part);
      out += /^[A-Za-z_$][\w$]*$/.test(key) ? (out ? '.' : '') + key : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}
