import { brand, hasBrand } from './private/brand';
import type { BuildStage } from './build-stage';

const IMAGE_SYMBOL = Symbol.for('hoist.Image');

/** Options for {@link Image.fromDockerfile}. */
export interface DockerfileImageOptions {
  /**
   * Name of the image within the stack (lower case); built images are tagged
   * `hoist/<stack>/<imageName>`.
   *
   * @default - the base name of the directory
   */
  readonly imageName?: string;

  /**
   * Dockerfile path, relative to the directory.
   *
   * @default "Dockerfile"
   */
  readonly file?: string;

  /**
   * Build arguments. Never pass secrets here: build arguments stay in the image history.
   *
   * @default - none
   */
  readonly buildArgs?: Record<string, string>;

  /**
   * Stage to build, in a multi-stage Dockerfile.
   *
   * @default - the last stage
   */
  readonly target?: string;

  /**
   * Platform to build for, e.g. "linux/arm64".
   *
   * @default - the builder's platform
   */
  readonly platform?: string;
}

/** Options for {@link Image.fromBuildSteps}. */
export interface BuildStepsImageOptions {
  /** Name of the image within the stack (lower case). */
  readonly imageName: string;

  /** Stages, in order; the last one (or `target`) is the image. */
  readonly stages: BuildStage[];

  /**
   * Build context directory that `copy` steps read from, relative to the project directory.
   *
   * @default "."
   */
  readonly context?: string;

  /**
   * Build arguments.
   *
   * @default - none
   */
  readonly buildArgs?: Record<string, string>;

  /**
   * Stage to build.
   *
   * @default - the last stage
   */
  readonly target?: string;

  /**
   * Platform to build for.
   *
   * @default - the builder's platform
   */
  readonly platform?: string;
}

/** @internal */
export type ImageSource =
  | { readonly kind: 'registry'; readonly reference: string }
  | { readonly kind: 'dockerfile'; readonly directory: string; readonly options: DockerfileImageOptions }
  | { readonly kind: 'steps'; readonly options: BuildStepsImageOptions };

/**
 * What a service runs: an image from a registry, or one built from a Dockerfile or from typed
 * build steps. One Image value may be shared by several services; it is built once.
 *
 * @example
 * Image.fromRegistry('postgres:15')
 * Image.fromDockerfile('./web', { target: 'runtime' })
 */
export class Image {
  /** Whether `x` is a Image, also across duplicate copies of this library. */
  public static isImage(x: any): x is Image {
    return hasBrand(x, IMAGE_SYMBOL);
  }

  /** An image pulled from a registry by tag or digest, e.g. "busybox:1.36" or "app@sha256:...". */
  public static fromRegistry(reference: string): Image {
    return new Image({ kind: 'registry', reference });
  }

  /** An image built from a Dockerfile in `directory` (the build context), relative to the project. */
  public static fromDockerfile(directory: string, options: DockerfileImageOptions = {}): Image {
    return new Image({ kind: 'dockerfile', directory, options });
  }

  /** An image built from typed {@link BuildStage}s, rendered to a Dockerfile. */
  public static fromBuildSteps(options: BuildStepsImageOptions): Image {
    return new Image({ kind: 'steps', options });
  }

  /** @internal */
  public readonly _source: ImageSource;

  private constructor(source: ImageSource) {
    brand(this, IMAGE_SYMBOL);
    this._source = source;
  }

  /** Whether the image is built by Hoist rather than pulled. */
  public get isBuilt(): boolean {
    return this._source.kind !== 'registry';
  }
}
