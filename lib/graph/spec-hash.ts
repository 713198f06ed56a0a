import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** `sha256:<hex>` of a value's canonical JSON; the identity of a spec. */
export function specHash(spec: unknown): string {
  return 'sha256:' + createHash('sha256').update(canonicalJson(spec)).digest('hex');
}
