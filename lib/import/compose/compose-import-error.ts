/**
 * A Compose file that cannot be imported at all, as `docker compose` would refuse it too: not
 * YAML, a required variable without a value, a service without an image, a reference to a
 * volume nobody declared. Carries every problem found, each starting with `<file>:<line>:`.
 */
export class ComposeImportError extends Error {
  /** Each problem, with its file and line. */
  public readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ComposeImportError';
    this.problems = problems;
  }
}
