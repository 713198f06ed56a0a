import type { EngineDriver } from '../../drivers/engine-driver';

/**
 * How long a started container must keep running, without restarting, to count as ready when
 * it has no health check. A container that cannot start (a missing file, a bad flag) exits
 * within milliseconds, and one its restart policy brings back shows a new start time and
 * restart count, so a second is enough to catch it; what else a program needs before it
 * serves is what a health check is for. Every start-first batch waits this long.
 */
export const READINESS_DELAY_MS = 1000;

/**
 * Waits until a container is ready: healthy when it (or its image) defines a health check,
 * otherwise still running after a short readiness delay. Fails with its last log lines and
 * health output when it exits, turns unhealthy past its retries, or the timeout passes.
 */
export async function waitReady(engine: EngineDriver, id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const started = Date.now();
  let firstRun: string | undefined;
  for (;;) {
    const inspect = await engine.inspectContainer(id);
    const state = inspect.State;
    // Podman reports an empty Health block for containers without a health check.
    const test = inspect.Config.Healthcheck?.Test;
    const checked = Boolean(test && test.length > 0 && test[0] !== 'NONE');
    if (state.Status === 'exited' || state.Status === 'dead') {
      throw new Error(`container ${inspect.Name.replace(/^\//, '')} exited with code ${state.ExitCode}${await lastLogs(engine, id)}`);
    }
    // Exited and brought back by its restart policy between two reads: it did not keep running.
    const run = `${String(state.StartedAt)} ${String(inspect.RestartCount)}`;
    firstRun ??= run;
    if (!checked && run !== firstRun) {
      throw new Error(`container ${inspect.Name.replace(/^\//, '')} exited and was restarted (restart count ${String(inspect.RestartCount)}) within ${READINESS_DELAY_MS / 1000}s of its start${await lastLogs(engine, id)}`);
    }
    if (checked) {
      if (state.Health?.Status === 'healthy') return;
      // Where the engine does not run health checks by itself, run one now.
      if (state.Status === 'running') await engine.runHealthCheck(id);
    } else if (state.Status === 'running' && Date.now() - started >= READINESS_DELAY_MS) {
      return;
    }
    if (Date.now() > deadline) {
      const health = state.Health?.Log?.slice(-1)[0]?.Output?.trim();
      throw new Error(`container ${inspect.Name.replace(/^\//, '')} was not ${checked ? 'healthy' : 'running'} within ${Math.round(timeoutMs / 1000)}s` +
        `${health ? `; last health check said: ${health}` : ''}${await lastLogs(engine, id)}`);
    }
    // Without a health check there is nothing to learn before the readiness delay is over, and
    // a hundred containers polled four times a second load a small host's engine noticeably.
    const wait = checked ? 250 : Math.max(250, started + READINESS_DELAY_MS - Date.now());
    await new Promise((r) => setTimeout(r, wait));
  }
}

async function lastLogs(engine: EngineDriver, id: string): Promise<string> {
  try {
    const text = (await engine.readLogs(id, { tail: 10 })).text.trimEnd();
    return text ? `; last log lines:\n${text.split('\n').map((l) => `    ${l}`).join('\n')}` : '';
  } catch {
    return '';
  }
}

/**
 * Waits until a run-to-completion container (one others wait on with the `completed`
 * condition) has exited with code 0; any other exit, or the timeout, fails with its logs.
 */
export async function waitCompleted(engine: EngineDriver, id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inspect = await engine.inspectContainer(id);
    const state = inspect.State;
    if (state.Status === 'exited' || state.Status === 'dead') {
      if (state.ExitCode === 0) return;
      throw new Error(`container ${inspect.Name.replace(/^\//, '')} exited with code ${state.ExitCode}${await lastLogs(engine, id)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`container ${inspect.Name.replace(/^\//, '')} did not complete within ${Math.round(timeoutMs / 1000)}s${await lastLogs(engine, id)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
