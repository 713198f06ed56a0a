import { parseDuration } from '../../values/duration';
import type { ComposeHealthCheck } from './compose-model';
import type { ComposeReader, FindingOwner } from './compose-reader';
import { asBoolean, asInteger, asStringList, asText, isRecord } from './compose-values';
import type { KeyPath } from './read-compose';

/**
 * A service's `healthcheck`: a test as a string (run by the shell) or a list (`CMD`,
 * `CMD-SHELL`, `NONE`), `disable`, and the timing; timing without a test is reported.
 */
export function normalizeHealthCheck(r: ComposeReader, value: unknown, at: KeyPath, owner: FindingOwner): ComposeHealthCheck | undefined {
  if (!isRecord(value)) {
    r.error(at, 'expected a mapping');
    return undefined;
  }
  r.otherKeys(value, at, ['test', 'interval', 'timeout', 'retries', 'start_period', 'disable'], {
    start_interval: 'Hoist\'s health checks have no separate interval during the start period',
  }, owner);
  const where = r.where(at);
  if (asBoolean(value.disable) === true) return { where, test: { kind: 'none' } };
  if (value.test === undefined) {
    // `disable: false` alone keeps the image's health check, as leaving healthcheck out does.
    if (Object.keys(value).every((k) => k === 'disable' || k.startsWith('x-'))) return undefined;
    r.skip(at, 'timing without a test would change the image\'s own health check, which Hoist can only keep or replace', owner);
    return undefined;
  }
  let test: ComposeHealthCheck['test'];
  if (typeof value.test === 'string') {
    test = { kind: 'shell', script: value.test };
  } else {
    const list = asStringList(value.test);
    if (list === undefined || list.length === 0) {
      r.error([...at, 'test'], 'expected a string or a list starting with CMD, CMD-SHELL or NONE');
      return undefined;
    }
    if (list[0] === 'NONE') test = { kind: 'none' };
    else if (list[0] === 'CMD' && list.length > 1) test = { kind: 'command', argv: list.slice(1) };
    else if (list[0] === 'CMD-SHELL' && list.length > 1) test = { kind: 'shell', script: list.slice(1).join(' ') };
    else {
      r.error([...at, 'test'], 'a test list starts with "CMD", "CMD-SHELL" or "NONE", followed by the command');
      return undefined;
    }
  }
  const duration = (k: string): string | undefined => {
    if (value[k] === undefined) return undefined;
    const text = asText(value[k]);
    const parsed = text === undefined ? undefined : parseDuration(text);
    if (parsed?.ok && parsed.ms > 0) return text;
    r.skip([...at, k], `${JSON.stringify(value[k])} is not a duration Hoist reads (e.g. "30s", "1m30s"); the default is used`, owner);
    return undefined;
  };
  let retries: number | undefined;
  if (value.retries !== undefined) {
    retries = asInteger(value.retries);
    if (retries === undefined || retries < 0) r.error([...at, 'retries'], 'expected a whole number');
  }
  return { where, test, interval: duration('interval'), timeout: duration('timeout'), retries, startPeriod: duration('start_period') };
}
