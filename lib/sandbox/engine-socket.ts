import * as http from 'node:http';
import * as fs from 'node:fs';

/** What an engine answered to GET /version over its socket. */
export interface EngineVersion {
  readonly version: string;
  readonly apiVersion: string;
  readonly name: string;
}

/** A request to an engine API over its unix socket from this machine (sandbox set-up only). */
export function engineRequest(socket: string, method: string, path: string, body?: NodeJS.ReadableStream | Buffer, timeoutMs = 10_000, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ socketPath: socket, method, path, headers: { Host: 'engine', ...headers }, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${socket} within ${timeoutMs} ms`)));
    request.on('error', reject);
    if (body === undefined) request.end();
    else if (Buffer.isBuffer(body)) request.end(body);
    else body.pipe(request);
  });
}

/** The engine's version, or undefined while it does not answer. */
export async function engineVersion(socket: string): Promise<EngineVersion | undefined> {
  if (!fs.existsSync(socket)) return undefined;
  try {
    // Podman answers /version only after probing its runtime and conmon: 3-5 s on a loaded
    // 2-core machine, where a 3 s limit made `sandbox up` restart a healthy Podman host (and
    // its containers) and then give up. A dead engine still fails at once (refused socket).
    const response = await engineRequest(socket, 'GET', '/version', undefined, 20_000);
    if (response.status !== 200) return undefined;
    const data = JSON.parse(response.body) as { Version: string; ApiVersion: string; Components?: { Name: string }[] };
    const podman = data.Components?.some((c) => c.Name === 'Podman Engine');
    return { version: data.Version, apiVersion: data.ApiVersion, name: podman ? 'podman' : 'docker' };
  } catch {
    return undefined;
  }
}
