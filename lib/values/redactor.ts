/** What stands in for a secret value in any text Hoist shows or records. */
export const REDACTED = '[REDACTED]';

/**
 * The shortest secret value (or line of one) that is replaced. Shorter ones cannot be told
 * from ordinary text ("1", "ok"); they are a weak secret anyway, and docs/reliability.md says so.
 */
export const MIN_REDACTED_LENGTH = 4;

/**
 * Replaces every known secret value in text that came from a host (container logs, health
 * check output, engine errors, build output) before Hoist prints or records it: the value as
 * it is, each of its lines (log output is shown line by line, indented), and each of those
 * as JSON would escape them (for --json output and records).
 */
export class Redactor {
  private patterns: string[] = [];

  /** Adds secret values to redact from now on. */
  public add(values: Iterable<Buffer | string>): void {
    const found = new Set(this.patterns);
    for (const value of values) {
      const text = typeof value === 'string' ? value : value.toString('utf8');
      const pieces = [text, text.trim(), ...text.split(/\r?\n/).map((l) => l.trim())];
      for (const piece of pieces) {
        if (piece.length < MIN_REDACTED_LENGTH) continue;
        found.add(piece);
        const escaped = JSON.stringify(piece).slice(1, -1);
        if (escaped !== piece) found.add(escaped);
      }
    }
    // Longest first, so a value is replaced whole before any line of it.
    this.patterns = [...found].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  }

  /** The text with every known secret value replaced by {@link REDACTED}. */
  public redact(text: string): string {
    let result = text;
    for (const pattern of this.patterns) if (result.includes(pattern)) result = result.split(pattern).join(REDACTED);
    return result;
  }

  /**
   * The same error with known secret values taken out of its message: the error itself when
   * there is nothing to take out, else `rebuild(error, message)` (by default a plain Error),
   * so callers keep their error's class and fields.
   */
  public redactError(error: unknown, rebuild: (error: Error, message: string) => Error = (_error, message) => new Error(message)): unknown {
    if (this.empty || !(error instanceof Error)) return error;
    const message = this.redact(error.message);
    return message === error.message ? error : rebuild(error, message);
  }

  /** Whether any value is known (nothing to do otherwise). */
  public get empty(): boolean {
    return this.patterns.length === 0;
  }
}
