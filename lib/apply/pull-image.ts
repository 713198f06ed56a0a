import type { EngineClient } from '../engine/engine-client';

/**
 * Pulls an image by reference (tag or digest) onto a host through its engine, reporting
 * progress lines now and then. Fails with the engine's own error (unknown manifest, no
 * access, registry unreachable), naming the host.
 */
export async function pullImage(client: EngineClient, reference: string, progress: (message: string) => void, auth?: object): Promise<void> {
  const stream = await client.docker.pull(reference, auth ? { authconfig: auth } : {});
  let lastReport = 0;
  const output = await new Promise<Array<{ status?: string; error?: string; errorDetail?: { message?: string } }>>((resolve, reject) => {
    client.docker.modem.followProgress(stream, (error: Error | null, result: unknown[]) => (error ? reject(error) : resolve(result as never)), (event: { status?: string; id?: string }) => {
      // Layer-by-layer events arrive many times a second; one line every 2 s is enough.
      if (Date.now() - lastReport > 2000 && event.status) {
        lastReport = Date.now();
        progress(`${event.status}${event.id ? ` ${event.id}` : ''}`);
      }
    });
  });
  const failed = output.find((e) => e.error || e.errorDetail);
  if (failed) throw new Error(`pulling ${reference} on ${client.host} failed: ${failed.errorDetail?.message ?? failed.error}`);
}
