/** The order in which a replica's old and new containers swap during an update. */
export enum UpdateOrder {
  /**
   * Start the new container, wait for it to be healthy, then stop the old one: no moment
   * without a serving replica. Not possible when the replica publishes a fixed host port or
   * holds a volume exclusively.
   */
  START_FIRST = 'start-first',
  /** Stop the old container, then start the new one: a short gap, but nothing held twice. */
  STOP_FIRST = 'stop-first',
}

/** What an apply does when a batch of an update fails its health gate. */
export enum FailureAction {
  /** Return the hosts already updated in this apply to the previous version. */
  ROLLBACK = 'rollback',
  /** Stop updating and report; hosts already updated stay on the new version. */
  PAUSE = 'pause',
}

/** How a service's containers are replaced when their spec changes. */
export interface UpdateStrategy {
  /**
   * Start-first or stop-first.
   *
   * @default - START_FIRST, or STOP_FIRST when the service publishes a fixed host port
   */
  readonly order?: UpdateOrder;

  /**
   * How many replicas (across all hosts) are replaced at once.
   *
   * @default 1
   */
  readonly batchSize?: number;

  /**
   * What to do when a batch fails.
   *
   * @default FailureAction.ROLLBACK
   */
  readonly failureAction?: FailureAction;

  /**
   * How long a new container has to become healthy (or stay running, without a health
   * check) before the batch counts as failed. A duration such as "90s" or "2m".
   *
   * @default "60s"
   */
  readonly healthTimeout?: string;
}
