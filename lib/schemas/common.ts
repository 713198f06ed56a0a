import { z } from 'zod';
import { parseDuration } from '../values/duration';
import { parseSize } from '../values/size';
import { IDENTIFIER_PATTERN } from '../values/docker-name';

/**
 * Building blocks shared by the props schemas. Messages say what was wrong with the value
 * itself; the field path and construct path are added around them.
 */

export const port = z.number({ error: (i) => `${describe(i.input)} is not a port (1-65535)` })
  .int({ error: (i) => `${describe(i.input)} is not a port (1-65535)` })
  .min(1, { error: (i) => `${describe(i.input)} is not a port (1-65535)` })
  .max(65535, { error: (i) => `${describe(i.input)} is not a port (1-65535)` });

export const size = z.string({ error: (i) => `${describe(i.input)} is not a size (e.g. "512MiB" or "1g")` })
  .superRefine((value, ctx) => {
    const parsed = parseSize(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.reason });
    }
  });

export const duration = z.string({ error: (i) => `${describe(i.input)} is not a duration (e.g. "30s")` })
  .superRefine((value, ctx) => {
    const parsed = parseDuration(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.reason });
    }
  });

export const nonEmptyString = z.string({ error: (i) => `expected a string, got ${describe(i.input)}` })
  .min(1, { error: 'must not be empty' });

/** Single-line text: a newline in a name or path is never meant, and is how injections start. */
export const singleLine = nonEmptyString.refine((value) => !/[\r\n\0]/.test(value), {
  error: (i) => `${describe(i.input)} must be one line without control characters`,
});

export const identifier = z.string({ error: (i) => `expected a name, got ${describe(i.input)}` })
  .regex(IDENTIFIER_PATTERN, { error: (i) => `${describe(i.input)} is not a valid name (letters, digits, "_", "." or "-", starting with a letter or digit)` });

export const absolutePath = singleLine.refine((value) => value.startsWith('/'), {
  error: (i) => `${describe(i.input)} is not an absolute path`,
});

/** A subnet in CIDR notation, IPv4 or IPv6. */
export const cidr = z.union([z.cidrv4(), z.cidrv6()], { error: (i) => `${describe(i.input)} is not a subnet in CIDR notation (e.g. "172.28.0.0/24")` });

export const wholeNumber = (what: string, min: number) =>
  z.number({ error: (i) => `${describe(i.input)} is not ${what}` })
    .int({ error: (i) => `${describe(i.input)} is not ${what}` })
    .min(min, { error: (i) => `${describe(i.input)} is not ${what}` });

export const stringMap = z.record(z.string(), z.string({ error: (i) => `expected a string value, got ${describe(i.input)}` }), {
  error: (i) => `expected an object of strings, got ${describe(i.input)}`,
});

export const stringList = z.array(z.string({ error: (i) => `expected a string, got ${describe(i.input)}` }), {
  error: (i) => `expected a list of strings, got ${describe(i.input)}`,
});

/** A short, safe rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? value.slice(0, 77) + '...' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
