/** Thrown by `App.synth()` when the tree has problems; `problems` lists every one. */
export class ValidationError extends Error {
  public readonly problems: string[];

  constructor(problems: string[]) {
    super(`synth found ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` + problems.map((p) => `  - ${p}`).join('\n'));
    this.name = 'ValidationError';
    this.problems = problems;
  }
}
