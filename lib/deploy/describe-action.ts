import type { PlannedAction } from '../plan/plan-types';

/** An action in a few words, as messages and history records name it: `replace container shop-web-1 (start-first, batch 2)`. */
export function describeAction(action: PlannedAction): string {
  const detail = action.action === 'replace' && action.kind === 'container' ? ` (${action.order}${action.batch ? `, batch ${action.batch}` : ''})` : '';
  return `${action.action} ${action.kind} ${action.name}${detail}`;
}
