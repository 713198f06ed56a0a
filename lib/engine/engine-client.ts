import * as http from 'node:http';
import Docker from 'dockerode';
import { HostError } from '../transport/host-error';
import type { IHostConnection } from '../transport/host-connection';
import { EngineAgent } from './engine-agent';
import { compareApiVersions, DEFAULT_SOCKETS, EngineDetails, engineDetailsFrom, EngineInfo, engineInfoFromPing, MIN_API_VERSION } from './engine-info';

// dockerode (with docker-modem) is the well-kept Engine API client: typed calls, streams and
// demultiplexing, and it works through any http.Agent, so it runs unchanged over SSH
// stream-local forwards. Podman serves the same API, so one client covers both engines.

/** A connected engine: the dockerode client and what was detected about it. */
export interface EngineClient {
  readonly host: string;
  readonly docker: Docker;
  readonly info: EngineInfo;
  /** Architecture, cgroup version, storage and log drivers (one slower round trip, cached). */
  details(): Promise<EngineDetails>;
  /** The log driver of containers created without one (what reads back as "the default"). */
  defaultLogDriver(): Promise<string>;
  /**
   * The engine's clock, in milliseconds since the epoch (from the Date header of a /_ping,
   * so to the second). Lock expiry is measured against it rather than this machine's clock,
   * so two machines whose clocks disagree still agree on when a lock expires.
   */
  now(): Promise<number>;
  close(): void;
}

/** Options for {@link connectEngine}. */
export interface EngineClientOptions {
  /** 'detect' tries Docker's socket, then Podman's. */
  readonly engine: 'docker' | 'podman' | 'detect';
  /** Socket path on the host; default: the engine's standard path. */
  readonly socketPath: string | null;
  /**
   * How long a request may go without any data from the engine before it fails. Long enough
   * for a container stop within its grace period; it exists so an engine that accepts a request
   * and never answers cannot stall a run.
   * @default 120000
   */
  readonly requestTimeoutMs?: number;
}

/**
 * Opens the engine API of a host over its connection, detects the engine from one /_ping
 * (kind, version, API version, OS), and refuses an API older than Hoist speaks.
 */
export async function connectEngine(connection: IHostConnection, options: EngineClientOptions): Promise<EngineClient> {
  const candidates = options.socketPath ? [options.socketPath]
    : options.engine === 'detect' ? [DEFAULT_SOCKETS.docker, DEFAULT_SOCKETS.podman] : [DEFAULT_SOCKETS[options.engine]];
  // /_ping answers at once or never: a short limit keeps detection of a dead socket quick.
  const pingTimeout = Math.min(options.requestTimeoutMs ?? 30_000, 30_000);
  const timeout = options.requestTimeoutMs ?? 120_000;
  let lastError: unknown;
  for (const socketPath of candidates) {
    const agent = new EngineAgent(connection, socketPath);
    try {
      const info = await ping(agent, connection.host, socketPath, pingTimeout);
      if (compareApiVersions(info.apiVersion, MIN_API_VERSION) < 0) {
        throw new HostError(connection.host, 'api-too-old', `${info.kind} ${info.version} serves Engine API ${info.apiVersion}; Hoist needs ${MIN_API_VERSION} or newer (Docker 19.03+, Podman 4+): upgrade the engine`);
      }
      if (options.engine !== 'detect' && info.kind !== options.engine) {
        throw new HostError(connection.host, 'engine', `the host is declared as ${options.engine} but ${socketPath} is served by ${info.kind} ${info.version}; fix engine (or use detect)`);
      }
      const docker = new Docker({ protocol: 'http', host: 'engine', port: 80, agent, timeout, version: `v${info.apiVersion}` } as Docker.DockerOptions);
      let details: Promise<EngineDetails> | undefined;
      const loadDetails = () => (details ??= Promise.all([docker.version(), docker.info()])
        .then(([v, i]) => engineDetailsFrom(v as unknown as Record<string, any>, i as Record<string, any>)));
      return {
        host: connection.host,
        docker,
        info,
        details: loadDetails,
        // Podman's compatible API reports json-file for such containers and leaves /info's
        // LoggingDriver empty; asking it costs over a second, so only Docker is asked.
        defaultLogDriver: async () => (info.kind === 'podman' ? 'json-file' : (await loadDetails()).loggingDriver),
        now: () => engineClock(agent, connection.host, pingTimeout),
        close: () => agent.destroy(),
      };
    } catch (error) {
      agent.destroy();
      if (error instanceof HostError && error.kind !== 'socket-missing') throw error;
      lastError = error;
    }
  }
  if (lastError instanceof HostError) throw lastError;
  throw new HostError(connection.host, 'engine', `the engine at ${candidates.join(' or ')} did not answer (${(lastError as Error)?.message}); is it an Engine API socket?`);
}

/** The engine's time from the Date header every answer of its HTTP server carries. */
function engineClock(agent: http.Agent, host: string, timeout: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ agent, host: 'engine', path: '/_ping', timeout }, (response) => {
      response.resume();
      response.on('end', () => {
        const time = Date.parse(String(response.headers.date ?? ''));
        if (Number.isFinite(time)) resolve(time);
        else reject(new HostError(host, 'engine', `the engine's answer to /_ping has no Date header, so its clock cannot be read for lock expiry`));
      });
    });
    request.on('timeout', () => request.destroy(new HostError(host, 'timeout', `the engine did not answer /_ping within ${timeout} ms`)));
    request.on('error', reject);
  });
}

function ping(agent: http.Agent, host: string, socketPath: string, timeout: number): Promise<EngineInfo> {
  return new Promise((resolve, reject) => {
    const request = http.get({ agent, host: 'engine', path: '/_ping', timeout }, (response) => {
      response.resume();
      response.on('end', () => {
        const info = engineInfoFromPing(response.headers, socketPath);
        if (response.statusCode === 200 && info) resolve(info);
        else reject(new HostError(host, 'engine', `${socketPath} answered /_ping with HTTP ${response.statusCode} and no Api-Version: not an Engine API socket?`));
      });
    });
    request.on('timeout', () => request.destroy(new HostError(host, 'timeout', `the engine at ${socketPath} did not answer within ${timeout} ms`)));
    request.on('error', reject);
  });
}
