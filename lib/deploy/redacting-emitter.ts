import type { Redactor } from '../values/redactor';
import { DeployError } from './deploy-error';
import type { DeployEvent, DeployEventListener } from './deploy-events';

/**
 * An emitter that takes every known secret value out of an event's text before the listener
 * sees it: the library's last word on secrets, for the CLI and every other caller alike.
 */
export function redactingEmitter(listener: DeployEventListener | undefined, redactor: Redactor): (event: DeployEvent) => void {
  if (!listener) return () => undefined;
  return (event) => listener(redactor.empty ? event : (redactDeep(event, redactor) as DeployEvent));
}

function redactDeep(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redactor));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redactor)]));
  }
  return value;
}

/** The same error with known secret values taken out of its message. */
export function redactError(error: unknown, redactor: Redactor): unknown {
  return redactor.redactError(error, (e, message) => (DeployError.isDeployError(e) ? new DeployError(e.reason, message, { nothingChanged: e.nothingChanged }) : new Error(message)));
}

/**
 * Runs a deploy call with a redactor of its own: every secret value the call reads is added
 * to it, and from then on neither its events nor its error can show the value.
 */
export async function withRedaction<T>(listener: DeployEventListener | undefined, work: (emit: (event: DeployEvent) => void, redactor: Redactor) => Promise<T>): Promise<T> {
  const { Redactor: RedactorClass } = require('../values/redactor') as typeof import('../values/redactor');
  const redactor = new RedactorClass();
  try {
    return await work(redactingEmitter(listener, redactor), redactor);
  } catch (error) {
    throw redactError(error, redactor);
  }
}
