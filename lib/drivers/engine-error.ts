/**
 * Why an engine refused: the only thing callers branch on. Drivers translate their engine's
 * answers (HTTP status codes and message texts that differ between Docker and Podman) into
 * these, so no code above a driver reads a status code.
 * - `not-found`: no such object;
 * - `conflict`: the name is taken, or the object is in use;
 * - `removal-in-progress`: another request is removing the object already;
 * - `failed`: anything else.
 */
export type EngineErrorReason = 'not-found' | 'conflict' | 'removal-in-progress' | 'failed';

/** An engine's refusal, with the engine's own message kept as the message. */
export class EngineError extends Error {
  public constructor(message: string, public readonly reason: EngineErrorReason, public readonly statusCode?: number) {
    super(message);
    this.name = 'EngineError';
  }
}

/** Whether an error is an engine's "no such object". */
export function isNotFound(error: unknown): boolean {
  return error instanceof EngineError && error.reason === 'not-found';
}

/** Whether an error is an engine's "name taken / in use". */
export function isConflict(error: unknown): boolean {
  return error instanceof EngineError && error.reason === 'conflict';
}

/** Rethrows anything but "no such object": for removals, where gone already is done. */
export function ignoreNotFound(error: unknown): void {
  if (!isNotFound(error)) throw error;
}
