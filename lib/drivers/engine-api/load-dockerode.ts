import Module = require('node:module');
import type DockerType from 'dockerode';

/**
 * dockerode, without its BuildKit session module.
 *
 * dockerode loads that module when it loads (gRPC and a protobuf loader: about 50 ms of every
 * run that reaches a host, a tenth of a no-op plan), for its buildImage with version 2 only.
 * Hoist never calls that: builds go straight through the modem with Hoist's own session
 * (buildkit-session.ts), because dockerode's would serve no secrets. So the module's place in
 * Node's module cache is taken, before dockerode loads, by a function that refuses. Should
 * dockerode's layout change, the module is not found and dockerode loads as it is.
 */
export function loadDockerode(): typeof DockerType {
  let sessionFile: string | undefined;
  try {
    sessionFile = require.resolve('dockerode/lib/session');
  } catch {
    sessionFile = undefined;
  }
  if (sessionFile && !require.cache[sessionFile]) {
    const stub = new Module(sessionFile);
    stub.filename = sessionFile;
    stub.loaded = true;
    stub.exports = () => {
      throw new Error('dockerode\'s BuildKit session is not loaded by Hoist: build through EngineApiDriver.buildImage');
    };
    require.cache[sessionFile] = stub;
  }
  return require('dockerode') as typeof DockerType;
}
