import { Construct } from 'constructs';
import { brand, hasBrand } from './private/brand';

const SECRET_SYMBOL = Symbol.for('hoist.Secret');

/** Options shared by the ways to create a {@link Secret}. */
export interface SecretOptions {
  /**
   * Name of the secret: the default file name under /run/secrets in containers.
   *
   * @default - the construct id
   */
  readonly secretName?: string;
}

/** Where a {@link Secret}'s value comes from; exactly one source must be set. */
export interface SecretProps extends SecretOptions {
  /**
   * Read the value from this environment variable of the process running Hoist.
   *
   * @default - not from the environment
   */
  readonly fromEnv?: string;

  /**
   * Read the value from this file (relative to the project directory).
   *
   * @default - not from a file
   */
  readonly fromFile?: string;

  /**
   * Run this command (argv, no shell) and take its standard output, e.g.
   * `['pass', 'show', 'shop/db']`.
   *
   * @default - not from a command
   */
  readonly fromCommand?: string[];
}

/** How a service receives a secret: a file inside the container, an environment variable, or both. */
export interface ISecretDelivery {
  /** The secret delivered. */
  readonly deliveredSecret: Secret;

  /** Absolute file path inside the container; undefined for env-only delivery. */
  readonly deliveryPath?: string;

  /** Environment variable that carries the value; undefined for file-only delivery. */
  readonly deliveryEnv?: string;
}

/**
 * A secret value (password, token, key) given to services without ever entering the graph,
 * a plan, a log or an image: synth records only a keyed fingerprint that changes when the
 * value changes, and apply reads the value from its source.
 *
 * By default a service gets it as the file `/run/secrets/<secretName>`.
 */
export class Secret extends Construct implements ISecretDelivery {
  /** Whether `x` is a Secret, also across duplicate copies of this library. */
  public static isSecret(x: any): x is Secret {
    return hasBrand(x, SECRET_SYMBOL);
  }

  /** A secret read from an environment variable of the process running Hoist. */
  public static fromEnv(scope: Construct, id: string, variable: string, options: SecretOptions = {}): Secret {
    return new Secret(scope, id, { ...options, fromEnv: variable });
  }

  /** A secret read from a file. */
  public static fromFile(scope: Construct, id: string, path: string, options: SecretOptions = {}): Secret {
    return new Secret(scope, id, { ...options, fromFile: path });
  }

  /** A secret printed by a command (argv, no shell). */
  public static fromCommand(scope: Construct, id: string, argv: string[], options: SecretOptions = {}): Secret {
    return new Secret(scope, id, { ...options, fromCommand: argv });
  }

  /** @internal */
  public readonly _props: SecretProps;

  constructor(scope: Construct, id: string, props: SecretProps) {
    super(scope, id);
    brand(this, SECRET_SYMBOL);
    this._props = props ?? {};
  }

  /** Name of the secret. */
  public get secretName(): string {
    return this._props.secretName ?? this.node.id;
  }

  /** This secret, delivered in the default way. */
  public get deliveredSecret(): Secret {
    return this;
  }

  /** `/run/secrets/<secretName>`. */
  public get deliveryPath(): string | undefined {
    return `/run/secrets/${this.secretName}`;
  }

  /** Not delivered as an environment variable by default. */
  public get deliveryEnv(): string | undefined {
    return undefined;
  }

  /** Deliver as a file at `path` inside the container. */
  public asFile(path: string): ISecretDelivery {
    return { deliveredSecret: this, deliveryPath: path };
  }

  /**
   * Deliver as the environment variable `variable`. Prefer files: environment variables
   * show in `docker inspect` and leak into child processes and crash reports.
   */
  public asEnv(variable: string): ISecretDelivery {
    return { deliveredSecret: this, deliveryEnv: variable };
  }
}
