import type { SecretResource, StackGraph } from '../graph/graph-document';
import { readSecretValue } from '../secrets/read-secret-value';

/**
 * The values of a stack's secrets, read from where the graph says (environment, file,
 * command), for redacting what containers print. `unread` names those that could not be
 * read here, with why: their values would not be redacted.
 */
export function stackSecretValues(stack: StackGraph, projectDir: string): { values: Buffer[]; unread: string[] } {
  const values: Buffer[] = [];
  const unread: string[] = [];
  const seen = new Set<string>();
  for (const secret of stack.resources.filter((r): r is SecretResource => r.kind === 'secret')) {
    const key = secret.id.slice(0, secret.id.lastIndexOf('@'));
    if (seen.has(key)) continue;
    seen.add(key);
    const read = readSecretValue(secret.policy.origin, projectDir);
    if (read.ok) values.push(read.value);
    else unread.push(`${key}: ${read.reason}`);
  }
  return { values, unread };
}
