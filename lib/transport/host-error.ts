/** The distinct ways reaching a host can fail; each has its own message and next step. */
export type HostErrorKind =
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'auth'
  /** No algorithm of some handshake category is acceptable to both sides (a legacy-only server). */
  | 'algorithms'
  | 'unknown-host-key'
  | 'changed-host-key'
  | 'revoked-host-key'
  | 'key-file'
  | 'socket-missing'
  | 'socket-permission'
  | 'api-too-old'
  | 'engine'
  | 'connection-lost'
  /** The caller gave up on connecting (its signal fired) before the connection was ready. */
  | 'cancelled';

/**
 * An error reaching or using one host. The message names the host and says what to do next;
 * `kind` lets callers (and tests) tell the cases apart without parsing text.
 */
export class HostError extends Error {
  public readonly kind: HostErrorKind;
  public readonly host: string;
  /** Whether trying again soon may succeed (a reset connection, sshd refusing new sessions for a moment). */
  public readonly transient: boolean;

  constructor(host: string, kind: HostErrorKind, message: string, options: { transient?: boolean; cause?: unknown } = {}) {
    super(`host ${host}: ${message}`);
    this.name = 'HostError';
    this.host = host;
    this.kind = kind;
    this.transient = options.transient ?? false;
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}
