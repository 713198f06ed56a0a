/**
 * The pipelines document (`pipelines.json` next to `graph.json`, docs/pipeline-format.md):
 * what synth makes of the app's Pipeline constructs. `hoist synth` renders it as CI
 * configuration and `hoist pipeline run` carries it out; both read only this document, so a
 * workflow in CI and a run on a laptop do the same steps. It is kept apart from the graph so
 * that a change to a pipeline never changes the graph's hash (and never makes a saved plan
 * stale). No secret value is ever in it: secrets appear as the names CI gives them.
 */

import type { SecretOrigin } from './graph-document';

/** The pipelines document's version; readers reject another major. */
export const PIPELINE_FORMAT_VERSION = '1.0';

/** The pipelines document's file name inside the output directory. */
export const PIPELINES_FILE = 'pipelines.json';

export interface PipelinesDocument {
  readonly formatVersion: string;
  /** Sorted by name. */
  readonly pipelines: PipelineSpec[];
}

/** What starts a pipeline. */
export type TriggerName = 'pull_request' | 'push' | 'schedule' | 'manual';

/** The order triggers are listed in (documents, CI files, messages), whatever the program's order. */
export const TRIGGER_ORDER: readonly TriggerName[] = ['pull_request', 'push', 'schedule', 'manual'];

/** A CI system a pipeline is written for. */
export type CiSystemName = 'github' | 'gitlab';

export interface PipelineSpec {
  /** Unique in the app; the workflow's file name (`.github/workflows/<name>.yml`). */
  readonly name: string;
  /** Construct path. */
  readonly path: string;
  readonly triggers: TriggerSpec[];
  readonly ci: CiSystemName[];
  /** Node.js major version CI installs. */
  readonly nodeVersion: string;
  /** The project directory (where hoist.json is), relative to the repository root; `.` for the root. */
  readonly workingDirectory: string;
  /** Where the run's saved plans and their Markdown go, relative to the project directory (`<outdir>/pipeline/<name>`); CI keeps it as an artifact between stages. */
  readonly artifactDirectory: string;
  /** What CI needs to reach the hosts. */
  readonly access: CiAccess;
  /** In run order (every stage after the stages it needs). */
  readonly stages: StageSpec[];
}

export interface TriggerSpec {
  readonly type: TriggerName;
  /** pull_request: target branches; push: pushed branches; empty: any branch. */
  readonly branches: string[];
  /** schedule: a five-field cron expression (UTC). */
  readonly cron: string | null;
}

/** The CI secret names a pipeline's jobs read, never their values. */
export interface CiAccess {
  /** The SSH private key for the hosts, loaded into an ssh-agent (never written to disk). */
  readonly sshKeySecret: string;
  /** known_hosts lines for the hosts without a pinned fingerprint; null when every host pins one. */
  readonly knownHostsSecret: string | null;
  /** The key of secret fingerprints (HOIST_FINGERPRINT_KEY): the same as on the machines that deployed before. */
  readonly fingerprintKeySecret: string;
  /** Every secret the pipeline's steps read, sorted by environment variable. */
  readonly secrets: CiSecret[];
}

/** A secret a job reads from the CI system into an environment variable. */
export interface CiSecret {
  /** The environment variable Hoist reads (the Secret's `fromEnv`). */
  readonly env: string;
  /** The CI secret's name (the same as `env`). */
  readonly ciName: string;
  /** Construct paths of the Secrets read from it. */
  readonly secrets: string[];
}

export interface StageSpec {
  readonly name: string;
  readonly path: string;
  /** Names of the stages that must succeed first. */
  readonly needs: string[];
  /** The triggers it runs on. */
  readonly on: TriggerName[];
  /** In order. */
  readonly steps: StepSpec[];
  /** A person must approve before this stage (an apply step with an approval). */
  readonly approval: string | null;
}

export type StepSpec = BuildStepSpec | RunStepSpec | LintStepSpec | PlanStepSpec | ApplyStepSpec | DriftStepSpec | ShellStepSpec;

interface StepBase {
  /** Unique in its stage. */
  readonly name: string;
  readonly path: string;
}

/** Builds the stack's images on their builders (`hoist build`). */
export interface BuildStepSpec extends StepBase {
  readonly type: 'build';
  readonly stack: string;
}

/** Runs a command in a container of an image, on a host's engine, until it exits. */
export interface RunStepSpec extends StepBase {
  readonly type: 'run';
  readonly stack: string;
  /** The host whose engine runs it: the image's builder, or the one named. */
  readonly host: string;
  readonly image: { readonly reference: string; readonly resource: string | null };
  readonly command: string[] | null;
  readonly environment: Record<string, string>;
  /**
   * Secrets given as environment variables: the variable in the container, the Secret's key
   * and where its value is read from when the step runs (a Secret no service uses is not in
   * the graph, so its origin travels here; never its value).
   */
  readonly secrets: { readonly env: string; readonly secret: string; readonly origin: SecretOrigin }[];
  readonly timeoutSeconds: number;
}

/** Lints the stack (`hoist lint`). */
export interface LintStepSpec extends StepBase {
  readonly type: 'lint';
  readonly stack: string;
}

/** Plans the stack and saves the plan for the apply step that names it. */
export interface PlanStepSpec extends StepBase {
  readonly type: 'plan';
  readonly stack: string;
  /** Where the saved plan goes, relative to the project directory (`<artifactDirectory>/<stage>-<step>.plan.json`). */
  readonly planFile: string;
  /** The plan's Markdown, the review text (`<artifactDirectory>/<stage>-<step>.plan.md`). */
  readonly markdownFile: string;
}

/** Applies the saved plan of a plan step of the same run, exactly as reviewed. */
export interface ApplyStepSpec extends StepBase {
  readonly type: 'apply';
  readonly stack: string;
  /** `<stage>/<step>` of the plan step. */
  readonly plan: string;
  readonly planFile: string;
  /** The environment a person approves (GitHub environment, GitLab manual job); null: none. */
  readonly approval: string | null;
}

/** Plans the stack and fails when the hosts differ from the graph. */
export interface DriftStepSpec extends StepBase {
  readonly type: 'drift';
  readonly stack: string;
}

/** Runs a command on the machine running the pipeline (argv, no shell unless the command is one). */
export interface ShellStepSpec extends StepBase {
  readonly type: 'shell';
  readonly command: string[];
  readonly environment: Record<string, string>;
}
