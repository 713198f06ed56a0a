import { brand, hasBrand } from './private/brand';
import type { Volume } from './volume';

const MOUNT_SYMBOL = Symbol.for('hoist.Mount');

/** Options for a volume or bind mount. */
export interface MountOptions {
  /**
   * Mount read-only.
   *
   * @default false
   */
  readonly readOnly?: boolean;
}

/** Options for a tmpfs mount. */
export interface TmpfsOptions {
  /**
   * Size limit, e.g. "64MiB".
   *
   * @default - the engine's default (half the host's memory)
   */
  readonly size?: string;
}

/** @internal */
export type MountSource =
  | { readonly type: 'volume'; readonly volume: Volume; readonly readOnly: boolean }
  | { readonly type: 'bind'; readonly source: string; readonly readOnly: boolean }
  | { readonly type: 'tmpfs'; readonly size: string | undefined };

/**
 * Storage mounted into a service's containers: a Hoist volume, a host path, or a tmpfs.
 *
 * @example
 * Mount.volume(data, '/var/lib/postgresql/data')
 * Mount.bind('/etc/ssl/certs', '/etc/ssl/certs', { readOnly: true })
 */
export class Mount {
  /** Whether `x` is a Mount, also across duplicate copies of this library. */
  public static isMount(x: any): x is Mount {
    return hasBrand(x, MOUNT_SYMBOL);
  }

  /** Mount a {@link Volume} at `target`. Also available as `volume.mount(target)`. */
  public static volume(volume: Volume, target: string, options: MountOptions = {}): Mount {
    return new Mount({ type: 'volume', volume, readOnly: options.readOnly ?? false }, target);
  }

  /** Mount the host path `source` (absolute, on each host the service runs on) at `target`. */
  public static bind(source: string, target: string, options: MountOptions = {}): Mount {
    return new Mount({ type: 'bind', source, readOnly: options.readOnly ?? false }, target);
  }

  /** Mount an in-memory filesystem at `target`. */
  public static tmpfs(target: string, options: TmpfsOptions = {}): Mount {
    return new Mount({ type: 'tmpfs', size: options.size }, target);
  }

  /** Absolute path inside the container. */
  public readonly target: string;

  /** @internal */
  public readonly _source: MountSource;

  private constructor(source: MountSource, target: string) {
    brand(this, MOUNT_SYMBOL);
    this._source = source;
    this.target = target;
  }
}
