import { Construct } from 'constructs';
import { brand, hasBrand } from './private/brand';

const HOST_SYMBOL = Symbol.for('hoist.Host');

/** Which container engine runs on a host. */
export enum EngineType {
  /** Docker Engine. */
  DOCKER = 'docker',
  /** Podman, through its Docker-compatible API service. */
  PODMAN = 'podman',
  /** Ask the host when connecting. */
  DETECT = 'detect',
}

/** How to reach and trust a {@link Host}. */
export interface HostProps {
  /** IP address or DNS name to connect to (or a Host alias from ~/.ssh/config). */
  readonly address: string;

  /**
   * The host's IP address on the private network its hosts share, where ingress proxies
   * reach each other for TCP routes (their mesh ports are published on it and nowhere else).
   *
   * @default - `address`, which must then be an IP address for TCP routes
   */
  readonly privateAddress?: string;

  /**
   * Name of the host in plans and resource ids. Letters, digits, `_`, `.` and `-`.
   *
   * @default - the construct id
   */
  readonly hostName?: string;

  /**
   * SSH port.
   *
   * @default - the Port in ~/.ssh/config for the address, else 22
   */
  readonly port?: number;

  /**
   * SSH user.
   *
   * @default - the User in ~/.ssh/config for the address, else "root"
   */
  readonly user?: string;

  /**
   * Private key file (OpenSSH or PEM), relative to the project directory or absolute.
   *
   * @default - the IdentityFile in ~/.ssh/config for the address, else keys from the ssh-agent at SSH_AUTH_SOCK
   */
  readonly identityFile?: string;

  /**
   * Environment variable holding the passphrase of an encrypted `identityFile`.
   *
   * @default - the key is not encrypted
   */
  readonly identityPassphraseEnv?: string;

  /**
   * known_hosts file the host key must be listed in (hashed entries are understood).
   *
   * @default "~/.ssh/known_hosts", unless `hostKeyFingerprint` is set
   */
  readonly knownHostsFile?: string;

  /**
   * Pinned fingerprint of the host key, as `ssh-keygen -lf` prints it: "SHA256:<base64>".
   *
   * @default - the key is checked against `knownHostsFile`
   */
  readonly hostKeyFingerprint?: string;

  /**
   * Container engine.
   *
   * @default EngineType.DETECT
   */
  readonly engine?: EngineType;

  /**
   * The engine's API socket as the host sees it.
   *
   * @default - /var/run/docker.sock for Docker, /run/podman/podman.sock for Podman
   */
  readonly engineSocket?: string;

  /**
   * Roles for placement, e.g. ["web"] or ["db"].
   *
   * @default - none
   */
  readonly roles?: string[];

  /**
   * Free-form labels describing the host.
   *
   * @default - none
   */
  readonly labels?: Record<string, string>;

  /**
   * CPU architecture, e.g. "amd64" or "arm64", for image builds.
   *
   * @default - detected when connecting
   */
  readonly arch?: string;

  /**
   * This machine itself: reached through the local engine socket, without SSH.
   *
   * @default false
   */
  readonly local?: boolean;
}

/** A machine that runs containers, reached over SSH (or locally). */
export class Host extends Construct {
  /** Whether `x` is a Host, also across duplicate copies of this library. */
  public static isHost(x: any): x is Host {
    return hasBrand(x, HOST_SYMBOL);
  }

  /** @internal */
  public readonly _props: HostProps;

  constructor(scope: Construct, id: string, props: HostProps) {
    super(scope, id);
    brand(this, HOST_SYMBOL);
    this._props = props ?? ({} as HostProps);
  }

  /** Name of the host in plans and resource ids. */
  public get hostName(): string {
    return this._props.hostName ?? this.node.id;
  }

  /** Roles of the host. */
  public get roles(): string[] {
    return [...(this._props.roles ?? [])];
  }

  /** Whether the host has `role`. */
  public hasRole(role: string): boolean {
    return this.roles.includes(role);
  }
}
