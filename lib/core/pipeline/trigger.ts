/** What starts a pipeline, or one of its stages. */
export enum TriggerType {
  /** A pull request (GitHub) or merge request (GitLab) is opened or updated. */
  PULL_REQUEST = 'pull_request',
  /** Commits are pushed to a branch. */
  PUSH = 'push',
  /** A schedule (cron, UTC). */
  SCHEDULE = 'schedule',
  /** A person starts it by hand (GitHub workflow_dispatch, GitLab "Run pipeline"). */
  MANUAL = 'manual',
}

/** Branches a pull-request or push trigger applies to. */
export interface BranchFilterOptions {
  /**
   * Branch names: for a pull request the branches it targets, for a push the branches pushed to.
   *
   * @default - pull requests: any branch; pushes: ["main"]
   */
  readonly branches?: string[];
}

/**
 * One way a {@link Pipeline} starts. A pipeline has one or more; each stage says which of
 * them it runs on.
 *
 * @example
 * Trigger.pullRequest({ branches: ['main'] });
 * Trigger.push();                       // pushes to main
 * Trigger.schedule('0 3 * * *');        // every night at 03:00 UTC
 * Trigger.manual();
 */
export class Trigger {
  /** When a pull request (merge request) is opened or updated. */
  public static pullRequest(options: BranchFilterOptions = {}): Trigger {
    return new Trigger(TriggerType.PULL_REQUEST, options.branches ?? [], undefined);
  }

  /** When commits are pushed to one of the branches. */
  public static push(options: BranchFilterOptions = {}): Trigger {
    return new Trigger(TriggerType.PUSH, options.branches ?? ['main'], undefined);
  }

  /**
   * On a schedule: a five-field cron expression in UTC (minute hour day-of-month month
   * day-of-week), such as `0 3 * * *`.
   */
  public static schedule(cron: string): Trigger {
    return new Trigger(TriggerType.SCHEDULE, [], cron);
  }

  /** When a person starts the pipeline by hand. */
  public static manual(): Trigger {
    return new Trigger(TriggerType.MANUAL, [], undefined);
  }

  /** What starts it. */
  public readonly triggerType: TriggerType;

  /** Branches (pull requests and pushes); empty means any. */
  public readonly branches: string[];

  /** The cron expression of a schedule. */
  public readonly cron?: string;

  private constructor(type: TriggerType, branches: string[], cron: string | undefined) {
    this.triggerType = type;
    this.branches = [...branches];
    this.cron = cron;
  }
}
