import { EngineApiDriver, type EngineApiConnection } from '../engine-api/engine-api-driver';
import type { EngineEvent } from '../engine-driver';
import type { VolumeCreateBody } from '../engine-objects';
import type { EngineErrorReason } from '../engine-error';
import { EngineError, isConflict } from '../engine-error';
import type { Readable } from 'node:stream';
import type { EngineProfile } from '../engine-profile';
import { PODMAN_PROFILE } from './podman-profile';

/**
 * Podman, through its Docker-compatible API. Every way it answers differently from Docker
 * Engine that Hoist has met is handled here (and in its profile), so nothing above the driver
 * knows which engine it talks to.
 */
export class PodmanDriver extends EngineApiDriver {
  public readonly profile: EngineProfile = PODMAN_PROFILE;

  public constructor(connection: EngineApiConnection) {
    super(connection);
  }

  // Its compatible API reports json-file for containers made without a log driver and leaves
  // /info's LoggingDriver empty; asking it costs over a second.
  public async defaultLogDriver(): Promise<string> {
    return 'json-file';
  }

  /**
   * Podman 4.3 answers a read of a path removed while it reads (a file being replaced) with a
   * 500 "no such file or directory"; Docker says 404. Both mean the path is not there.
   */
  public override async getArchive(ref: string, path: string): Promise<Readable> {
    try {
      return await super.getArchive(ref, path);
    } catch (error) {
      if (error instanceof EngineError && error.statusCode === 500 && /no such file or directory/i.test(error.message)) {
        throw new EngineError(error.message, 'not-found', error.statusCode);
      }
      throw error;
    }
  }

  protected reasonOf(statusCode: number | undefined, message: string): EngineErrorReason {
    if (statusCode === 500) {
      // Podman 4.3 answers some refusals with 500 and says what it means in the message: a
      // name taken when two creates race, a volume still mounted, a container another
      // request removed a moment ago.
      if (/already in use|being used|volume.*in use|exists/i.test(message)) return 'conflict';
      if (/no such container/i.test(message)) return 'not-found';
    }
    return super.reasonOf(statusCode, message);
  }

  /**
   * Podman runs health checks from systemd timers; without systemd (containers, CI runners,
   * the sandbox) nothing runs them, so it is asked to run one now
   * (GET /libpod/containers/ID/healthcheck). Its answer does not matter: the state says it.
   */
  public async runHealthCheck(ref: string): Promise<void> {
    await new Promise<void>((resolve) => {
      // docker-modem prefixes the API version (/v1.41); Podman serves its own routes under it too.
      (this.docker.modem as unknown as { dial(options: object, callback: () => void): void }).dial({
        path: `/libpod/containers/${encodeURIComponent(ref)}/healthcheck`, method: 'GET', statusCodes: { 200: true, 404: true, 409: true, 500: true },
      }, () => resolve());
    });
  }

  // Podman says `remove` where Docker says `destroy` (its own `init` and `cleanup` have no
  // Docker counterpart and pass as they are).
  protected eventFrom(raw: Readonly<Record<string, unknown>>): EngineEvent {
    const event = super.eventFrom(raw);
    return event.type === 'container' && event.action === 'remove' ? { ...event, action: 'destroy' } : event;
  }

  // Docker returns the existing volume for a create of a taken name; Podman refuses (409 or
  // 500). Hoist relies on Docker's answer (the history volume is made on first use).
  public async createVolume(body: VolumeCreateBody): Promise<void> {
    try {
      await super.createVolume(body);
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
}
