import { brand, hasBrand } from './private/brand';
import type { BuildStage } from './build-stage';
import type { Host } from './host';
import type { Secret } from './secret';

const IMAGE_SYMBOL = Symbol.for('hoist.Image');

/** Options for {@link ImageDelivery.registry}. */
export interface RegistryDeliveryProps {
  /**
   * Repository to push to, with the registry's address, e.g. "registry.example.com:5000/shop/web".
   * Hoist tags each build with its content tag there; hosts pull it by digest.
   */
  readonly repository: string;

  /**
   * User name for the registry.
   *
   * @default - no credentials (an open registry)
   */
  readonly username?: string;

  /**
   * The registry password or token, as a Secret of the same stack. Read only when pushing or
   * pulling, sent only to the engine in its auth header, never printed or stored.
   *
   * @default - no credentials (an open registry)
   */
  readonly password?: Secret;
}

/**
 * How a built image gets from where it is built to the hosts that run it.
 *
 * @example
 * ImageDelivery.direct()
 * ImageDelivery.registry({ repository: 'registry.example.com/shop/web', username: 'ci', password: token })
 */
export class ImageDelivery {
  /**
   * Straight over SSH, no registry: each host gets only the layers it does not have yet,
   * checked against the built image's digest on arrival.
   */
  public static direct(): ImageDelivery {
    return new ImageDelivery('direct', undefined);
  }

  /** Through a registry: the builder pushes, every host pulls by digest. */
  public static registry(props: RegistryDeliveryProps): ImageDelivery {
    return new ImageDelivery('registry', props);
  }

  /** "direct" or "registry". */
  public readonly mode: string;

  /** @internal */
  public readonly _registry: RegistryDeliveryProps | undefined;

  private constructor(mode: string, registry: RegistryDeliveryProps | undefined) {
    this.mode = mode;
    this._registry = registry;
  }
}

/** Where and how a built image is built, delivered, kept and linted (both kinds of build). */
export interface ImageBuildOptions {
  /**
   * The host whose engine builds the image; the build context goes to it as a tar stream
   * over the same SSH connection as everything else.
   *
   * @default - the engine on the machine running hoist (/var/run/docker.sock)
   */
  readonly builder?: Host;

  /**
   * How the image reaches the hosts.
   *
   * @default ImageDelivery.direct()
   */
  readonly delivery?: ImageDelivery;

  /**
   * Built versions kept on each host (the running one included), so that `hoist rollback`
   * needs no rebuild. Older ones are removed after a successful apply and by `hoist prune`.
   *
   * @default 3
   */
  readonly keepVersions?: number;

  /**
   * Secrets the build may read, each at `/run/secrets/<secretName>` in a
   * `RUN --mount=type=secret,id=<secretName>` step: never in a layer, the image history or the
   * build arguments. Needs a Docker Engine builder (built through BuildKit); Secrets of the
   * same stack. A changed value does not rebuild the image.
   *
   * @default - none
   */
  readonly buildSecrets?: Secret[];

  /**
   * Lint rule severities for this image ("error", "warning", "info" or "off"), by rule id,
   * e.g. { "no-healthcheck": "off" }. `hoist lint --rule` overrides them for one run.
   *
   * @default - each rule's default severity
   */
  readonly lintRules?: Record<string, string>;
}

/** Options for {@link Image.fromDockerfile}. */
export interface DockerfileImageOptions extends ImageBuildOptions {
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
export interface BuildStepsImageOptions extends ImageBuildOptions {
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
