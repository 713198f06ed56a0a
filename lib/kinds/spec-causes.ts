import { canonicalJson } from '../graph/canonical-json';
import type { Cause } from './planned-action';

/**
 * The field causes between a wanted and an observed spec of a flat object (a network, a
 * volume), in key order: `changed` when the graph changed since the object was made, `drift`
 * when the object was changed outside Hoist. Fields listed in `engineChosen` and left null in
 * the graph are whatever the engine picked, and match anything.
 */
export function specCauses<T extends object>(wantSpec: T, haveSpec: T, drift: boolean, engineChosen: readonly string[] = []): Cause[] {
  const want = wantSpec as Record<string, unknown>;
  const have = haveSpec as Record<string, unknown>;
  const causes: Cause[] = [];
  for (const key of Object.keys(want).sort()) {
    if (want[key] === null && engineChosen.includes(key)) continue;
    if (canonicalJson(want[key] ?? null) !== canonicalJson(have[key] ?? null)) {
      causes.push({ type: drift ? 'drift' : 'changed', field: key, before: have[key] ?? null, after: want[key] ?? null });
    }
  }
  return causes;
}

/** Causes as one line, for messages. */
export function describeCauses(causes: readonly Cause[]): string {
  return causes.map((c) => ('field' in c ? `${c.field}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}` : c.type)).join('; ');
}
