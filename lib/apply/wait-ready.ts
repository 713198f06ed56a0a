import type Docker from 'dockerode';
import { readContainerLogs } from '../engine/container-logs';

/** How long a started container must keep running to count as ready when it has no health check. */
export const READINESS_DELAY_MS = 2000;

/**
 * Waits until a container is ready: healthy when it (or its image) defines a health check,
 * otherwise still running after a short readiness delay. Fails with its last log lines and
 * health output when it exits, turns unhealthy past its retries, or the timeout passes.
 */
export async function waitReady(docker: Docker, id: string, timeoutMs: number, engine: 'docker' | 'podman' = 'docker'): Promise<void> {
  const container = docker.getContainer(id);
  const deadline = Date.now() + timeoutMs;
  const started = Date.now();
  for (;;) {
    const inspect = await container.inspect();
    const state = inspect.State as { Status: string; ExitCode: number; Health?: { Status: string; Log?: { Output: string }[] } };
    // Podman reports an empty Health block for containers without a health check.
    const test = (inspect.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck?.Test;
    const checked = Boolean(test && test.length > 0 && test[0] !== 'NONE');
    if (state.Status === 'exited' || state.Status === 'dead') {
      throw new Error(`container ${inspect.Name.replace(/^\//, '')} exited with code ${state.ExitCode}${await lastLogs(container)}`);
    }
    if (checked) {
      if (state.Health?.Status === 'healthy') return;
      // Podman runs health checks from systemd timers; without systemd (containers, CI
      // runners, the sandbox) nothing runs them, so ask Podman to run one now.
      if (engine === 'podman' && state.Status === 'running') await runPodmanHealthcheck(docker, id);
    } else if (state.Status === 'running' && Date.now() - started >= READINESS_DELAY_MS) {
      return;
    }
    if (Date.now() > deadline) {
      const health = state.Health?.Log?.slice(-1)[0]?.Output?.trim();
      throw new Error(`container ${inspect.Name.replace(/^\//, '')} was not ${checked ? 'healthy' : 'running'} within ${Math.round(timeoutMs / 1000)}s` +
        `${health ? `; last health check said: ${health}` : ''}${await lastLogs(container)}`);
    }
    // Without a health check there is nothing to learn before the readiness delay is over, and
    // a hundred containers polled four times a second load a small host's engine noticeably.
    const wait = checked ? 250 : Math.max(250, started + READINESS_DELAY_MS - Date.now());
    await new Promise((r) => setTimeout(r, wait));
  }
}

async function lastLogs(container: Docker.Container): Promise<string> {
  try {
    const text = (await readContainerLogs(container, { tail: 10 })).text.trimEnd();
    return text ? `; last log lines:\n${text.split('\n').map((l) => `    ${l}`).join('\n')}` : '';
  } catch {
    return '';
  }
}

/** Runs a container's health check once through Podman's own API (GET /libpod/containers/ID/healthcheck). */
async function runPodmanHealthcheck(docker: Docker, id: string): Promise<void> {
  await new Promise<void>((resolve) => {
    // docker-modem prefixes the API version (/v1.41); Podman serves its own routes under it too.
    docker.modem.dial({ path: `/libpod/containers/${encodeURIComponent(id)}/healthcheck`, method: 'GET', statusCodes: { 200: true, 404: true, 409: true, 500: true } } as never, () => resolve());
  });
}

/**
 * Waits until a run-to-completion container (one others wait on with the `completed`
 * condition) has exited with code 0; any other exit, or the timeout, fails with its logs.
 */
export async function waitCompleted(docker: Docker, id: string, timeoutMs: number): Promise<void> {
  const container = docker.getContainer(id);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inspect = await container.inspect();
    const state = inspect.State as { Status: string; ExitCode: number };
    if (state.Status === 'exited' || state.Status === 'dead') {
      if (state.ExitCode === 0) return;
      throw new Error(`container ${inspect.Name.replace(/^\//, '')} exited with code ${state.ExitCode}${await lastLogs(container)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`container ${inspect.Name.replace(/^\//, '')} did not complete within ${Math.round(timeoutMs / 1000)}s${await lastLogs(container)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
