import { brand, hasBrand } from './private/brand';

const HEALTH_CHECK_SYMBOL = Symbol.for('hoist.HealthCheck');
/** Timing of a health check. Durations are strings such as "10s" or "500ms". */
export interface HealthCheckOptions {
  /**
   * Time between checks.
   *
   * @default "10s"
   */
  readonly interval?: string;

  /**
   * Time one check may take before it counts as failed.
   *
   * @default "5s"
   */
  readonly timeout?: string;

  /**
   * Consecutive failures before the container is unhealthy.
   *
   * @default 3
   */
  readonly retries?: number;

  /**
   * Grace period after start during which failures do not count.
   *
   * @default "0s"
   */
  readonly startPeriod?: string;
}

/** Options for an HTTP health check. */
export interface HttpHealthCheckOptions extends HealthCheckOptions {
  /**
   * Path to request on 127.0.0.1 inside the container; any 2xx/3xx answer is healthy.
   *
   * @default "/"
   */
  readonly path?: string;
}

/** @internal */
export type HealthCheckProbe =
  | { readonly kind: 'command'; readonly argv: string[] }
  | { readonly kind: 'shell'; readonly script: string }
  | { readonly kind: 'http'; readonly port: number; readonly path: string }
  | { readonly kind: 'tcp'; readonly port: number }
  | { readonly kind: 'none' };

/**
 * How the engine decides that a container is healthy; apply's rolling updates wait for it.
 *
 * @example
 * HealthCheck.http(5000, { path: '/healthz', interval: '5s' })
 */
export class HealthCheck {
  /** Whether `x` is a HealthCheck, also across duplicate copies of this library. */
  public static isHealthCheck(x: any): x is HealthCheck {
    return hasBrand(x, HEALTH_CHECK_SYMBOL);
  }

  /** Run `argv` inside the container (no shell); exit code 0 is healthy. */
  public static command(argv: string[], options: HealthCheckOptions = {}): HealthCheck {
    return new HealthCheck({ kind: 'command', argv }, options);
  }

  /** Run `script` with the container's `/bin/sh -c`; exit code 0 is healthy. */
  public static shell(script: string, options: HealthCheckOptions = {}): HealthCheck {
    return new HealthCheck({ kind: 'shell', script }, options);
  }

  /**
   * GET `http://127.0.0.1:<port><path>` inside the container with `wget` (busybox or GNU),
   * falling back to `curl`; the image needs one of them.
   */
  public static http(port: number, options: HttpHealthCheckOptions = {}): HealthCheck {
    return new HealthCheck({ kind: 'http', port, path: options.path ?? '/' }, options);
  }

  /** Open a TCP connection to `port` on 127.0.0.1 inside the container with `nc` (busybox or netcat). */
  public static tcp(port: number, options: HealthCheckOptions = {}): HealthCheck {
    return new HealthCheck({ kind: 'tcp', port }, options);
  }

  /** Disable any health check the image defines. */
  public static none(): HealthCheck {
    return new HealthCheck({ kind: 'none' }, {});
  }

  /** @internal */
  public readonly _probe: HealthCheckProbe;

  /** @internal */
  public readonly _options: HealthCheckOptions;

  private constructor(probe: HealthCheckProbe, options: HealthCheckOptions) {
    brand(this, HEALTH_CHECK_SYMBOL);
    this._probe = probe;
    this._options = options;
  }
}
