import { CliError } from './cli-error';

/** A whole number of 1 or more from a command-line flag, or an error naming the flag. */
export function positiveIntegerFlag(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new CliError(`${flag} ${value}: must be a whole number of 1 or more`);
  return n;
}
