import type { Redactor } from '../values/redactor';
import { CliError } from './cli-error';
import type { CliIo } from './cli-io';

/** A CliIo that passes every line through the redactor first: the CLI's last word on secrets. */
export function redactingIo(io: CliIo, redactor: Redactor): CliIo {
  return {
    out: (line) => io.out(redactor.redact(line)),
    err: (line) => io.err(redactor.redact(line)),
  };
}

/** The same error with known secret values taken out of its message (it is printed by main). */
export function redactedError(error: unknown, redactor: Redactor): unknown {
  return redactor.redactError(error, (e, message) => (e instanceof CliError ? new CliError(message, e.exitCode) : new Error(message)));
}
