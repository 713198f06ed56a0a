/**
 * Error customizer for strict objects: unknown keys are named, so a plain-JavaScript user who
 * writes `replica: 2` instead of `replicas: 2` learns it at synth instead of never.
 */
export const rejectUnknownKeys = (issue: { code?: string; keys?: string[] }): string | undefined =>
  issue.code === 'unrecognized_keys' && issue.keys
    ? `unknown ${issue.keys.length > 1 ? 'keys' : 'key'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
    : undefined;
