import { describe } from './common';

/**
 * Error customizer for reading documents Hoist wrote (graphs, saved plans): zod's generic
 * messages, said with the value that was found. Messages a schema sets itself take precedence.
 * Values are shown through `describe`, so a hostile string is quoted, never printed raw.
 */
export function documentIssueMessage(issue: {
  readonly code?: string; readonly input?: unknown; readonly expected?: string;
  readonly values?: readonly unknown[]; readonly options?: readonly unknown[]; readonly discriminator?: string;
}): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${describe(issue.input)}`;
    case 'invalid_value':
      return `${describe(issue.input)} is not one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      if (!issue.discriminator || !issue.options) return undefined;
      return `${describe(memberOf(issue.input, issue.discriminator))} is not a known ${issue.discriminator} (${issue.options.map((v) => JSON.stringify(v)).join(', ')})`;
    default:
      return undefined;
  }
}

/** The discriminator's value: zod reports the whole object as the input of a failed union. */
function memberOf(input: unknown, key: string): unknown {
  return input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[key] : input;
}
