/**
 * An error the CLI reports as one message and an exit code, without a stack trace: the
 * message already names the subject and the next step. Only the CLI entry turns it into a
 * process exit.
 */
export class CliError extends Error {
  public readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/**
 * Runs `work`; an error it throws is reported as a CliError with the same message: for steps
 * whose errors are problems of the user's input (a Dockerfile that is not there), not bugs
 * that deserve a stack trace.
 */
export function asInputProblem<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof CliError || !(error instanceof Error)) throw error;
    throw new CliError(error.message);
  }
}
