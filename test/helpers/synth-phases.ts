import type { App } from '../../lib';
import { Host, Stack } from '../../lib';
import { fingerprintKeyOf } from '../../lib/secrets/secret-fingerprint';
import { buildModel, type StackModel } from '../../lib/synth/build-model';
import { placeServices, type PlacedService } from '../../lib/synth/place-services';
import { Problems } from '../../lib/synth/problems';
import { readSecrets } from '../../lib/synth/read-secrets';
import type { StackSynthContext } from '../../lib/synth/stack-synth-context';
import { validateProps, type ValidatedStack } from '../../lib/synth/validate-props';

/** A context for one stack's phases, with a fixed fingerprint key and the app's shared hosts. */
export function phaseContext(app: App, projectDir = app.projectDir): StackSynthContext {
  return {
    projectDir,
    problems: new Problems(),
    sharedHosts: app.node.findAll().filter((c): c is Host => Host.isHost(c) && !Stack.tryOf(c)),
    fingerprintKey: () => fingerprintKeyOf('phase-test-key'),
  };
}

/** The phases up to `until`, run on one stack the way synthStack runs them. */
export function runPhases(stack: Stack, ctx: StackSynthContext): { validated: ValidatedStack; model: StackModel; placed: PlacedService[] } {
  const validated = validateProps(stack, ctx);
  const model = buildModel(validated, readSecrets(validated, ctx), ctx);
  return { validated, model, placed: placeServices(model, ctx.problems) };
}
