import { createHash, randomBytes } from 'node:crypto';
import * as path from 'node:path/posix';
import { Readable } from 'node:stream';
import type { EngineKind } from '../../graph/graph-document';
import type { ContainerLogText, ContainerStats, ContainerUpdate, EngineDetails, EngineDriver, EngineEvent, EngineInfo, EventFilter, ExecOptions, ExecResult, ImageBuildRequest, InteractiveExecOptions, LogFollowOptions, LogReadOptions, ProgressOptions, RegistryAuth, WatchOptions } from '../engine-driver';
import { EngineError } from '../engine-error';
import type { ContainerInspect, ContainerSummary, ImageHistoryEntry, ImageInspect, ImageSummary, NetworkCreateBody, NetworkSummary, VolumeCreateBody, VolumeSummary } from '../engine-objects';
import type { EngineProfile } from '../engine-profile';
import { tarArchive } from '../tar-archive';
import { ENGINES } from '../engines';

/** An image the fake engine holds, or a registry offers it. */
export interface FakeImage {
  /** Image config as the Engine API reports it (Env, Cmd, Entrypoint, User, WorkingDir, Volumes, Healthcheck, Labels). */
  readonly config?: Record<string, unknown>;
  /** Layer diff ids. @default one layer derived from the reference */
  readonly layers?: readonly string[];
}

/** Options for a {@link FakeEngine}. */
export interface FakeEngineOptions {
  readonly host: string;
  /** Which engine it behaves as (its profile). @default docker */
  readonly kind?: EngineKind;
  /** What a pull can fetch, by reference. @default nothing */
  readonly registry?: Readonly<Record<string, FakeImage>>;
}

/** What a started container does, as a test decides it. */
export interface FakeRunBehaviour {
  /** Its health check result once started. @default healthy */
  readonly health?: 'healthy' | 'unhealthy';
  /** Exits at once with this code (a job); undefined keeps it running. */
  readonly exitCode?: number;
  /** What it printed. */
  readonly logs?: string;
}

interface FakeContainer {
  id: string;
  name: string;
  created: string;
  body: Record<string, unknown>;
  imageId: string;
  imageReference: string;
  status: 'created' | 'running' | 'exited';
  exitCode: number;
  health: 'starting' | 'healthy' | 'unhealthy' | null;
  logs: string;
  networks: Map<string, string[]>;
  mounts: { Type: string; Name?: string; Source?: string; Destination: string; RW: boolean }[];
  files: Map<string, Buffer>;
  updated?: ContainerUpdate;
}

interface StoredImage {
  id: string;
  references: Set<string>;
  config: Record<string, unknown>;
  layers: string[];
  labels: Record<string, string>;
  created: number;
}

/**
 * An engine in memory, with the behaviour Hoist relies on from real ones: names unique per
 * kind (a taken name is a `conflict`), ids, labels, run states, health, image references,
 * volumes that outlive containers unless removed by name, networks and aliases, and archives
 * in and out of a container's filesystem. Its drivers ({@link FakeEngine.driver}) implement
 * {@link EngineDriver} in full for containers, networks, volumes, pulls, locks and history;
 * image archives (save/load) and builds are refused with a clear error, since they are only
 * meaningful against a real engine (the integration suite covers them).
 *
 * For unit tests of apply, rollback, interrupts and locks that run in milliseconds; the
 * integration suite still runs every behaviour on real Docker Engine and Podman hosts.
 */
export class FakeEngine {
  public readonly host: string;
  public readonly kind: EngineKind;
  /** The engine's clock, in ms; tests move it to expire locks. */
  public clock = Date.parse('2026-01-01T00:00:00Z');
  /** Decides what each started container does; by default it runs and is healthy. */
  public behaviour: (container: { name: string; image: string; env: readonly string[] }) => FakeRunBehaviour = () => ({});
  /** Answers a command run in a container; by default it succeeds and prints nothing. */
  public execute: (container: string, argv: readonly string[]) => { exitCode: number; stdout?: string; stderr?: string } = () => ({ exitCode: 0 });
  /**
   * Called before every driver call with its name and arguments; a test throws from it to
   * fail a call, or uses it to interrupt a run at an exact point.
   */
  public beforeCall: (operation: string, args: readonly unknown[]) => void = () => undefined;
  /** Every call made, in order, as `operation name-or-id`. */
  public readonly calls: string[] = [];
  private readonly containers = new Map<string, FakeContainer>();
  private readonly images = new Map<string, StoredImage>();
  private readonly networks = new Map<string, NetworkSummary>();
  private readonly volumes = new Map<string, VolumeSummary>();
  /** Files in volumes, by volume name and path within it: they outlive containers, as on engines. */
  private readonly volumeFiles = new Map<string, Map<string, Buffer>>();
  private readonly registry: Readonly<Record<string, FakeImage>>;
  private readonly watchers = new Set<(event: EngineEvent) => void>();
  private readonly printers = new Set<(container: FakeContainer, text: string) => void>();

  public constructor(options: FakeEngineOptions) {
    this.host = options.host;
    this.kind = options.kind ?? 'docker';
    this.registry = options.registry ?? {};
  }

  /** A driver connected to this engine (each call gives a new connection to the same engine). */
  public driver(): EngineDriver {
    return new FakeDriver(this);
  }

  /** Puts an image on the engine as if pulled or loaded; returns its id. */
  public addImage(reference: string, image: FakeImage = {}): string {
    const id = `sha256:${createHash('sha256').update(reference + JSON.stringify(image.config ?? {})).digest('hex')}`;
    const stored = this.images.get(id) ?? { id, references: new Set<string>(), config: { ...(image.config ?? {}) }, layers: [...(image.layers ?? [`sha256:${createHash('sha256').update(reference).digest('hex')}`])], labels: { ...((image.config?.Labels as Record<string, string>) ?? {}) }, created: Math.floor(this.clock / 1000) };
    for (const other of this.images.values()) other.references.delete(reference);
    stored.references.add(reference);
    this.images.set(id, stored);
    return id;
  }

  /** Names of every container, sorted (for assertions). */
  public containerNames(): string[] {
    return [...this.containers.values()].map((c) => c.name).sort();
  }

  /** Names of every volume, sorted. */
  public volumeNames(): string[] {
    return [...this.volumes.keys()].sort();
  }

  /** Names of every network, sorted. */
  public networkNames(): string[] {
    return [...this.networks.keys()].sort();
  }

  /** @internal */
  public call(operation: string, args: readonly unknown[]): void {
    this.calls.push(`${operation} ${args.filter((a) => typeof a === 'string').join(' ')}`.trim());
    this.beforeCall(operation, args);
  }

  /** A running container prints a line (its log grows, and followers see it). */
  public print(ref: string, text: string): void {
    const c = this.container(ref);
    c.logs += `${text}\n`;
    for (const listener of this.printers) listener(c, text);
  }

  /** @internal */
  public onPrint(listener: (container: FakeContainer, text: string) => void): () => void {
    this.printers.add(listener);
    return () => this.printers.delete(listener);
  }

  /** @internal */
  public watch(listener: (event: EngineEvent) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /** A container event, as Docker Engine reports it (the container's labels, name and image as attributes). */
  private emit(c: FakeContainer, action: string, extra: Record<string, string> = {}): void {
    const event: EngineEvent = {
      type: 'container', action, id: c.id, name: c.name,
      attributes: { ...((c.body.Labels as Record<string, string>) ?? {}), name: c.name, image: c.imageReference, ...extra }, time: this.clock,
    };
    for (const watcher of this.watchers) watcher(event);
  }

  /** @internal */
  public container(ref: string): FakeContainer {
    const found = this.containers.get(ref) ?? [...this.containers.values()].find((c) => c.name === ref || (ref.length >= 12 && c.id.startsWith(ref)));
    if (!found) throw new EngineError(`No such container: ${ref}`, 'not-found', 404);
    return found;
  }

  /** @internal */
  public image(ref: string): StoredImage {
    const found = this.images.get(ref) ?? [...this.images.values()].find((i) => i.references.has(ref) || i.references.has(withTag(ref)) || (ref.length >= 12 && i.id.replace('sha256:', '').startsWith(ref.replace('sha256:', ''))));
    if (!found) throw new EngineError(`No such image: ${ref}`, 'not-found', 404);
    return found;
  }

  /** @internal */
  public createContainer(name: string, body: Record<string, unknown>): string {
    if ([...this.containers.values()].some((c) => c.name === name)) throw new EngineError(`Conflict. The container name "/${name}" is already in use`, 'conflict', 409);
    const image = this.image(String(body.Image));
    const host = (body.HostConfig ?? {}) as Record<string, any>;
    const mounts: FakeContainer['mounts'] = [];
    for (const m of (host.Mounts ?? []) as Record<string, any>[]) {
      if (m.Type === 'volume') {
        if (!this.volumes.has(m.Source)) this.volumes.set(m.Source, { Name: m.Source, Driver: 'local', Labels: {}, Options: {} });
        mounts.push({ Type: 'volume', Name: m.Source, Destination: m.Target, RW: m.ReadOnly !== true });
      } else if (m.Type === 'bind') {
        mounts.push({ Type: 'bind', Source: m.Source, Destination: m.Target, RW: m.ReadOnly !== true });
      }
    }
    // The image's VOLUME paths not mounted otherwise get anonymous volumes, as engines do.
    for (const target of Object.keys((image.config.Volumes as Record<string, unknown>) ?? {})) {
      if (mounts.some((m) => m.Destination === target)) continue;
      const volume = randomBytes(32).toString('hex');
      this.volumes.set(volume, { Name: volume, Driver: 'local', Labels: {}, Options: {} });
      mounts.push({ Type: 'volume', Name: volume, Destination: target, RW: true });
    }
    const networks = new Map<string, string[]>();
    const endpoints = ((body.NetworkingConfig as Record<string, any>)?.EndpointsConfig ?? {}) as Record<string, { Aliases?: string[] }>;
    for (const [network, endpoint] of Object.entries(endpoints)) {
      if (!this.networks.has(network)) throw new EngineError(`network ${network} not found`, 'not-found', 404);
      networks.set(network, [...(endpoint.Aliases ?? [])]);
    }
    const id = randomBytes(32).toString('hex');
    this.containers.set(id, {
      id, name, created: new Date(this.clock).toISOString(), body: structuredClone(body), imageId: image.id, imageReference: String(body.Image),
      status: 'created', exitCode: 0, health: null, logs: '', networks, mounts, files: new Map(),
    });
    this.emit(this.containers.get(id)!, 'create');
    return id;
  }

  /** @internal */
  public start(ref: string): void {
    const c = this.container(ref);
    if (c.status === 'running') return;
    const behaviour = this.behaviour({ name: c.name, image: c.imageReference, env: (c.body.Env as string[]) ?? [] });
    c.logs = behaviour.logs ?? c.logs;
    this.emit(c, 'start');
    if (behaviour.exitCode !== undefined) {
      c.status = 'exited';
      c.exitCode = behaviour.exitCode;
      this.emit(c, 'die', { exitCode: String(c.exitCode) });
      return;
    }
    c.status = 'running';
    c.health = this.healthTest(c) ? (behaviour.health ?? 'healthy') : null;
  }

  /** @internal */
  public stop(ref: string): void {
    const c = this.container(ref);
    if (c.status !== 'running') return;
    c.status = 'exited';
    c.exitCode = 0;
    c.health = this.healthTest(c) ? 'unhealthy' : null;
    this.emit(c, 'die', { exitCode: '0' });
    this.emit(c, 'stop');
  }

  /** @internal */
  public rename(ref: string, name: string): void {
    const c = this.container(ref);
    if ([...this.containers.values()].some((o) => o.name === name && o !== c)) throw new EngineError(`Conflict. The container name "/${name}" is already in use`, 'conflict', 409);
    c.name = name;
  }

  /** @internal */
  public removeContainer(ref: string): void {
    const c = this.container(ref);
    if (c.status === 'running') this.emit(c, 'die', { exitCode: '137' });
    this.containers.delete(c.id);
    this.emit(c, 'destroy');
  }

  /** @internal */
  public removeVolume(name: string): void {
    if (!this.volumes.has(name)) throw new EngineError(`no such volume: ${name}`, 'not-found', 404);
    const user = [...this.containers.values()].find((c) => c.mounts.some((m) => m.Name === name));
    if (user) throw new EngineError(`remove ${name}: volume is in use - [${user.id}]`, 'conflict', 409);
    this.volumes.delete(name);
    this.volumeFiles.delete(name);
  }

  /** @internal */
  public inspect(c: FakeContainer): ContainerInspect {
    const { HostConfig, NetworkingConfig, ...config } = c.body as Record<string, any>;
    void NetworkingConfig;
    const image = this.images.get(c.imageId);
    const imageConfig = image?.config ?? {};
    return {
      Id: c.id,
      Name: `/${c.name}`,
      Image: c.imageId,
      Created: c.created,
      Config: {
        ...config,
        // The image's settings apply where the create left them out, as engines report them.
        Env: [...(((imageConfig.Env as string[]) ?? []).filter((e) => !(config.Env ?? []).some((x: string) => x.split('=')[0] === e.split('=')[0]))), ...(config.Env ?? [])],
        Cmd: config.Cmd ?? imageConfig.Cmd ?? null,
        Entrypoint: config.Entrypoint ?? imageConfig.Entrypoint ?? null,
        User: config.User ?? imageConfig.User ?? '',
        WorkingDir: config.WorkingDir ?? imageConfig.WorkingDir ?? '',
        Healthcheck: this.healthTest(c) ?? null,
        Labels: { ...((imageConfig.Labels as Record<string, string>) ?? {}), ...(config.Labels ?? {}) },
      },
      State: {
        Status: c.status,
        Running: c.status === 'running',
        ExitCode: c.exitCode,
        ...(c.health ? { Health: { Status: c.health, Log: [{ Output: c.health === 'healthy' ? '' : 'check failed' }] } } : {}),
      },
      HostConfig: { ...(HostConfig ?? {}), ...(c.updated ? updateFields(c.updated) : {}) },
      Mounts: c.mounts.map((m) => ({ ...m })),
      NetworkSettings: { Networks: Object.fromEntries([...c.networks].map(([n, aliases]) => [n, { Aliases: [c.id.slice(0, 12), ...aliases] }])) },
    };
  }

  /** @internal */
  public summary(c: FakeContainer): ContainerSummary {
    const health = c.health ? ` (${c.health === 'starting' ? 'health: starting' : c.health})` : '';
    return {
      Id: c.id, Names: [`/${c.name}`], Image: c.imageReference, ImageID: c.imageId, Created: Math.floor(Date.parse(c.created) / 1000),
      State: c.status, Status: c.status === 'running' ? `Up 1 second${health}` : c.status === 'exited' ? `Exited (${c.exitCode}) 1 second ago` : 'Created',
      Labels: { ...((c.body.Labels as Record<string, string>) ?? {}) },
    };
  }

  private healthTest(c: FakeContainer): { Test: string[] } | null {
    const own = c.body.Healthcheck as { Test?: string[] } | undefined;
    const fromImage = this.images.get(c.imageId)?.config.Healthcheck as { Test?: string[] } | undefined;
    const test = own ?? fromImage;
    return test?.Test && test.Test.length > 0 && test.Test[0] !== 'NONE' ? test as { Test: string[] } : null;
  }

  /** @internal */
  public allContainers(): FakeContainer[] {
    return [...this.containers.values()];
  }

  /** @internal */
  public allImages(): StoredImage[] {
    return [...this.images.values()];
  }

  /**
   * Where a path of a container's filesystem is stored: in the volume mounted over it (the
   * longest matching mount), or in the container's own layer.
   * @internal
   */
  public filesAt(c: FakeContainer, file: string): { files: Map<string, Buffer>; path: string } {
    const mount = c.mounts.filter((m) => m.Type === 'volume' && (file === m.Destination || file.startsWith(`${m.Destination.replace(/\/$/, '')}/`)))
      .sort((a, b) => b.Destination.length - a.Destination.length)[0];
    if (!mount) return { files: c.files, path: file };
    let files = this.volumeFiles.get(mount.Name!);
    if (!files) this.volumeFiles.set(mount.Name!, files = new Map());
    return { files, path: `/${path.relative(mount.Destination, file)}`.replace(/\/$/, '') || '/' };
  }

  /** The files of a volume, by path within it (for assertions). */
  public volumeContent(name: string): Map<string, Buffer> {
    return new Map(this.volumeFiles.get(name) ?? []);
  }

  /** @internal */
  public deleteImage(id: string): void {
    this.images.delete(id);
  }

  /** @internal */
  public networkMap(): Map<string, NetworkSummary> {
    return this.networks;
  }

  /** @internal */
  public volumeMap(): Map<string, VolumeSummary> {
    return this.volumes;
  }

  /** @internal */
  public pull(reference: string): void {
    const offered = this.registry[reference] ?? this.registry[withTag(reference)];
    if (!offered) throw new Error(`manifest for ${reference} not found: manifest unknown`);
    this.addImage(withTag(reference), offered);
  }
}

/** The driver of a {@link FakeEngine}: every call goes through the engine's hooks. */
class FakeDriver implements EngineDriver {
  public readonly host: string;
  public readonly kind: EngineKind;
  public readonly info: EngineInfo;
  public readonly profile: EngineProfile;
  public readonly requestTimeoutMs = 1000;

  public constructor(private readonly engine: FakeEngine) {
    this.host = engine.host;
    this.kind = engine.kind;
    this.profile = ENGINES[engine.kind].profile;
    this.info = { kind: engine.kind, version: 'fake', apiVersion: '1.41', os: 'linux', socketPath: 'memory' };
  }

  private async run<T>(operation: string, args: readonly unknown[], work: () => T | Promise<T>): Promise<T> {
    // Asynchronous like a real engine: other work interleaves between calls.
    await Promise.resolve();
    this.engine.call(operation, args);
    return await work();
  }

  public async details(): Promise<EngineDetails> {
    return { arch: 'x86_64', kernel: 'fake', cgroupVersion: '2', storageDriver: 'memory', loggingDriver: 'json-file' };
  }

  public async defaultLogDriver(): Promise<string> {
    return 'json-file';
  }

  public async now(): Promise<number> {
    return this.engine.clock;
  }

  public close(): void {
    // Nothing to release.
  }

  public listContainers(): Promise<ContainerSummary[]> {
    return this.run('listContainers', [], () => this.engine.allContainers().map((c) => this.engine.summary(c)));
  }

  public inspectContainer(ref: string): Promise<ContainerInspect> {
    return this.run('inspectContainer', [ref], () => this.engine.inspect(this.engine.container(ref)));
  }

  public createContainer(name: string, body: Record<string, unknown>): Promise<string> {
    return this.run('createContainer', [name], () => this.engine.createContainer(name, body));
  }

  public startContainer(ref: string): Promise<void> {
    return this.run('startContainer', [ref], () => this.engine.start(ref));
  }

  public stopContainer(ref: string, _timeoutSeconds: number | null): Promise<void> {
    return this.run('stopContainer', [ref], () => this.engine.stop(ref));
  }

  public renameContainer(ref: string, name: string): Promise<void> {
    return this.run('renameContainer', [ref, name], () => this.engine.rename(ref, name));
  }

  public removeContainer(ref: string): Promise<void> {
    return this.run('removeContainer', [ref], () => this.engine.removeContainer(ref));
  }

  public updateContainer(ref: string, update: ContainerUpdate): Promise<void> {
    return this.run('updateContainer', [ref], () => {
      if (!this.profile.updatesInPlace) throw new EngineError('container update is not supported by this engine', 'failed', 501);
      this.engine.container(ref).updated = update;
    });
  }

  public putArchive(ref: string, directory: string, archive: Buffer): Promise<void> {
    return this.run('putArchive', [ref, directory], async () => {
      const c = this.engine.container(ref);
      for (const [name, content] of await untar(archive)) {
        const at = this.engine.filesAt(c, path.join(directory, name));
        at.files.set(at.path, content);
      }
    });
  }

  public getArchive(ref: string, file: string): Promise<Readable> {
    return this.run('getArchive', [ref, file], async () => {
      const c = this.engine.container(ref);
      const at = this.engine.filesAt(c, file);
      const entries = [...at.files].filter(([p]) => p === at.path || p.startsWith(`${at.path.replace(/\/$/, '')}/`));
      if (entries.length === 0) throw new EngineError(`Could not find the file ${file} in container ${c.name}`, 'not-found', 404);
      // Entries are named from the last element of the path asked for, as engines name them.
      const base = path.dirname(at.path);
      return Readable.from([await tarArchive(entries.map(([p, content]) => ({ header: { name: path.relative(base, p), mode: 0o644 }, content })))]);
    });
  }

  public readLogs(ref: string, options: LogReadOptions = {}): Promise<ContainerLogText> {
    return this.run('readLogs', [ref], () => {
      const lines = this.engine.container(ref).logs.split('\n').filter(Boolean);
      return { text: lines.slice(-(options.tail ?? 10)).map((l) => `${l}\n`).join(''), truncated: false };
    });
  }

  public followLogs(ref: string, options: LogFollowOptions): Promise<void> {
    return this.run('followLogs', [ref], async () => {
      const c = this.engine.container(ref);
      const lines = c.logs.split('\n').filter(Boolean);
      for (const text of options.tail === undefined ? lines : lines.slice(-options.tail)) options.onLine({ stream: 'stdout', time: c.created, text });
      if (!options.follow || c.status !== 'running' || options.signal.aborted) return;
      await new Promise<void>((resolve) => {
        const stopPrinting = this.engine.onPrint((container, text) => {
          if (container === c) options.onLine({ stream: 'stdout', time: new Date(this.engine.clock).toISOString(), text });
        });
        const stopWatching = this.engine.watch((event) => {
          if (event.id === c.id && (event.action === 'die' || event.action === 'destroy')) done();
        });
        const done = () => {
          stopPrinting();
          stopWatching();
          options.signal.removeEventListener('abort', done);
          resolve();
        };
        options.signal.addEventListener('abort', done);
      });
    });
  }

  public execInteractive(ref: string, argv: readonly string[], options: InteractiveExecOptions): Promise<number | null> {
    return this.run('execInteractive', [ref, ...argv], () => {
      const c = this.engine.container(ref);
      if (c.status !== 'running') throw new EngineError(`container ${c.id} is not running`, 'conflict', 409);
      const answer = this.engine.execute(c.name, argv);
      if (answer.stdout) options.stdout.write(answer.stdout);
      if (answer.stderr) (options.tty ? options.stdout : options.stderr).write(answer.stderr);
      return answer.exitCode;
    });
  }

  public exec(ref: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.run('exec', [ref, ...argv], () => {
      const c = this.engine.container(ref);
      if (c.status !== 'running') throw new EngineError(`container ${c.id} is not running`, 'conflict', 409);
      const answer = this.engine.execute(c.name, argv);
      const limit = options.maxOutputBytes ?? 1024 * 1024;
      const [stdout, stderr] = [answer.stdout ?? '', answer.stderr ?? ''].map((text) => Buffer.from(text));
      return { stdout: stdout.subarray(0, limit), stderr: stderr.subarray(0, limit), exitCode: answer.exitCode, truncated: stdout.length > limit || stderr.length > limit, timedOut: false };
    });
  }

  public stats(ref: string): Promise<ContainerStats> {
    return this.run('stats', [ref], () => {
      const c = this.engine.container(ref);
      if (c.status !== 'running') throw new EngineError(`container ${c.id} is not running`, 'conflict', 409);
      const limit = Number((c.body.HostConfig as Record<string, unknown> | undefined)?.Memory ?? 0);
      return { cpus: 0, memoryBytes: 1024 * 1024, memoryLimitBytes: limit > 0 ? limit : null, pids: 1, networkRxBytes: 0, networkTxBytes: 0 };
    });
  }

  public async watchEvents(filter: EventFilter, options: WatchOptions): Promise<void> {
    if (options.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const stop = this.engine.watch((event) => {
        if (filter.types && !filter.types.includes(event.type)) return;
        if (filter.labels && !filter.labels.every((l) => matchesLabel(event.attributes, l))) return;
        options.onEvent(event);
      });
      options.signal.addEventListener('abort', () => {
        stop();
        resolve();
      }, { once: true });
    });
  }

  public runHealthCheck(ref: string): Promise<void> {
    return this.run('runHealthCheck', [ref], () => undefined);
  }

  public listImages(filter?: { readonly label?: readonly string[] }): Promise<ImageSummary[]> {
    return this.run('listImages', [], () => this.engine.allImages()
      .filter((i) => (filter?.label ?? []).every((l) => matchesLabel(i.labels, l)))
      .map((i) => ({ Id: i.id, RepoTags: [...i.references], Labels: { ...i.labels }, Created: i.created })));
  }

  public inspectImage(ref: string): Promise<ImageInspect> {
    return this.run('inspectImage', [ref], () => {
      const i = this.engine.image(ref);
      return { Id: i.id, RepoTags: [...i.references], Config: { ...i.config, Labels: { ...i.labels } }, RootFS: { Layers: [...i.layers] } };
    });
  }

  public imageHistory(ref: string): Promise<ImageHistoryEntry[]> {
    return this.run('imageHistory', [ref], () => this.engine.image(ref).layers.map(() => ({ CreatedBy: 'COPY . /', Size: 1 })).reverse());
  }

  public tagImage(ref: string, repository: string, tag: string): Promise<void> {
    return this.run('tagImage', [ref], () => void this.engine.image(ref).references.add(`${repository}:${tag}`));
  }

  public removeImage(ref: string): Promise<void> {
    return this.run('removeImage', [ref], () => {
      const image = this.engine.image(ref);
      if (this.engine.allContainers().some((c) => c.imageId === image.id)) throw new EngineError(`conflict: unable to remove ${ref}: image is being used by a container`, 'conflict', 409);
      if (image.references.has(ref) || image.references.has(withTag(ref))) {
        image.references.delete(ref);
        image.references.delete(withTag(ref));
        if (image.references.size > 0) return;
      }
      this.engine.deleteImage(image.id);
    });
  }

  public pullImage(reference: string, _auth: RegistryAuth | undefined, _what: string, options: ProgressOptions = {}): Promise<void> {
    return this.run('pullImage', [reference], () => {
      try {
        this.engine.pull(reference);
      } catch (error) {
        options.onEvent?.({ error: (error as Error).message });
        return;
      }
      options.onEvent?.({ status: `Status: Downloaded newer image for ${reference}` });
    });
  }

  public pushImage(reference: string): Promise<void> {
    return this.run('pushImage', [reference], () => refuse(this.host, 'push images'));
  }

  public loadImage(): Promise<void> {
    return this.run('loadImage', [], () => refuse(this.host, 'load image archives'));
  }

  public saveImage(ref: string): Promise<Readable> {
    return this.run('saveImage', [ref], () => refuse(this.host, 'save image archives'));
  }

  public importImage(_rootfs: Buffer, repository: string): Promise<void> {
    return this.run('importImage', [repository], () => void this.engine.addImage(withTag(repository), { layers: ['sha256:empty'] }));
  }

  public buildImage(_request: ImageBuildRequest): Promise<void> {
    return this.run('buildImage', [], () => refuse(this.host, 'build images'));
  }

  public listNetworks(): Promise<NetworkSummary[]> {
    return this.run('listNetworks', [], () => [...this.engine.networkMap().values()].map((n) => ({ ...n })));
  }

  public createNetwork(body: NetworkCreateBody): Promise<void> {
    return this.run('createNetwork', [body.Name], () => {
      if (this.engine.networkMap().has(body.Name)) throw new EngineError(`network with name ${body.Name} already exists`, 'conflict', 409);
      this.engine.networkMap().set(body.Name, {
        Id: randomBytes(32).toString('hex'), Name: body.Name, Driver: body.Driver, Internal: body.Internal,
        IPAM: { Config: body.IPAM ? body.IPAM.Config.map((c) => ({ Subnet: c.Subnet })) : [] }, Labels: { ...body.Labels },
      });
    });
  }

  public removeNetwork(ref: string): Promise<void> {
    return this.run('removeNetwork', [ref], () => {
      if (!this.engine.networkMap().has(ref)) throw new EngineError(`network ${ref} not found`, 'not-found', 404);
      if (this.engine.allContainers().some((c) => c.networks.has(ref))) throw new EngineError(`error while removing network: network ${ref} has active endpoints`, 'conflict', 409);
      this.engine.networkMap().delete(ref);
    });
  }

  public connectNetwork(network: string, container: string, aliases: readonly string[]): Promise<void> {
    return this.run('connectNetwork', [network, container], () => {
      if (!this.engine.networkMap().has(network)) throw new EngineError(`network ${network} not found`, 'not-found', 404);
      const c = this.engine.container(container);
      if (c.networks.has(network)) throw new EngineError(`endpoint with name ${c.name} already exists in network ${network}`, 'conflict', 409);
      c.networks.set(network, [...aliases]);
    });
  }

  public disconnectNetwork(network: string, container: string): Promise<void> {
    return this.run('disconnectNetwork', [network, container], () => {
      const c = this.engine.container(container);
      if (!c.networks.delete(network)) throw new EngineError(`container ${c.name} is not connected to network ${network}`, 'failed', 500);
    });
  }

  public listVolumes(filter?: { readonly label?: readonly string[]; readonly name?: readonly string[] }): Promise<VolumeSummary[]> {
    return this.run('listVolumes', [], () => [...this.engine.volumeMap().values()]
      .filter((v) => (filter?.label ?? []).every((l) => matchesLabel(v.Labels ?? {}, l)))
      .filter((v) => !filter?.name || filter.name.some((n) => v.Name.includes(n)))
      .map((v) => ({ ...v })));
  }

  public createVolume(body: VolumeCreateBody): Promise<void> {
    return this.run('createVolume', [body.Name], () => {
      if (this.engine.volumeMap().has(body.Name)) return;
      this.engine.volumeMap().set(body.Name, { Name: body.Name, Driver: body.Driver ?? 'local', Labels: { ...body.Labels }, Options: { ...(body.DriverOpts ?? {}) } });
    });
  }

  public removeVolume(name: string): Promise<void> {
    return this.run('removeVolume', [name], () => this.engine.removeVolume(name));
  }
}

function refuse(host: string, what: string): never {
  throw new EngineError(`the fake engine ${host} cannot ${what}; test that against a real engine`, 'failed', 501);
}

function withTag(reference: string): string {
  return /:[^/]+$/.test(reference) || reference.includes('@') ? reference : `${reference}:latest`;
}

function matchesLabel(labels: Readonly<Record<string, string>>, filter: string): boolean {
  const i = filter.indexOf('=');
  return i < 0 ? filter in labels : labels[filter.slice(0, i)] === filter.slice(i + 1);
}

function updateFields(update: ContainerUpdate): Record<string, unknown> {
  return {
    NanoCpus: update.nanoCpus, Memory: update.memoryBytes, MemorySwap: update.memorySwapBytes, MemoryReservation: update.memoryReservationBytes,
    PidsLimit: update.pidsLimit, RestartPolicy: { Name: update.restart.policy, MaximumRetryCount: update.restart.maxRetries },
  };
}

async function untar(archive: Buffer): Promise<[string, Buffer][]> {
  const tarStream = require('tar-stream') as typeof import('tar-stream');
  const extract = tarStream.extract();
  const files: [string, Buffer][] = [];
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      if (header.type === 'file') files.push([header.name, Buffer.concat(chunks)]);
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    extract.end(archive);
  });
  return files;
}
