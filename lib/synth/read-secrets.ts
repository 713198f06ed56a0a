import type { Secret } from '../core/secret';
import type { SecretOrigin } from '../graph/graph-document';
import { readSecretValue } from '../secrets/read-secret-value';
import { fingerprintSecret } from '../secrets/secret-fingerprint';
import type { StackSynthContext } from './stack-synth-context';
import type { ValidatedStack } from './validate-props';

/** What synth keeps of a secret: its fingerprint and origin, never its value. */
export interface KnownSecret {
  readonly fingerprint: string;
  readonly origin: SecretOrigin;
}

/**
 * Synth's secrets phase, the only one that runs anything: reads each valid secret's value
 * (an environment variable, a file, or its command's output) to fingerprint it, so that a
 * changed value replaces the containers using it. The value is dropped at once. A secret that
 * cannot be read is a problem on it (never showing the command's output) and is left out.
 */
export function readSecrets(validated: ValidatedStack, ctx: StackSynthContext): Map<Secret, KnownSecret> {
  const known = new Map<Secret, KnownSecret>();
  for (const { secret, origin } of validated.secrets) {
    const value = readSecretValue(origin, ctx.projectDir);
    if (!value.ok) {
      ctx.problems.add(secret.node.path, `missing secret: ${value.reason}`);
      continue;
    }
    known.set(secret, { fingerprint: fingerprintSecret(ctx.fingerprintKey(), validated.stackName, secret.secretName, value.value), origin });
  }
  return known;
}
