/**
 * The part of a Compose file that `hoist import compose` understands, normalized: the short
 * and long syntaxes of ports, volumes, depends_on, secrets, networks and the rest become one
 * shape each, with the file's line for every item so later steps can point at it.
 */

/** Where an item is in the Compose file. */
export interface ComposeWhere {
  /** The key path as messages show it, e.g. `services.web.ports[0]`. */
  readonly path: string;
  readonly line: number;
}

/** Something in the file the import does not carry over exactly: a key Hoist cannot express, or a note. */
export interface ComposeFinding extends ComposeWhere {
  /** The key, short, for a comment in the program, e.g. `privileged` or `ports[1]`. */
  readonly key: string;
  /** Why, phrased to precede ", not imported" (or, for a note, the whole message). */
  readonly reason: string;
  /** The construct the program writes the comment above; none for file-level findings. */
  readonly owner?: { readonly kind: 'service' | 'volume' | 'network' | 'secret'; readonly name: string };
}

/** One published (or exposed-at-random) port; a range in the file is one of these per port. */
export interface ComposePort {
  readonly where: ComposeWhere;
  readonly container: number;
  readonly host?: number;
  readonly protocol: 'tcp' | 'udp';
  readonly hostIp?: string;
}

/** A named volume, a bind mount (its source absolute) or a tmpfs, at `target` in the container. */
export type ComposeMount =
  | { readonly where: ComposeWhere; readonly type: 'volume'; readonly volume: string; readonly target: string; readonly readOnly: boolean }
  | { readonly where: ComposeWhere; readonly type: 'bind'; readonly source: string; readonly written: string; readonly target: string; readonly readOnly: boolean }
  | { readonly where: ComposeWhere; readonly type: 'tmpfs'; readonly target: string; readonly size?: string };

/** A service on a network, with the extra names it has there. */
export interface ComposeNetworkAttachment {
  readonly where: ComposeWhere;
  readonly network: string;
  readonly aliases: string[];
}

/** A secret a service gets, as a file. */
export interface ComposeSecretUse {
  readonly where: ComposeWhere;
  readonly secret: string;
  /** Absolute path inside the container; `/run/secrets/<secret>` unless the file says otherwise. */
  readonly target: string;
}

/** What a health check runs: nothing (`NONE`, `disable`), argv (`CMD`), or a shell script (`CMD-SHELL`, a string). */
export type ComposeHealthTest =
  | { readonly kind: 'none' }
  | { readonly kind: 'command'; readonly argv: string[] }
  | { readonly kind: 'shell'; readonly script: string };

/** A health check; durations as the file writes them (Go syntax). */
export interface ComposeHealthCheck {
  readonly where: ComposeWhere;
  readonly test: ComposeHealthTest;
  readonly interval?: string;
  readonly timeout?: string;
  readonly retries?: number;
  readonly startPeriod?: string;
}

/** A depends_on entry, its condition as Hoist names it. */
export interface ComposeDependency {
  readonly where: ComposeWhere;
  readonly service: string;
  readonly condition: 'started' | 'healthy' | 'completed';
}

/** How a service's image is built. */
export interface ComposeBuild {
  readonly where: ComposeWhere;
  /** Absolute path of the build context. */
  readonly context: string;
  readonly dockerfile?: string;
  readonly target?: string;
  readonly args: Record<string, string>;
  readonly platform?: string;
  /** Names of top-level secrets the build may read. */
  readonly secrets: { readonly where: ComposeWhere; readonly secret: string }[];
}

/** A service with everything the import reads of it. */
export interface ComposeService {
  readonly name: string;
  readonly where: ComposeWhere;
  readonly profiles: string[];
  readonly image?: { readonly where: ComposeWhere; readonly reference: string };
  readonly build?: ComposeBuild;
  readonly command?: string[];
  readonly entrypoint?: string[];
  /** env_file then environment, the later winning; in the order first written. */
  readonly environment: Record<string, string>;
  /** Where each variable was set, for notes. */
  readonly environmentWhere: Record<string, ComposeWhere>;
  readonly ports: ComposePort[];
  readonly mounts: ComposeMount[];
  /** Undefined when the file names none: the service joins the project's default network. */
  readonly networks?: ComposeNetworkAttachment[];
  /** network_mode was set: the service joins no network of the stack. */
  readonly ownNetworkMode: boolean;
  readonly secrets: ComposeSecretUse[];
  readonly healthcheck?: ComposeHealthCheck;
  readonly dependsOn: ComposeDependency[];
  readonly restart?: { readonly where: ComposeWhere; readonly policy: 'no' | 'always' | 'unless-stopped' | 'on-failure'; readonly maxRetries?: number };
  readonly replicas?: number;
  readonly resources: { readonly cpus?: number; readonly memory?: string; readonly memoryReservation?: string; readonly pids?: number; readonly where?: ComposeWhere };
  readonly update: { readonly order?: 'start-first' | 'stop-first'; readonly batchSize?: number; readonly failureAction?: 'rollback' | 'pause'; readonly where?: ComposeWhere };
  readonly user?: { readonly where: ComposeWhere; readonly value: string };
  readonly workingDir?: string;
  readonly readOnly?: boolean;
  readonly capAdd: { readonly where: ComposeWhere; readonly value: string }[];
  readonly capDrop: { readonly where: ComposeWhere; readonly value: string }[];
  readonly noNewPrivileges?: boolean;
  readonly logging?: { readonly where: ComposeWhere; readonly driver: string; readonly options: Record<string, string> };
  readonly labels: { readonly where: ComposeWhere; readonly key: string; readonly value: string }[];
  readonly stopGracePeriod?: string;
  /** The running container the service takes over (`hoist import host`). */
  readonly adopts?: string;
}

/** A top-level volume. */
export interface ComposeVolume {
  readonly name: string;
  readonly where: ComposeWhere;
  readonly external: boolean;
  /** The `name:` the file gives it (the engine's name under Compose). */
  readonly engineName?: string;
  readonly driver?: string;
  readonly driverOptions: Record<string, string>;
  /** The volume exists on the host as `engineName` and is used as it is (`hoist import host`). */
  readonly adopt?: boolean;
}

/** A top-level network (`default` configures the project's default network). */
export interface ComposeNetwork {
  readonly name: string;
  readonly where: ComposeWhere;
  readonly external: boolean;
  readonly engineName?: string;
  readonly driver?: string;
  readonly internal: boolean;
  readonly subnet?: string;
  /** The network exists on the host as `engineName` and is used as it is (`hoist import host`). */
  readonly adopt?: boolean;
}

/** A top-level secret and where its value comes from. */
export interface ComposeSecret {
  readonly name: string;
  readonly where: ComposeWhere;
  readonly source: { readonly kind: 'file'; readonly path: string } | { readonly kind: 'env'; readonly variable: string } | { readonly kind: 'external' };
}

/** A whole Compose file, normalized. */
export interface ComposeModel {
  /** The top-level `name:`. */
  readonly name?: string;
  /** Every service, in file order, whatever its profiles. */
  readonly services: ComposeService[];
  readonly volumes: ComposeVolume[];
  readonly networks: ComposeNetwork[];
  readonly secrets: ComposeSecret[];
  /** Keys and values the model leaves out, each with why. */
  readonly unsupported: ComposeFinding[];
  /** What is carried over with a caveat worth reading. */
  readonly notes: ComposeFinding[];
}
