import type * as http from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { EngineKind } from '../../graph/graph-document';
import type { ContainerLogText, ContainerStats, ContainerUpdate, EngineDetails, EngineDriver, EngineEvent, EngineInfo, EventFilter, ExecOptions, ExecResult, ImageBuildRequest, InteractiveExecOptions, LogFollowOptions, LogReadOptions, ProgressOptions, RegistryAuth, WatchOptions } from '../engine-driver';
import { EngineError, type EngineErrorReason } from '../engine-error';
import { CallLimit } from './call-limit';
import { HostError } from '../../transport/host-error';
import type { ContainerInspect, ContainerSummary, ImageHistoryEntry, ImageInspect, ImageSummary, NetworkCreateBody, NetworkSummary, VolumeCreateBody, VolumeSummary } from '../engine-objects';
import type { EngineProfile } from '../engine-profile';
import { type BuildkitSession, openBuildkitSession } from './buildkit-session';
import { followContainerLogs, readContainerLogs } from './container-logs';
import { engineDetailsFrom } from './engine-info';
import { followProgress, progressError } from './follow-progress';

/** What an Engine API driver is made of, once its engine answered (connect-engine-api.ts). */
export interface EngineApiConnection {
  readonly host: string;
  readonly info: EngineInfo;
  /** dockerode, over the host connection's HTTP agent. */
  readonly docker: Docker;
  readonly agent: http.Agent;
  readonly requestTimeoutMs: number;
  /** Reads the engine's clock. */
  readonly now: () => Promise<number>;
  readonly close: () => void;
}

type Dial = (options: object, callback: (error: Error | null, data: NodeJS.ReadableStream) => void) => void;

/**
 * A driver for an engine that serves the Docker Engine API (Docker Engine; Podman's
 * compatible API): the one place that calls dockerode. dockerode (with docker-modem) is the
 * well-kept client of that API: typed calls, streams and demultiplexing, through any
 * http.Agent, so it runs unchanged over SSH stream-local forwards. What one engine does
 * differently is in its subclass (docker/, podman/) and its profile, never here.
 */
export abstract class EngineApiDriver implements EngineDriver {
  public abstract readonly profile: EngineProfile;
  public readonly host: string;
  public readonly info: EngineInfo;
  public readonly requestTimeoutMs: number;
  protected readonly docker: Docker;
  protected readonly agent: http.Agent;
  private loadedDetails: Promise<EngineDetails> | undefined;
  private lifecycleLimit: CallLimit | undefined;
  /** HOIST_ENGINE_CONCURRENCY, checked when the driver is made (before anything changes). */
  private readonly lifecycleOverride: number | undefined;

  protected constructor(private readonly connection: EngineApiConnection) {
    this.host = connection.host;
    this.info = connection.info;
    this.docker = connection.docker;
    this.agent = connection.agent;
    this.requestTimeoutMs = connection.requestTimeoutMs;
    const override = process.env.HOIST_ENGINE_CONCURRENCY;
    if (override !== undefined && override !== '') {
      if (!/^[1-9]\d*$/.test(override)) {
        throw new HostError(this.host, 'engine', `HOIST_ENGINE_CONCURRENCY=${JSON.stringify(override)}: must be a whole number of 1 or more (how many container creates and starts go to this host's engine at once); unset it to use the engine's own choice`);
      }
      this.lifecycleOverride = Number(override);
    }
  }

  public get kind(): EngineKind {
    return this.info.kind;
  }

  public details(): Promise<EngineDetails> {
    return (this.loadedDetails ??= Promise.all([this.docker.version(), this.docker.info()])
      .then(([v, i]) => engineDetailsFrom(v as unknown as Record<string, any>, i as Record<string, any>)));
  }

  public async defaultLogDriver(): Promise<string> {
    return (await this.details()).loggingDriver;
  }

  public now(): Promise<number> {
    return this.connection.now();
  }

  public close(): void {
    this.connection.close();
  }

  /**
   * The reason behind an engine's error answer. Subclasses add their engine's own ways of
   * saying the same (Podman answers some of these with 500 and a message).
   */
  protected reasonOf(statusCode: number | undefined, message: string): EngineErrorReason {
    if (statusCode === 404) return 'not-found';
    if (statusCode === 409) return /already in progress/.test(message) ? 'removal-in-progress' : 'conflict';
    // Docker answers a read of a container that another request is removing with a 500 that
    // names the container's missing layer (seen when parallel runs take over one lock).
    if (statusCode === 500 && /RWLayer of container .* is unexpectedly nil|marked for removal/i.test(message)) return 'removal-in-progress';
    return 'failed';
  }

  /** Runs one engine call and turns its error into an {@link EngineError} with the engine's message. */
  protected async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.translate(error);
    }
  }

  protected translate(error: unknown): Error {
    if (error instanceof EngineError) return error;
    const e = error as { statusCode?: number; message?: string; json?: unknown };
    if (typeof e?.statusCode !== 'number') return error as Error;
    const detail = `${e.message ?? ''} ${e.json ? JSON.stringify(e.json) : ''}`;
    const translated = new EngineError(String(e.message), this.reasonOf(e.statusCode, detail), e.statusCode);
    translated.stack = (error as Error).stack;
    return translated;
  }

  public listContainers(): Promise<ContainerSummary[]> {
    return this.call(async () => await this.docker.listContainers({ all: true }) as unknown as ContainerSummary[]);
  }

  public inspectContainer(ref: string): Promise<ContainerInspect> {
    return this.call(async () => await this.docker.getContainer(ref).inspect() as unknown as ContainerInspect);
  }

  public createContainer(name: string, body: Record<string, unknown>): Promise<string> {
    // dockerode sends every create option in the query string too unless `_query` names the
    // query: the whole config (env with secret values, labels with the recorded spec) in the
    // URL, which engines refuse with 431 once it passes 1 MiB, and which request logs record.
    return this.lifecycle().run(() => this.call(async () => (await this.docker.createContainer({ _query: { name }, _body: body } as never)).id));
  }

  public async startContainer(ref: string): Promise<void> {
    // Starting a started container answers 304: not an error here.
    await this.lifecycle().run(() => this.call(() => this.docker.getContainer(ref).start())).catch(notModified);
  }

  /**
   * The limit on creates and starts at once: the profile's, or HOIST_ENGINE_CONCURRENCY's (for
   * measuring other limits, as bench/apply.bench.ts --concurrency does).
   */
  private lifecycle(): CallLimit {
    return (this.lifecycleLimit ??= new CallLimit(this.lifecycleOverride ?? this.profile.lifecycleConcurrency));
  }

  public async stopContainer(ref: string, timeoutSeconds: number | null): Promise<void> {
    await this.call(() => this.docker.getContainer(ref).stop(timeoutSeconds === null ? {} : { t: timeoutSeconds })).catch(notModified);
  }

  public async renameContainer(ref: string, name: string): Promise<void> {
    await this.call(() => this.docker.getContainer(ref).rename({ name }));
  }

  public async removeContainer(ref: string): Promise<void> {
    // Never `v: true`: that takes the anonymous volumes an image declares (a database's data).
    await this.call(() => this.docker.getContainer(ref).remove({ force: true, v: false }));
  }

  public async updateContainer(ref: string, update: ContainerUpdate): Promise<void> {
    await this.call(() => this.docker.getContainer(ref).update({
      NanoCpus: update.nanoCpus, Memory: update.memoryBytes, MemorySwap: update.memorySwapBytes,
      MemoryReservation: update.memoryReservationBytes, PidsLimit: update.pidsLimit,
      RestartPolicy: { Name: update.restart.policy, MaximumRetryCount: update.restart.maxRetries },
    }));
  }

  public async putArchive(ref: string, directory: string, archive: Buffer): Promise<void> {
    await this.call(() => this.docker.getContainer(ref).putArchive(archive, { path: directory }));
  }

  public getArchive(ref: string, path: string): Promise<Readable> {
    return this.call(async () => await this.docker.getContainer(ref).getArchive({ path }) as unknown as Readable);
  }

  public readLogs(ref: string, options: LogReadOptions = {}): Promise<ContainerLogText> {
    return this.call(() => readContainerLogs(this.docker.getContainer(ref), options));
  }

  public async followLogs(ref: string, options: LogFollowOptions): Promise<void> {
    const container = this.docker.getContainer(ref);
    const tty = (await this.call(() => container.inspect())).Config?.Tty === true;
    await this.call(() => followContainerLogs(container, { ...options, tty }));
  }

  public async execInteractive(ref: string, argv: readonly string[], options: InteractiveExecOptions): Promise<number | null> {
    const exec = await this.call(() => this.docker.getContainer(ref).exec({
      Cmd: [...argv], AttachStdin: options.stdin !== null, AttachStdout: true, AttachStderr: true, Tty: options.tty,
      ...(options.user ? { User: options.user } : {}), ...(options.env ? { Env: [...options.env] } : {}),
    }));
    const stream = await this.call(() => exec.start({ hijack: true, stdin: options.stdin !== null, Tty: options.tty }) as Promise<NodeJS.ReadWriteStream>);
    if (options.tty && options.size) await exec.resize({ h: options.size.rows, w: options.size.columns }).catch(() => undefined);
    if (options.tty) stream.pipe(options.stdout, { end: false });
    else this.docker.modem.demuxStream(stream, options.stdout, options.stderr);
    if (options.stdin) {
      options.stdin.pipe(stream);
      // The command reads to the end of its input: half-close the connection when ours ends.
      options.stdin.on('end', () => (stream as unknown as { end(): void }).end());
    }
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    options.stdin?.unpipe(stream);
    const inspected = await this.call(() => exec.inspect());
    return typeof inspected.ExitCode === 'number' ? inspected.ExitCode : null;
  }

  public async exec(ref: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const limit = options.maxOutputBytes ?? 1024 * 1024;
    const exec = await this.call(() => this.docker.getContainer(ref).exec({
      Cmd: [...argv], AttachStdout: true, AttachStderr: true, ...(options.user ? { User: options.user } : {}), ...(options.env ? { Env: [...options.env] } : {}),
    }));
    const stream = await this.call(() => exec.start({ hijack: true, stdin: false }) as Promise<NodeJS.ReadWriteStream>);
    let truncated = false;
    const collect = () => {
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      let kept = 0;
      sink.on('data', (chunk: Buffer) => {
        const room = limit - kept;
        if (chunk.length > room) truncated = true;
        if (room > 0) chunks.push(chunk.subarray(0, room));
        kept += Math.min(room, chunk.length);
      });
      return { sink, bytes: () => Buffer.concat(chunks) };
    };
    const out = collect();
    const err = collect();
    // docker-modem's demultiplexer splits the stdout/stderr frames of a non-TTY exec.
    this.docker.modem.demuxStream(stream, out.sink, err.sink);
    const timedOut = await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => {
        (stream as unknown as { destroy(): void }).destroy();
        resolve(true);
      }, options.timeoutMs ?? 60_000);
      const done = () => {
        clearTimeout(timer);
        resolve(false);
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(this.translate(error));
      });
    });
    const inspected = timedOut ? undefined : await this.call(() => exec.inspect());
    return { stdout: out.bytes(), stderr: err.bytes(), exitCode: inspected?.Running === false ? inspected.ExitCode ?? null : null, truncated, timedOut };
  }

  public async stats(ref: string): Promise<ContainerStats> {
    const raw = await this.call(() => this.docker.getContainer(ref).stats({ stream: false }) as unknown as Promise<Record<string, any>>);
    return statsFrom(raw);
  }

  public async watchEvents(filter: EventFilter, options: WatchOptions): Promise<void> {
    const filters: Record<string, string[]> = {};
    if (filter.types) filters.type = [...filter.types];
    if (filter.labels) filters.label = [...filter.labels];
    if (options.signal.aborted) return;
    const stream = await this.call(() => this.docker.getEvents({ filters: JSON.stringify(filters) } as never) as unknown as Promise<NodeJS.ReadableStream>);
    const day = 24 * 60 * 60 * 1000;
    try {
      // An event stream is quiet for as long as nothing happens: no idle limit short of its end.
      await followProgress(this, stream, `watching events on ${this.host}`, {
        signal: options.signal, idleTimeoutMs: options.maxDurationMs ?? day, maxDurationMs: options.maxDurationMs ?? day,
        onEvent: (raw) => options.onEvent(this.eventFrom(raw)),
      });
    } catch (error) {
      if (options.signal.aborted) return;
      throw error;
    }
  }

  /** An Engine API event in Hoist's shape; engines that name actions differently override it. */
  protected eventFrom(raw: Readonly<Record<string, unknown>>): EngineEvent {
    const actor = (raw.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
    const attributes = { ...(actor.Attributes ?? {}) };
    const nanos = Number(raw.timeNano ?? 0);
    return {
      type: String(raw.Type ?? raw.type ?? ''),
      action: String(raw.Action ?? raw.status ?? ''),
      id: String(actor.ID ?? raw.id ?? ''),
      name: attributes.name ?? null,
      attributes,
      time: nanos > 0 ? Math.floor(nanos / 1e6) : Number(raw.time ?? 0) * 1000,
    };
  }

  public async runHealthCheck(_ref: string): Promise<void> {
    // Docker Engine runs health checks itself.
  }

  public listImages(filter?: { readonly label?: readonly string[] }): Promise<ImageSummary[]> {
    return this.call(async () => await this.docker.listImages(filter?.label ? { filters: JSON.stringify({ label: filter.label }) } : {}) as unknown as ImageSummary[]);
  }

  public inspectImage(ref: string): Promise<ImageInspect> {
    return this.call(async () => await this.docker.getImage(ref).inspect() as unknown as ImageInspect);
  }

  public imageHistory(ref: string): Promise<ImageHistoryEntry[]> {
    return this.call(async () => await this.docker.getImage(ref).history() as ImageHistoryEntry[]);
  }

  public async tagImage(ref: string, repository: string, tag: string): Promise<void> {
    await this.call(() => this.docker.getImage(ref).tag({ repo: repository, tag }));
  }

  public async removeImage(ref: string): Promise<void> {
    await this.call(() => this.docker.getImage(ref).remove({ noprune: false }));
  }

  public async pullImage(reference: string, auth: RegistryAuth | undefined, what: string, options: ProgressOptions = {}): Promise<void> {
    const stream = await this.call(() => this.docker.pull(reference, auth ? { authconfig: auth } : {}) as Promise<NodeJS.ReadableStream>);
    await followProgress(this, stream, what, options);
  }

  public async pushImage(reference: string, auth: RegistryAuth | undefined, what: string, options: ProgressOptions = {}): Promise<void> {
    const stream = await this.call(() => this.docker.getImage(reference).push({ authconfig: auth ?? {} } as never) as unknown as Promise<NodeJS.ReadableStream>);
    await followProgress(this, stream, what, options);
  }

  public async loadImage(archive: Readable, what: string, options: ProgressOptions = {}): Promise<void> {
    const response = await this.call(() => this.docker.loadImage(archive as unknown as NodeJS.ReadableStream, { quiet: true }) as unknown as Promise<NodeJS.ReadableStream>);
    // The answer mixes JSON lines with plain progress text; only the JSON can say it failed.
    await followProgress(this, response, what, { ...options, invalidLines: 'skip' });
  }

  public saveImage(ref: string): Promise<Readable> {
    return this.call(async () => await this.docker.getImage(ref).get() as unknown as Readable);
  }

  public async importImage(rootfs: Buffer, repository: string, what: string): Promise<void> {
    const stream = await this.call(() => this.docker.importImage(Readable.from([rootfs]) as never, { repo: repository }) as unknown as Promise<NodeJS.ReadableStream>);
    let failure: string | undefined;
    await followProgress(this, stream, what, { onEvent: (event) => (failure ??= progressError(event)) });
    if (failure) throw new EngineError(`${what} failed: ${failure}`, 'failed');
  }

  public async buildImage(request: ImageBuildRequest, what: string, options: ProgressOptions = {}): Promise<void> {
    // Build secrets need BuildKit, which the engine drives through a session that serves them.
    let session: BuildkitSession | undefined;
    if (request.secrets?.size) {
      if (!this.profile.buildSecrets) throw new Error(`${what}: build secrets need a Docker Engine builder; ${this.host} runs ${this.kind}`);
      session = await openBuildkitSession({ host: this.host, agent: this.agent, apiVersion: this.info.apiVersion }, request.secrets, request.secretChannel);
    }
    try {
      const query = { ...request.query, ...(session ? { version: '2', session: session.id } : {}) };
      // Straight through the modem, not dockerode's buildImage: for a BuildKit build (version 2)
      // that opens a session of its own and puts its id in the request, so the engine would ask
      // that session, which serves no secrets, and mount nothing.
      const signal = session?.signal;
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
        (this.docker.modem as unknown as { dial: Dial }).dial({
          path: '/build?',
          method: 'POST',
          file: request.context,
          options: query,
          isStream: true,
          statusCodes: { 200: true, 500: 'server error' },
          abortSignal: signal,
        }, (error, data) => (error ? reject(signal?.aborted ? signal.reason : error) : resolve(data)));
      });
      await followProgress(this, stream, what, { ...options, signal: signal ?? options.signal });
    } finally {
      session?.close();
    }
  }

  public listNetworks(): Promise<NetworkSummary[]> {
    return this.call(async () => await this.docker.listNetworks() as unknown as NetworkSummary[]);
  }

  public async createNetwork(body: NetworkCreateBody): Promise<void> {
    await this.call(() => this.docker.createNetwork(body as never));
  }

  public async removeNetwork(ref: string): Promise<void> {
    await this.call(() => this.docker.getNetwork(ref).remove());
  }

  public async connectNetwork(network: string, container: string, aliases: readonly string[]): Promise<void> {
    await this.call(() => this.docker.getNetwork(network).connect({ Container: container, EndpointConfig: aliases.length ? { Aliases: [...aliases] } : {} }));
  }

  public async disconnectNetwork(network: string, container: string): Promise<void> {
    await this.call(() => this.docker.getNetwork(network).disconnect({ Container: container, Force: true }));
  }

  public async listVolumes(filter?: { readonly label?: readonly string[]; readonly name?: readonly string[] }): Promise<VolumeSummary[]> {
    const filters: Record<string, readonly string[]> = {};
    if (filter?.label) filters.label = filter.label;
    if (filter?.name) filters.name = filter.name;
    const answer = await this.call(() => this.docker.listVolumes(Object.keys(filters).length ? { filters: JSON.stringify(filters) } as never : {}));
    return ((answer as { Volumes?: VolumeSummary[] | null }).Volumes ?? []);
  }

  public async createVolume(body: VolumeCreateBody): Promise<void> {
    await this.call(async () => { await this.docker.createVolume(body as never); });
  }

  public async removeVolume(name: string): Promise<void> {
    await this.call(() => this.docker.getVolume(name).remove());
  }
}

/** "Not modified" (starting a started container, stopping a stopped one) is success here. */
function notModified(error: unknown): void {
  if ((error as EngineError).statusCode !== 304) throw error;
}

/**
 * One stats answer (GET /containers/{id}/stats?stream=false) as Hoist reports it: CPU as a
 * share of one CPU between the answer's two samples, memory without the page cache where the
 * engine says how much of it is cache (cgroup v1 `cache`, v2 `inactive_file`), as `docker
 * stats` shows it.
 */
export function statsFrom(raw: Record<string, any>): ContainerStats {
  const cpu = raw.cpu_stats ?? {};
  const previous = raw.precpu_stats ?? {};
  const used = Number(cpu.cpu_usage?.total_usage ?? 0) - Number(previous.cpu_usage?.total_usage ?? 0);
  const elapsed = Number(cpu.system_cpu_usage ?? 0) - Number(previous.system_cpu_usage ?? 0);
  const online = Number(cpu.online_cpus ?? cpu.cpu_usage?.percpu_usage?.length ?? 1) || 1;
  const memory = raw.memory_stats ?? {};
  const cache = Number(memory.stats?.inactive_file ?? memory.stats?.cache ?? 0);
  const limit = Number(memory.limit ?? 0);
  return {
    cpus: previous.system_cpu_usage && elapsed > 0 ? Math.max(0, (used / elapsed) * online) : null,
    memoryBytes: Math.max(0, Number(memory.usage ?? 0) - cache),
    // Engines report a huge number (2^63) for an unlimited container; some report the host's memory.
    memoryLimitBytes: limit > 0 && limit < 2 ** 62 ? limit : null,
    pids: Number(raw.pids_stats?.current ?? 0),
    ...networkBytes(raw.networks),
  };
}

/** Bytes in and out summed over a container's network interfaces, if the engine reports them. */
function networkBytes(networks: Record<string, { rx_bytes?: number; tx_bytes?: number }> | null | undefined): { networkRxBytes: number | null; networkTxBytes: number | null } {
  if (!networks || typeof networks !== 'object' || Object.keys(networks).length === 0) return { networkRxBytes: null, networkTxBytes: null };
  const values = Object.values(networks);
  return { networkRxBytes: values.reduce((n, i) => n + Number(i.rx_bytes ?? 0), 0), networkTxBytes: values.reduce((n, i) => n + Number(i.tx_bytes ?? 0), 0) };
}
