import type { EngineDriver, RegistryAuth } from '../../drivers/engine-driver';
import { progressError } from '../../drivers/engine-api/follow-progress';

/**
 * Pulls an image by reference (tag or digest) onto a host through its engine, reporting
 * progress lines now and then. Fails with the engine's own error (unknown manifest, no
 * access, registry unreachable), naming the host.
 */
export async function pullImage(client: EngineDriver, reference: string, progress: (message: string) => void, auth?: RegistryAuth): Promise<void> {
  let lastReport = 0;
  let failure: string | undefined;
  await client.pullImage(reference, auth, `pulling ${reference} on ${client.host}`, {
    onEvent: (event) => {
      failure ??= progressError(event);
      // Layer-by-layer events arrive many times a second; one line every 2 s is enough.
      if (Date.now() - lastReport > 2000 && typeof event.status === 'string' && event.status) {
        lastReport = Date.now();
        progress(`${event.status}${typeof event.id === 'string' && event.id ? ` ${event.id}` : ''}`);
      }
    },
  });
  if (failure) throw new Error(`pulling ${reference} on ${client.host} failed: ${failure}`);
}
