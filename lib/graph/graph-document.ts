/**
 * The desired-state graph: the contract between synth, plan and apply.
 *
 * Everything here is plain JSON data. `spec` is what the engine will hold and what the
 * planner compares with what it reads from a host, so it is normalized (defaults applied,
 * units in bytes and milliseconds, lists in a canonical order) and hashed. `policy` is how
 * Hoist manages the resource (rollout order, retention); changing it never replaces anything,
 * so it stays out of the hash. docs/graph-format.md describes the format for readers.
 */

import type { EngineChoice } from '../values/engine-kind';
import type { LintSeverity } from './lint-rule-catalog';
import type { ResourceKind } from './resource-kind';

// Defined once elsewhere; re-exported because readers of the graph have imported them from here.
export type { EngineChoice, EngineKind } from '../values/engine-kind';
export type { ResourceKind } from './resource-kind';

/** Bumped on any change a reader of an older version would misread. */
export const GRAPH_FORMAT_VERSION = '1.0';

export interface GraphDocument {
  readonly formatVersion: typeof GRAPH_FORMAT_VERSION;
  /** Stacks sorted by name. */
  readonly stacks: StackGraph[];
}

export interface StackGraph {
  /** Stack name; prefixes every engine object name and is the `hoist.stack` ownership label. */
  readonly name: string;
  /** The stack's construct path. */
  readonly path: string;
  /** Hosts the stack places resources on, sorted by name. */
  readonly hosts: HostSpec[];
  /**
   * Hosts that only build the stack's images (a builder that also runs services is in
   * `hosts` too), sorted by name. Read by plan and apply, never locked or changed otherwise.
   * Absent in graphs from before builds existed: none.
   */
  readonly builders?: HostSpec[];
  /** Resources sorted by id. */
  readonly resources: GraphResource[];
}

export interface HostSpec {
  readonly name: string;
  readonly source: string;
  readonly address: string;
  /** The host's private IP address (ingress mesh ports are published on it); absent: `address`. */
  readonly privateAddress?: string;
  /** null: ~/.ssh/config's Port for the address, else 22. */
  readonly port: number | null;
  /** null: ~/.ssh/config's User for the address, else root. */
  readonly user: string | null;
  /** `agent`: no key file given: ~/.ssh/config's IdentityFile, else the ssh-agent. */
  readonly identity: HostIdentity;
  readonly hostKey: HostKeyTrust;
  /** `detect` asks the host at connect time. */
  readonly engine: EngineChoice;
  /** The engine's socket as the host sees it; null means the engine's standard path. */
  readonly engineSocket: string | null;
  readonly roles: string[];
  readonly labels: Record<string, string>;
  readonly arch: string | null;
  /** A local host is reached through this machine's engine socket, without SSH. */
  readonly local: boolean;
}

export type HostIdentity =
  | { readonly kind: 'file'; readonly path: string; readonly passphraseEnv: string | null }
  | { readonly kind: 'agent'; readonly socketEnv: string };

export interface HostKeyTrust {
  /** known_hosts file to check the host key against; null when only a fingerprint is pinned. */
  readonly knownHostsFile: string | null;
  /** Pinned `SHA256:` fingerprint of the host key; null when known_hosts decides. */
  readonly fingerprint: string | null;
}

export type GraphResource = NetworkResource | VolumeResource | ImageResource | SecretResource | ContainerResource;

/** Fields every resource has. */
interface ResourceBase {
  /** Stable id: `<kind>:<construct path>[#slot]@<host>`. Independent of declaration order. */
  readonly id: string;
  readonly kind: ResourceKind;
  readonly host: string;
  /** Construct path the resource came from, for messages. */
  readonly source: string;
  /** `sha256:` of the canonical JSON of `spec`. */
  readonly hash: string;
  /** Ids of resources that must exist first, sorted; for containers, with the condition to wait for. */
  readonly dependsOn: Dependency[];
}

export interface Dependency {
  readonly id: string;
  /** What "ready" means for ordering: exists (networks, volumes...), or a container condition. */
  readonly condition: 'exists' | DependencyConditionName;
}

export type DependencyConditionName = 'started' | 'healthy' | 'completed';

export interface NetworkResource extends ResourceBase {
  readonly kind: 'network';
  readonly spec: NetworkSpec;
  /** Present only for a network named by `existingName`. */
  readonly policy?: ExistingObjectPolicy;
}

/**
 * An object the graph names exactly (`existingName`): one of that name that Hoist did not
 * create is used as it is, never compared, changed or deleted.
 */
export interface ExistingObjectPolicy {
  readonly existing?: boolean;
}

export interface NetworkSpec {
  readonly name: string;
  readonly driver: string;
  readonly internal: boolean;
  readonly subnet: string | null;
  readonly labels: Record<string, string>;
}

export interface VolumeResource extends ResourceBase {
  readonly kind: 'volume';
  readonly spec: VolumeSpec;
  readonly policy: { readonly retainOnDelete: boolean } & ExistingObjectPolicy;
}

export interface VolumeSpec {
  readonly name: string;
  readonly driver: string;
  readonly options: Record<string, string>;
  readonly labels: Record<string, string>;
}

export interface ImageResource extends ResourceBase {
  readonly kind: 'image';
  readonly spec: ImageSpec;
  /** For built images: where they are built, how they travel, how many versions stay. */
  readonly policy?: BuildImagePolicy;
}

/** How Hoist handles a built image; changing it rebuilds and restarts nothing. */
export interface BuildImagePolicy {
  /** Name of the host that builds it (in `hosts` or `builders`). */
  readonly builder: string;
  readonly delivery: ImageDeliverySpec;
  /** Built versions kept per host, the running one included. */
  readonly keepVersions: number;
  /** Lint severities set on the construct, by rule id. */
  readonly lint: Record<string, LintSeverity>;
  /** Secrets the build reads (by `secretName` as the mount id), never their values. Absent: none. */
  readonly buildSecrets?: SecretReference[];
}

/** Where a secret used outside containers comes from, with its fingerprint; never the value. */
export interface SecretReference {
  /** `secret:<construct path>` */
  readonly secret: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly origin: SecretOrigin;
}

export type ImageDeliverySpec =
  | { readonly mode: 'direct' }
  | {
    readonly mode: 'registry';
    /** Repository with the registry address; pushed as `<repository>:<tag>`. */
    readonly repository: string;
    readonly username: string | null;
    /** The Secret holding the password (a `secret:<path>` key of this stack's secrets), never the value. */
    readonly password: SecretReference | null;
  };

export type ImageSpec = RegistryImageSpec | BuildImageSpec;

export interface RegistryImageSpec {
  readonly source: 'registry';
  /** The reference as given, with `:latest` made explicit. */
  readonly reference: string;
}

export interface BuildImageSpec {
  readonly source: 'build';
  /** Local repository name the build is tagged with, e.g. `hoist/shop/web`. */
  readonly repository: string;
  /** Context directory, relative to the project directory (forward slashes). */
  readonly context: string;
  /** Dockerfile path relative to the context, when the image is built from a file. */
  readonly dockerfile: string | null;
  /** Dockerfile text, when the image is built from typed steps. */
  readonly dockerfileInline: string | null;
  readonly buildArgs: Record<string, string>;
  readonly target: string | null;
  readonly platform: string | null;
  /**
   * `sha256:` over everything that decides the build's result: the Dockerfile text, every
   * context file's path, mode and content, buildArgs, target and platform. Its first 16 hex
   * digits are the image's tag, so an unchanged image is neither built nor sent again.
   */
  readonly identity: string;
  /**
   * Short digests of the build's inputs by name (context file paths, and `(dockerfile)` and
   * `(arguments)`), so a plan can say which ones changed since the last build.
   */
  readonly inputs: Record<string, string>;
}

export interface SecretResource extends ResourceBase {
  readonly kind: 'secret';
  readonly spec: SecretSpec;
  /** Where apply reads the value from; never the value itself. */
  readonly policy: { readonly origin: SecretOrigin };
}

export interface SecretSpec {
  readonly name: string;
  /** `hmac-sha256:<key id>:<mac>`: changes when the value changes, reveals nothing of it. */
  readonly fingerprint: string;
}

export type SecretOrigin =
  | { readonly kind: 'env'; readonly variable: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'command'; readonly argv: string[] };

export interface ContainerResource extends ResourceBase {
  readonly kind: 'container';
  readonly spec: ContainerSpec;
  readonly policy: ContainerPolicy;
}

export interface ContainerSpec {
  /** Engine name: `<stack>-<service>-<slot>`. */
  readonly name: string;
  readonly service: string;
  readonly slot: number;
  /** Id (without host) of the image resource, e.g. `image:shop/web`, and the reference to run. */
  readonly image: { readonly resource: string; readonly reference: string };
  /** null: the image's own ENTRYPOINT / CMD. */
  readonly entrypoint: string[] | null;
  readonly command: string[] | null;
  readonly env: Record<string, string>;
  readonly secrets: ContainerSecret[];
  readonly ports: PortSpec[];
  readonly mounts: MountSpec[];
  readonly networks: NetworkAttachmentSpec[];
  readonly resources: ResourceLimitsSpec;
  /** null: the image's own HEALTHCHECK. */
  readonly healthcheck: HealthCheckSpec | null;
  readonly restart: { readonly policy: RestartPolicyName; readonly maxRetries: number };
  /** null: the image's own USER. */
  readonly user: string | null;
  /** null: the image's own WORKDIR. */
  readonly workingDir: string | null;
  readonly readOnlyRootFilesystem: boolean;
  readonly capAdd: string[];
  readonly capDrop: string[];
  readonly noNewPrivileges: boolean;
  /** null: the engine's default log driver and options. */
  readonly logging: { readonly driver: string; readonly options: Record<string, string> } | null;
  readonly stopTimeoutSeconds: number;
  readonly labels: Record<string, string>;
}

export type RestartPolicyName = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface ContainerSecret {
  /** Id (without host) of the secret resource, e.g. `secret:shop/db-password`. */
  readonly resource: string;
  readonly name: string;
  readonly fingerprint: string;
  /** Path of the file inside the container; null when delivered only as an environment variable. */
  readonly target: string | null;
  /** Environment variable that carries the value, when the user asked for env delivery. */
  readonly env: string | null;
}

export interface PortSpec {
  readonly hostIp: string;
  /** null: only the container port is exposed; the engine picks a host port. */
  readonly hostPort: number | null;
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp';
}

export type MountSpec =
  | { readonly type: 'volume'; readonly source: string; readonly volume: string; readonly target: string; readonly readOnly: boolean }
  | { readonly type: 'bind'; readonly source: string; readonly target: string; readonly readOnly: boolean }
  | { readonly type: 'tmpfs'; readonly target: string; readonly sizeBytes: number | null };

export interface NetworkAttachmentSpec {
  /** Engine name of the network. */
  readonly name: string;
  /** Id (without host) of the network resource. */
  readonly resource: string;
  readonly aliases: string[];
}

export interface ResourceLimitsSpec {
  /** null: unlimited. */
  readonly nanoCpus: number | null;
  readonly memoryBytes: number | null;
  readonly memoryReservationBytes: number | null;
  readonly pidsLimit: number | null;
}

export interface HealthCheckSpec {
  /** Engine form: `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]`. */
  readonly test: string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly startPeriodMs: number;
}

export interface ContainerPolicy {
  readonly update: {
    readonly order: 'start-first' | 'stop-first';
    readonly batchSize: number;
    readonly failureAction: 'rollback' | 'pause';
    readonly healthTimeoutMs: number;
  };
  /**
   * Lint severities set on the service and the stack's defaults (the service's win), by rule
   * id. Absent when neither sets any, and in graphs from before service lint: each rule's default.
   */
  readonly lint?: Record<string, LintSeverity>;
  /**
   * Name of a container not made by Hoist that the service's first replica on each host takes
   * over where it exists (`adoptContainer`). Absent when the service adopts none.
   */
  readonly adopt?: string;
  /**
   * The ingress proxies on this replica's host that route to it: rollouts switch its traffic
   * through them. Absent when no proxy routes to it.
   */
  readonly proxies?: ProxyUpstream[];
}

/** A replica as one ingress proxy's upstream. */
export interface ProxyUpstream {
  /** Engine name of the proxy container on the replica's host. */
  readonly proxy: string;
  /** The proxy's backend for the replica's service. */
  readonly backend: string;
  /** The replica's server in that backend (its spare for rollouts is `<server>.next`). */
  readonly server: string;
  /** Engine name of the network the proxy reaches the replica on. */
  readonly network: string;
  /** The replica's port the proxy sends requests to. */
  readonly port: number;
}
