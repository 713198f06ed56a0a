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
