import * as http from 'node:http';
import type Docker from 'dockerode';
import { HostError } from '../../transport/host-error';
import type { IHostConnection } from '../../transport/host-connection';
import type { EngineInfo } from '../engine-driver';
import { EngineAgent } from './engine-agent';
import type { EngineApiConnection } from './engine-api-driver';
import { compareApiVersions, engineInfoFromPing, MIN_API_VERSION } from './engine-info';
import { loadDockerode } from './load-dockerode';

/**
 * Opens the Engine API served at `socketPath` on a host, over its connection, and detects
 * the engine from one /_ping (kind, version, API version, OS): Docker Engine and Podman serve
 * the same API, and the ping says which one answered. Refuses an API older than Hoist speaks.
 * Fails with a HostError of kind `socket-missing` when nothing listens there.
 */
export async function openEngineApi(connection: IHostConnection, socketPath: string, requestTimeoutMs: number): Promise<EngineApiConnection> {
  const agent = new EngineAgent(connection, socketPath);
  // /_ping answers at once or never: a short limit keeps detection of a dead socket quick.
  const pingTimeout = Math.min(requestTimeoutMs, 30_000);
  try {
    const info = await ping(agent, connection.host, socketPath, pingTimeout);
    if (compareApiVersions(info.apiVersion, MIN_API_VERSION) < 0) {
      throw new HostError(connection.host, 'api-too-old', `${info.kind} ${info.version} serves Engine API ${info.apiVersion}; Hoist needs ${MIN_API_VERSION} or newer (Docker 19.03+, Podman 4+): upgrade the engine`);
    }
    const Dockerode = loadDockerode();
    const docker = new Dockerode({ protocol: 'http', host: 'engine', port: 80, agent, timeout: requestTimeoutMs, version: `v${info.apiVersion}` } as Docker.DockerOptions);
    return {
      host: connection.host,
      info,
      docker,
      agent,
      requestTimeoutMs,
      now: () => engineClock(agent, connection.host, pingTimeout),
      close: () => agent.destroy(),
    };
  } catch (error) {
    agent.destroy();
    throw error;
  }
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
