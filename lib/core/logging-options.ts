/** Log driver settings for a service's containers. */
export interface LoggingOptions {
  /** Log driver name, e.g. "json-file", "local" or "journald". */
  readonly driver: string;

  /**
   * Driver options, e.g. `{ 'max-size': '10m', 'max-file': '3' }`.
   *
   * @default - none
   */
  readonly options?: Record<string, string>;
}
