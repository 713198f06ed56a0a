import { DeployError } from '../deploy/deploy-error';
import { CliError } from './cli-error';
import { INTERRUPTED_EXIT_CODE } from './interrupts';

/** The exit code of a failed deploy call: 130 when the user stopped it (as shells report Ctrl-C), else 1. */
export function exitCodeOf(error: DeployError): number {
  return error.reason === 'interrupted' ? INTERRUPTED_EXIT_CODE : 1;
}

/** A DeployError as the CLI reports it (its message, and its exit code); any other error as it is. */
export function cliErrorOf(error: unknown): unknown {
  return DeployError.isDeployError(error) ? new CliError(error.message, exitCodeOf(error)) : error;
}
