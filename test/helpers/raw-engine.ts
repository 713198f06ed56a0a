import type Docker from 'dockerode';
import type { EngineDriver } from '../../lib/drivers/engine-driver';
import { EngineApiDriver } from '../../lib/drivers/engine-api/engine-api-driver';

/**
 * The raw Engine API client behind a driver: what tests use to act as an operator would by
 * hand (docker rm, docker run of a foreign container, docker inspect), outside Hoist's own
 * code paths. Hoist itself never reaches past the driver.
 */
export function rawEngine(driver: EngineDriver): Docker {
  if (!(driver instanceof EngineApiDriver)) throw new Error(`${driver.host}: not an Engine API driver, so there is no raw client`);
  return (driver as unknown as { docker: Docker }).docker;
}
