import { randomBytes } from 'node:crypto';
import type { EngineDriver } from '../drivers/engine-driver';
import { ignoreNotFound, isNotFound } from '../drivers/engine-error';
import { type HostOpener, openHost, type OpenHostOptions } from '../drivers/open-host';
import type { StackGraph } from '../graph/graph-document';
import type { RunStepSpec } from '../graph/pipeline-document';
import { readSecretValue } from '../secrets/read-secret-value';
import { Redactor } from '../values/redactor';

/** The label that marks a pipeline step's container (and says which step made it). */
export const PIPELINE_STEP_LABEL = 'hoist.pipeline-step';

/** Options for {@link runContainerStep}. */
export interface ContainerStepOptions extends OpenHostOptions {
  /** `<pipeline>/<stage>/<step>`: in the container's label and name. */
  readonly stepId: string;
  /** Each line the command printed, secret values masked. */
  readonly output: (line: string) => void;
  /** How a host is reached; SSH (or the local socket) by default. */
  readonly openHost?: HostOpener;
  /** Stops the command (the container is stopped and removed). */
  readonly signal?: AbortSignal;
}

/** How a container step ended. */
export interface ContainerStepResult {
  readonly exitCode: number;
  readonly timedOut: boolean;
}

/**
 * Runs a pipeline's RunStep: a container of the step's image on its host's engine, with its
 * environment and secrets, until it exits or times out; then its output, masked, and the
 * container removed whatever happened. A built image must already be on the host (the build
 * step of the same run puts it on its builder); a registry image is pulled when missing.
 */
export async function runContainerStep(step: RunStepSpec, stack: StackGraph, options: ContainerStepOptions): Promise<ContainerStepResult> {
  const spec = [...stack.hosts, ...(stack.builders ?? [])].find((h) => h.name === step.host);
  if (!spec) throw new Error(`${step.path}: host ${step.host} is not in the graph of stack ${stack.name}; synthesize again`);
  const redactor = new Redactor();
  const env = Object.entries(step.environment).map(([key, value]) => `${key}=${value}`);
  for (const { env: variable, secret, origin } of step.secrets) {
    const read = readSecretValue(origin, options.projectDir);
    if (!read.ok) throw new Error(`${step.path}: secret ${secret.slice('secret:'.length)}: ${read.reason}`);
    redactor.add([read.value]);
    env.push(`${variable}=${read.value.toString('utf8')}`);
  }
  const host = await (options.openHost ?? openHost)(spec, options);
  try {
    const engine = host.engine;
    await ensureImage(engine, step);
    const name = `hoist-step-${step.name}-${randomBytes(4).toString('hex')}`;
    await engine.createContainer(name, {
      Image: step.image.reference,
      ...(step.command ? { Cmd: step.command } : {}),
      Env: env,
      Labels: { 'hoist.managed-by': 'hoist', [PIPELINE_STEP_LABEL]: options.stepId },
      HostConfig: { AutoRemove: false },
    });
    try {
      await engine.startContainer(name);
      const timedOut = !(await waitForExit(engine, name, step.timeoutSeconds * 1000, options.signal));
      if (timedOut) await engine.stopContainer(name, 0).catch(ignoreNotFound);
      const logs = await engine.readLogs(name, { tail: 100_000, maxLines: 100_000 });
      for (const line of logs.text.replace(/\n$/, '').split('\n')) if (line) options.output(redactor.redact(line));
      if (logs.truncated) options.output('(output cut short: it was longer than Hoist reads back)');
      const { State: state } = await engine.inspectContainer(name);
      return { exitCode: timedOut ? 124 : state.ExitCode, timedOut };
    } finally {
      await engine.stopContainer(name, 0).catch(() => undefined);
      await engine.removeContainer(name).catch(ignoreNotFound);
    }
  } finally {
    host.close();
  }
}

async function ensureImage(engine: EngineDriver, step: RunStepSpec): Promise<void> {
  try {
    await engine.inspectImage(step.image.reference);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (step.image.resource) {
    throw new Error(`${step.path}: image ${step.image.reference} is not on ${step.host}; the stack's build step builds it there (run the stage that builds first)`);
  }
  await engine.pullImage(step.image.reference, undefined, `${step.path}: pull ${step.image.reference}`);
}

/** Waits until the container stops; false when the time ran out (or the run was stopped) first. */
async function waitForExit(engine: EngineDriver, name: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    const { State: state } = await engine.inspectContainer(name);
    if (!state.Running && state.Status !== 'created') return true;
    if (Date.now() >= deadline || signal?.aborted) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(delay * 2, 1000);
  }
}
