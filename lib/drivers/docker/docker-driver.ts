import { EngineApiDriver, type EngineApiConnection } from '../engine-api/engine-api-driver';
import type { EngineProfile } from '../engine-profile';
import { DOCKER_PROFILE } from './docker-profile';

/** Docker Engine, through its API: the Engine API driver as it is. */
export class DockerDriver extends EngineApiDriver {
  public readonly profile: EngineProfile = DOCKER_PROFILE;

  public constructor(connection: EngineApiConnection) {
    super(connection);
  }
}
