import { Construct } from 'constructs';
import { brand, hasBrand } from '../private/brand';
import { PipelineStage, StageProps } from './pipeline-stage';
import { Trigger } from './trigger';

const PIPELINE_SYMBOL = Symbol.for('hoist.Pipeline');

/** A CI system a {@link Pipeline} is written for by `hoist synth`. */
export enum CiSystem {
  /** GitHub Actions: `.github/workflows/<pipeline name>.yml`. */
  GITHUB_ACTIONS = 'github',
  /** GitLab CI/CD: `.gitlab-ci.yml` (one file for every pipeline). */
  GITLAB_CI = 'gitlab',
}

/** Options for a {@link Pipeline}. */
export interface PipelineProps {
  /** What starts the pipeline: at least one. */
  readonly triggers: Trigger[];

  /**
   * Name of the pipeline: the workflow's file name and its `hoist pipeline run` name.
   *
   * @default - the construct id
   */
  readonly pipelineName?: string;

  /**
   * The CI systems `hoist synth` writes the pipeline for.
   *
   * @default [CiSystem.GITHUB_ACTIONS]
   */
  readonly ci?: CiSystem[];

  /**
   * Node.js major version the CI jobs install.
   *
   * @default "20"
   */
  readonly nodeVersion?: string;

  /**
   * The project directory (where hoist.json is) relative to the repository root, where CI
   * runs Hoist; CI files are written at the repository root.
   *
   * @default "."
   */
  readonly workingDirectory?: string;

  /**
   * Name of the CI secret holding the SSH private key for the hosts. CI loads it into an
   * ssh-agent, never into a file, so hosts should leave `identityFile` unset (the agent is
   * then used).
   *
   * @default "HOIST_SSH_PRIVATE_KEY"
   */
  readonly sshKeySecret?: string;

  /**
   * Name of the CI secret holding known_hosts lines for hosts that do not pin a host key
   * fingerprint. Not used when every host pins one.
   *
   * @default "HOIST_SSH_KNOWN_HOSTS"
   */
  readonly knownHostsSecret?: string;

  /**
   * Name of the CI secret holding the key of secret fingerprints (the content of the
   * project's fingerprint key file): CI must fingerprint secrets with the same key as the
   * machines that deployed before, or every container would look changed.
   *
   * @default "HOIST_FINGERPRINT_KEY"
   */
  readonly fingerprintKeySecret?: string;
}

/**
 * A delivery pipeline for the app's stacks: ordered stages of typed steps (build images,
 * run tests in a container, lint, plan, apply the reviewed plan behind an approval, check
 * for drift, run a command). `hoist synth` writes it as CI configuration (GitHub Actions,
 * GitLab CI) and `hoist pipeline run` runs the same steps on this machine.
 *
 * @example
 * const pipeline = new Pipeline(app, 'delivery', {
 *   triggers: [Trigger.pullRequest(), Trigger.push(), Trigger.schedule('0 3 * * *')],
 * });
 * const checks = pipeline.addStage('checks', { on: [TriggerType.PULL_REQUEST, TriggerType.PUSH] });
 * new BuildStep(checks, 'build', { stack });
 * const review = pipeline.addStage('review', { on: [TriggerType.PULL_REQUEST, TriggerType.PUSH] });
 * const plan = new PlanStep(review, 'plan', { stack });
 * const deploy = pipeline.addStage('deploy', { on: [TriggerType.PUSH] });
 * new ApplyStep(deploy, 'apply', { plan, approval: 'production' });
 */
export class Pipeline extends Construct {
  /** Whether `x` is a Pipeline, also across duplicate copies of this library. */
  public static isPipeline(x: any): x is Pipeline {
    return hasBrand(x, PIPELINE_SYMBOL);
  }

  /** Name of the pipeline. */
  public readonly pipelineName: string;

  /** @internal */
  public readonly _props: PipelineProps;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    brand(this, PIPELINE_SYMBOL);
    this._props = props;
    this.pipelineName = props.pipelineName ?? id;
  }

  /**
   * Adds a stage. Stages run in the order they are added (each after the previous one)
   * unless `needs` says otherwise.
   */
  public addStage(id: string, props: StageProps = {}): PipelineStage {
    return new PipelineStage(this, id, props);
  }

  /** The stages, in the order they were added. */
  public get stages(): PipelineStage[] {
    return this.node.children.filter(PipelineStage.isPipelineStage);
  }
}
