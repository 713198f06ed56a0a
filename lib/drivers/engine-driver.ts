import type { Readable } from 'node:stream';
import type { EngineKind } from '../graph/graph-document';
import type { EngineProfile } from './engine-profile';
import type { ContainerInspect, ContainerSummary, ImageHistoryEntry, ImageInspect, ImageSummary, NetworkCreateBody, NetworkSummary, VolumeCreateBody, VolumeSummary } from './engine-objects';

/** What a host's engine is: found when the driver connects. */
export interface EngineInfo {
  readonly kind: EngineKind;
  readonly version: string;
  readonly apiVersion: string;
  readonly os: string;
  /** Where the engine was reached on the host (a socket path), for messages. */
  readonly socketPath: string;
}

/**
 * The rest of detection, fetched only when needed: Podman takes about a second to answer
 * each of /version and /info, against 20 ms for /_ping.
 */
export interface EngineDetails {
  readonly arch: string;
  readonly kernel: string;
  readonly cgroupVersion: string;
  readonly storageDriver: string;
  /** Default log driver of containers created without one. */
  readonly loggingDriver: string;
}

/** Resource limits and restart policy a running container can take without being recreated. */
export interface ContainerUpdate {
  readonly nanoCpus: number;
  readonly memoryBytes: number;
  readonly memorySwapBytes: number;
  readonly memoryReservationBytes: number;
  readonly pidsLimit: number;
  readonly restart: { readonly policy: string; readonly maxRetries: number };
}

/** Options for reading a container's last log lines. */
export interface LogReadOptions {
  /** @default 10 */
  readonly tail?: number;
  /** @default 10000 */
  readonly timeoutMs?: number;
  /** @default 8388608 */
  readonly maxInputBytes?: number;
  readonly maxLineBytes?: number;
  readonly maxLines?: number;
}

/** A container's log text, decoded within limits. */
export interface ContainerLogText {
  readonly text: string;
  /** The engine sent more than the limits allowed (or took too long); `text` is the start. */
  readonly truncated: boolean;
}

/** One line a container printed, as a followed log stream gives it. */
export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  /** The engine's timestamp (RFC 3339, nanoseconds); empty when the engine gave none. */
  readonly time: string;
  readonly text: string;
}

/** Options for following a container's log. */
export interface LogFollowOptions {
  /** Keep reading new lines until the container stops or `signal` aborts; else end with the last line there is. */
  readonly follow: boolean;
  /** Only lines printed at or after this time, in seconds since the epoch. @default all */
  readonly since?: number;
  /** Only the last this many lines (before following). @default all */
  readonly tail?: number;
  readonly signal: AbortSignal;
  readonly onLine: (line: LogLine) => void;
}

/** A command run in a container with the caller's terminal or streams attached. */
export interface InteractiveExecOptions {
  /** Allocate a TTY (stdout and stderr are then one stream). */
  readonly tty: boolean;
  /** What the command reads; null: nothing. */
  readonly stdin: NodeJS.ReadableStream | null;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** The terminal's size, with a TTY. */
  readonly size?: { readonly columns: number; readonly rows: number };
  /** Extra environment, as NAME=value. @default none */
  readonly env?: readonly string[];
  /** The user to run as. @default the container's */
  readonly user?: string;
}

/** Options for running a command in a container. */
export interface ExecOptions {
  /** The user to run as. @default the container's */
  readonly user?: string;
  /** Extra environment, as NAME=value. @default none */
  readonly env?: readonly string[];
  /**
   * The most bytes kept of each of stdout and stderr; the rest is read and dropped, and
   * `truncated` says so.
   * @default 1048576
   */
  readonly maxOutputBytes?: number;
  /**
   * How long the command may run; then the output so far is returned with `timedOut` (the
   * command itself is not killed: engines cannot stop an exec).
   * @default 60000
   */
  readonly timeoutMs?: number;
}

/** What a command run in a container did. */
export interface ExecResult {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** Null when it had not finished (timed out). */
  readonly exitCode: number | null;
  readonly truncated: boolean;
  readonly timedOut: boolean;
}

/** A container's resource use at one moment. */
export interface ContainerStats {
  /** CPU used since the previous sample, as a share of one CPU (1.5 = one and a half CPUs); null when the engine gave one sample only. */
  readonly cpus: number | null;
  readonly memoryBytes: number;
  /** Null when unlimited. */
  readonly memoryLimitBytes: number | null;
  readonly pids: number;
  /** Bytes received and sent over all its networks since it started; null where the engine does not say. */
  readonly networkRxBytes: number | null;
  readonly networkTxBytes: number | null;
}

/**
 * One thing that happened on the engine, in Docker Engine's vocabulary on every engine
 * (create, start, die, stop, destroy); an engine may also report actions of its own
 * (Podman's init, cleanup).
 */
export interface EngineEvent {
  /** container, image, network or volume. */
  readonly type: string;
  /** create, start, die, stop, kill, destroy, health_status: healthy, ... */
  readonly action: string;
  /** The object's id (for an image, its reference or id). */
  readonly id: string;
  /** The object's name, where the engine gives one. */
  readonly name: string | null;
  /** What the engine says of the object: its labels, image, exit code. */
  readonly attributes: Readonly<Record<string, string>>;
  /** When, in ms since the epoch (engine clock). */
  readonly time: number;
}

/** Which events to watch; every given filter must match. */
export interface EventFilter {
  /** Object types. @default all */
  readonly types?: readonly string[];
  /** Labels, as `key` or `key=value`. @default any */
  readonly labels?: readonly string[];
}

/** Options for watching events. */
export interface WatchOptions {
  /** Ends the watch (the promise resolves). */
  readonly signal: AbortSignal;
  readonly onEvent: (event: EngineEvent) => void;
  /**
   * The longest a watch may last; then it ends with an error.
   * @default 86400000 (a day)
   */
  readonly maxDurationMs?: number;
}

/** Registry credentials for a pull or push, as the Engine API takes them. */
export interface RegistryAuth {
  readonly username?: string;
  readonly password?: string;
  readonly serveraddress?: string;
  readonly [key: string]: string | undefined;
}

/** Options of a progress-reporting operation (pull, push, build, import). */
export interface ProgressOptions {
  /** Each progress event as the engine sends it. */
  readonly onEvent?: (event: Record<string, unknown>) => void;
  /** Stops the operation; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** What an image build sends to the engine. */
export interface ImageBuildRequest {
  /** The build context as a tar stream. */
  readonly context: Readable;
  /** Query parameters of POST /build (t, dockerfile, buildargs, labels, target, ...). */
  readonly query: Record<string, string>;
  /** Build secrets, by id; needs {@link EngineProfile.buildSecrets}. */
  readonly secrets?: ReadonlyMap<string, Buffer>;
  /** Limits of the channel that serves the secrets to the engine. @default the driver's */
  readonly secretChannel?: { readonly idleTimeoutMs?: number; readonly openTimeoutMs?: number; readonly maxMessageBytes?: number };
}

/**
 * One host's container engine, as Hoist uses it: the only way the planner, apply, status,
 * locks and history reach an engine. A driver hides how it talks to its engine (HTTP over an
 * SSH stream-local forward for Docker Engine and Podman) and every quirk of it; what differs
 * between engines in what Hoist may *do* is in its {@link EngineProfile}, which pure code
 * (the planner) reads without a connection.
 *
 * Conventions every driver keeps, because apply's crash safety rests on them:
 * - names are unique per object kind, and a create with a taken name fails with
 *   {@link EngineError} reason `conflict` (locks rely on this being atomic);
 * - a reference (`ref`) is a name or an id; an object that does not exist fails with reason
 *   `not-found`;
 * - removing a container never removes its volumes;
 * - starting a running container and stopping a stopped one succeed.
 */
export interface EngineDriver {
  readonly host: string;
  readonly kind: EngineKind;
  readonly info: EngineInfo;
  /** What this engine can and cannot do, and how it reads back what it was asked. */
  readonly profile: EngineProfile;
  /** How long a request may go without an answer before it fails, in ms. */
  readonly requestTimeoutMs: number;
  /** Architecture, cgroup version, storage and log drivers (one slower round trip, cached). */
  details(): Promise<EngineDetails>;
  /** The log driver of containers created without one (what reads back as "the default"). */
  defaultLogDriver(): Promise<string>;
  /**
   * The engine's clock, in ms since the epoch, to the second. Lock expiry is measured against
   * it rather than this machine's clock, so machines whose clocks disagree still agree.
   */
  now(): Promise<number>;
  close(): void;

  /** Every container, running or not. */
  listContainers(): Promise<ContainerSummary[]>;
  inspectContainer(ref: string): Promise<ContainerInspect>;
  /** Creates a container from an Engine API create body; returns its id. */
  createContainer(name: string, body: Record<string, unknown>): Promise<string>;
  startContainer(ref: string): Promise<void>;
  stopContainer(ref: string, timeoutSeconds: number | null): Promise<void>;
  renameContainer(ref: string, name: string): Promise<void>;
  /** Force-removes a container, never its volumes. */
  removeContainer(ref: string): Promise<void>;
  updateContainer(ref: string, update: ContainerUpdate): Promise<void>;
  /** Unpacks a tar archive into a directory of a container's filesystem (a volume mounted there included). */
  putArchive(ref: string, directory: string, archive: Buffer): Promise<void>;
  /** A tar archive of a path in a container's filesystem. */
  getArchive(ref: string, path: string): Promise<Readable>;
  /** A container's last log lines (stdout and stderr), read within limits. */
  readLogs(ref: string, options?: LogReadOptions): Promise<ContainerLogText>;
  /** Follows a container's log line by line (stdout and stderr, with the engine's timestamps). */
  followLogs(ref: string, options: LogFollowOptions): Promise<void>;
  /** Runs a command in a running container, its output kept within limits. */
  exec(ref: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Runs a command in a running container with streams attached; resolves to its exit code (null if unknown). */
  execInteractive(ref: string, argv: readonly string[], options: InteractiveExecOptions): Promise<number | null>;
  /** One sample of a running container's resource use. */
  stats(ref: string): Promise<ContainerStats>;
  /** Reports the engine's events as they happen until `options.signal` aborts. */
  watchEvents(filter: EventFilter, options: WatchOptions): Promise<void>;
  /**
   * Runs a container's health check once now, where the engine does not schedule them itself
   * (Podman without systemd); elsewhere does nothing. Never fails: the state says the result.
   */
  runHealthCheck(ref: string): Promise<void>;

  listImages(filter?: { readonly label?: readonly string[] }): Promise<ImageSummary[]>;
  inspectImage(ref: string): Promise<ImageInspect>;
  imageHistory(ref: string): Promise<ImageHistoryEntry[]>;
  tagImage(ref: string, repository: string, tag: string): Promise<void>;
  removeImage(ref: string): Promise<void>;
  /** Pulls an image, following its progress to the end. `what` names it in errors. */
  pullImage(reference: string, auth: RegistryAuth | undefined, what: string, options?: ProgressOptions): Promise<void>;
  pushImage(reference: string, auth: RegistryAuth | undefined, what: string, options?: ProgressOptions): Promise<void>;
  /** Loads an image archive (`docker save` format), following the engine's answer to its end. */
  loadImage(archive: Readable, what: string, options?: ProgressOptions): Promise<void>;
  /** An image as an archive (`docker save` format). */
  saveImage(ref: string): Promise<Readable>;
  /** Creates an image from a root filesystem tar (one layer), named `repository`. */
  importImage(rootfs: Buffer, repository: string, what: string): Promise<void>;
  /** Builds an image, following its progress to the end. */
  buildImage(request: ImageBuildRequest, what: string, options?: ProgressOptions): Promise<void>;

  listNetworks(): Promise<NetworkSummary[]>;
  createNetwork(body: NetworkCreateBody): Promise<void>;
  removeNetwork(ref: string): Promise<void>;
  connectNetwork(network: string, container: string, aliases: readonly string[]): Promise<void>;
  disconnectNetwork(network: string, container: string): Promise<void>;

  listVolumes(filter?: { readonly label?: readonly string[]; readonly name?: readonly string[] }): Promise<VolumeSummary[]>;
  /** Creates a volume; one of that name that exists already is left as it is (no error). */
  createVolume(body: VolumeCreateBody): Promise<void>;
  removeVolume(name: string): Promise<void>;
}
