import type { HealthCheck } from '../core/health-check';
import type { HealthCheckSpec } from '../graph/graph-document';
import { definedOnly } from '../values/defined-only';
import { parseDuration } from '../values/duration';

const DEFAULTS = { interval: '10s', timeout: '5s', retries: 3, startPeriod: '0s' };
const HTTP_PATH = /^\/[A-Za-z0-9._~!$&()*+,;=:@%/?-]*$/;

/** The engine form of a health check, or the problems (field-relative) that prevent it. */
export function renderHealthCheck(check: HealthCheck): { spec: HealthCheckSpec | null; problems: string[] } {
  const problems: string[] = [];
  const probe = check._probe;
  if (probe.kind === 'none') {
    return { spec: { test: ['NONE'], intervalMs: 0, timeoutMs: 0, retries: 0, startPeriodMs: 0 }, problems };
  }
  let test: string[] = [];
  switch (probe.kind) {
    case 'command':
      if (!Array.isArray(probe.argv) || probe.argv.length === 0 || probe.argv.some((a) => typeof a !== 'string')) {
        problems.push('command: expected a non-empty list of strings');
      }
      test = ['CMD', ...(probe.argv ?? [])];
      break;
    case 'shell':
      if (typeof probe.script !== 'string' || !probe.script.trim()) problems.push('shell: expected a non-empty script');
      test = ['CMD-SHELL', probe.script];
      break;
    case 'http':
      checkPort(probe.port, problems);
      // The path goes inside single quotes in a shell command, so it may not hold one.
      if (!HTTP_PATH.test(probe.path)) problems.push(`path: ${JSON.stringify(probe.path)} is not a URL path (starts with "/", no spaces or quotes)`);
      {
        const url = `http://127.0.0.1:${probe.port}${probe.path}`;
        test = ['CMD-SHELL', `wget -q -O /dev/null '${url}' || curl -fsS -o /dev/null '${url}'`];
      }
      break;
    case 'tcp':
      checkPort(probe.port, problems);
      // busybox nc has no -z; connecting with stdin closed works with busybox, OpenBSD and traditional nc.
      test = ['CMD-SHELL', `nc -w 2 127.0.0.1 ${probe.port} </dev/null`];
      break;
  }
  const options = { ...DEFAULTS, ...definedOnly(check._options) };
  const ms = (key: 'interval' | 'timeout' | 'startPeriod'): number => {
    const parsed = parseDuration(String(options[key]));
    if (!parsed.ok) {
      problems.push(`${key}: ${parsed.reason}`);
      return -1;
    }
    return parsed.ms;
  };
  const spec: HealthCheckSpec = {
    test,
    intervalMs: ms('interval'),
    timeoutMs: ms('timeout'),
    retries: options.retries,
    startPeriodMs: ms('startPeriod'),
  };
  if (!Number.isInteger(options.retries) || options.retries < 0) {
    problems.push(`retries: ${options.retries} is not a whole number of retries (0 or more)`);
  }
  // The engines read 0 as "inherit the image's value", which is never what was written.
  if (spec.intervalMs === 0) problems.push('interval: must be more than 0');
  if (spec.timeoutMs === 0) problems.push('timeout: must be more than 0');
  return { spec, problems };
}

function checkPort(port: number, problems: string[]): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(`port: ${port} is not a port (1-65535)`);
  }
}
