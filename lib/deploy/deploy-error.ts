/**
 * Why a deployment call failed.
 *
 * - `invalid`: an option, the source or a saved plan was refused before any host was contacted
 * - `unreachable`: a host could not be reached or read
 * - `lock`: another run holds a lock (past `lockTimeoutMs`), or a lock could not be taken
 * - `conflict`: the plan has conflicts with objects Hoist does not own
 * - `stale-plan`: a saved plan's hosts changed since it was made
 * - `blocked`: this version cannot carry out the plan (unsupported actions, lint errors, an image gone)
 * - `secrets`: secrets cannot be delivered
 * - `cancelled`: `confirm` answered no
 * - `interrupted`: the `signal` was aborted (before any change, or during the run)
 * - `lock-lost`: a lock was lost while held (before any change, or during the run)
 * - `failed`: some action failed
 * - `unverified`: the change ran, but a host did not answer afterwards, so it could not be checked
 * - `inconsistent`: the change ran, but the hosts still differ from the graph
 */
export type DeployFailureReason =
  | 'invalid'
  | 'unreachable'
  | 'lock'
  | 'conflict'
  | 'stale-plan'
  | 'blocked'
  | 'secrets'
  | 'cancelled'
  | 'interrupted'
  | 'lock-lost'
  | 'failed'
  | 'unverified'
  | 'inconsistent';

const DEPLOY_ERROR = Symbol.for('hoist.DeployError');

/**
 * A deployment call that did not complete. The message names the subject and the next step,
 * exactly as the `hoist` command prints it; known secret values never appear in it.
 */
export class DeployError extends Error {
  /** Whether `x` is a DeployError (also one from another copy of Hoist). */
  public static isDeployError(x: unknown): x is DeployError {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[DEPLOY_ERROR] === true;
  }

  /** Why the call failed. */
  public readonly reason: DeployFailureReason;
  /** True when the call stopped before changing anything on any host. */
  public readonly nothingChanged: boolean;

  /** A failure of `reason`; `message` names the subject and the next step. */
  constructor(reason: DeployFailureReason, message: string, options: { readonly nothingChanged: boolean }) {
    super(message);
    this.name = 'DeployError';
    this.reason = reason;
    this.nothingChanged = options.nothingChanged;
    Object.defineProperty(this, DEPLOY_ERROR, { value: true });
  }
}
