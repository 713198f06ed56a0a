import { Construct } from 'constructs';
import { brand, hasBrand } from './private/brand';
import { Mount, MountOptions } from './mount';

const VOLUME_SYMBOL = Symbol.for('hoist.Volume');

/** Options for a {@link Volume}. */
export interface VolumeProps {
  /**
   * Name of the volume on the host, after the stack prefix: the engine object is
   * `<stack>-<volumeName>`.
   *
   * @default - the construct id
   */
  readonly volumeName?: string;

  /**
   * Volume driver.
   *
   * @default "local"
   */
  readonly driver?: string;

  /**
   * Driver options (e.g. for the local driver: `type`, `device`, `o`).
   *
   * @default - none
   */
  readonly options?: Record<string, string>;

  /**
   * Keep the volume, and its data, when it is removed from the stack or the stack is
   * destroyed. Set to false to let a plan delete it; the plan then says data will be lost.
   *
   * @default true
   */
  readonly retainOnDelete?: boolean;

  /**
   * Use the volume of exactly this name on each host, with its data, instead of
   * `<stack>-<volumeName>`: for a volume Hoist did not create (made by `docker run`, Compose or
   * another tool, as `hoist import host` writes it). Hoist creates it under this name where it
   * is missing. A volume of this name that Hoist did not create is used as it is: never
   * compared, changed or deleted, whatever `retainOnDelete` says.
   *
   * @default - `<stack>-<volumeName>`, created and owned by Hoist
   */
  readonly existingName?: string;
}

/**
 * Named storage that outlives containers: the one thing in a stack that holds data.
 * A volume exists on each host where a service that mounts it runs.
 */
export class Volume extends Construct {
  /** Whether `x` is a Volume, also across duplicate copies of this library. */
  public static isVolume(x: any): x is Volume {
    return hasBrand(x, VOLUME_SYMBOL);
  }

  /** @internal */
  public readonly _props: VolumeProps;

  constructor(scope: Construct, id: string, props: VolumeProps = {}) {
    super(scope, id);
    brand(this, VOLUME_SYMBOL);
    this._props = props;
  }

  /** Name of the volume after the stack prefix (unused when `existingName` is set). */
  public get volumeName(): string {
    return this._props.volumeName ?? this.node.id;
  }

  /** A mount of this volume at `target`, for a service's `mounts`. */
  public mount(target: string, options: MountOptions = {}): Mount {
    return Mount.volume(this, target, options);
  }
}
