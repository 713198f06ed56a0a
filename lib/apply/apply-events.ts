import type { ImageSent } from '../kinds/image/ship-image';
import type { PlannedAction } from '../plan/plan-types';

export type { ImageSent };

/**
 * What apply reports while it works. The executor emits these and nothing else; the CLI
 * turns them into a live view, timestamped lines or NDJSON (`--json`).
 */
export type ApplyEvent =
  | { readonly type: 'stack-start'; readonly stack: string; readonly revision: number; readonly actions: number }
  | { readonly type: 'action-start'; readonly stack: string; readonly action: PlannedAction }
  | { readonly type: 'action-progress'; readonly stack: string; readonly action: PlannedAction; readonly message: string }
  | { readonly type: 'action-done'; readonly stack: string; readonly action: PlannedAction; readonly ms: number; readonly sent?: ImageSent }
  | { readonly type: 'action-failed'; readonly stack: string; readonly action: PlannedAction; readonly error: string }
  | { readonly type: 'rollback-start'; readonly stack: string; readonly service: string; readonly containers: string[] }
  | { readonly type: 'rollback-done'; readonly stack: string; readonly service: string; readonly container: string; readonly host: string; readonly ok: boolean; readonly error?: string }
  | { readonly type: 'interrupted'; readonly stack: string; readonly pending: number }
  | { readonly type: 'stack-done'; readonly stack: string; readonly ok: boolean };

export type ApplyEventSink = (event: ApplyEvent) => void;
