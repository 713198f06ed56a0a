import type { Host } from '../host';
import type { Image } from '../image';
import type { Secret } from '../secret';
import type { Stack } from '../stack';
import type { PipelineStage } from './pipeline-stage';
import { PipelineStep } from './pipeline-step';

/** Options for a {@link RunStep}. */
export interface RunStepProps {
  /** The stack whose image (or host) the step uses. */
  readonly stack: Stack;

  /**
   * The image: one a service of the stack uses (a built one runs as the build step of the same
   * run built it), or a registry image.
   */
  readonly image: Image;

  /**
   * The command (argv, no shell).
   *
   * @default - the image's default command
   */
  readonly command?: string[];

  /**
   * Environment variables.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;

  /**
   * Secrets of the stack given as environment variables: variable name -> Secret.
   *
   * @default - none
   */
  readonly secrets?: Record<string, Secret>;

  /**
   * The host whose engine runs the container.
   *
   * @default - the image's builder for a built image; required for a registry image
   */
  readonly host?: Host;

  /**
   * The longest the command may run.
   *
   * @default "10m"
   */
  readonly timeout?: string;
}

/**
 * Runs a command in a container (unit tests in the app's image, a migration) on a host's
 * engine, until it exits; a non-zero exit fails the step. Its output is shown with secret
 * values masked; the container is removed afterwards.
 */
export class RunStep extends PipelineStep {
  /** @internal */
  public readonly _props: RunStepProps;

  constructor(scope: PipelineStage, id: string, props: RunStepProps) {
    super(scope, id, 'run');
    this._props = props;
  }
}
