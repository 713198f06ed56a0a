/** Exit code of a run stopped by the user (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * Ctrl-C during a run that changes hosts. The first SIGINT (or SIGTERM, as CI runners send on
 * cancel) asks the run to stop: nothing new starts, what is running finishes or is undone,
 * locks are released. A second one exits at once, since the user insists; the warning says
 * what that may leave behind.
 */
export interface InterruptWatch {
  /** Whether a stop was asked for. */
  readonly requested: () => boolean;
  dispose(): void;
}

export function watchInterrupts(onFirst: () => void, onSecond: () => void): InterruptWatch {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) onFirst();
    else onSecond();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    requested: () => count > 0,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
