import type { Host } from '../core/host';
import type { FingerprintKey } from '../secrets/secret-fingerprint';
import type { Problems } from './problems';

/** What synthesizing one stack needs from the app; every phase reads it. */
export interface StackSynthContext {
  readonly projectDir: string;
  /** Where every phase reports problems; a phase's result is only used when there are none. */
  readonly problems: Problems;
  /** Hosts defined outside every stack, usable by all. */
  readonly sharedHosts: Host[];
  /** Loaded only when a secret needs it. */
  fingerprintKey(): FingerprintKey;
}
