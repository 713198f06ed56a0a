import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildImageSpec, ImageResource } from '../graph/graph-document';
import type { EngineClient } from '../engine/engine-client';
import { builtReference, encodeInputs, IMAGE_LABEL } from '../engine/read-build-state';
import { resourceKeyOf } from '../graph/resource-id';
import { type ContextFile, contextFiles, imageIdentity } from '../images/build-context';
import { type BuildkitSession, type BuildkitSessionOptions, openBuildkitSession } from '../engine/buildkit-session';
import { followProgress, progressError } from '../engine/follow-progress';
import { packContext } from '../images/context-tar';

/** Where a Dockerfile rendered from typed steps goes in the context sent to the engine. */
const INLINE_DOCKERFILE = '.hoist.Dockerfile';

/** Options for {@link buildImage}. */
export interface BuildImageOptions {
  /** Limits of the BuildKit session that serves build secrets. @default the session's own defaults */
  readonly session?: BuildkitSessionOptions;
}

/**
 * Builds one image on its builder through the engine's build endpoint: the context goes up
 * as a tar stream (only what .dockerignore lets through), the result is tagged with its
 * content tag and labelled with its identity and inputs. The context is read again here and
 * must still have the identity the graph recorded: a file edited after planning would
 * otherwise be built under the old tag. A build with secrets stops, with the session's
 * error, when the session serving them fails (the engine went silent or broke the protocol).
 */
export async function buildImage(
  client: EngineClient, stack: string, resource: ImageResource, projectDir: string, progress: (message: string) => void,
  secretValues: ReadonlyMap<string, Buffer> = new Map(), options: BuildImageOptions = {},
): Promise<string> {
  const spec = resource.spec as BuildImageSpec;
  const contextDir = path.resolve(projectDir, spec.context);
  const dockerfileText = spec.dockerfileInline ?? fs.readFileSync(path.join(contextDir, spec.dockerfile!), 'utf8');
  const files = contextFiles(contextDir);
  if (imageIdentity(spec, dockerfileText, files) !== spec.identity) {
    throw new Error(`the build context ${spec.context} changed since the plan was made; run hoist plan again so the plan shows what is built`);
  }
  // The engine needs the Dockerfile in the context even when .dockerignore leaves it out
  // (the docker CLI adds it back the same way).
  const dockerfileName = spec.dockerfileInline !== null ? INLINE_DOCKERFILE : spec.dockerfile!;
  const extra = spec.dockerfileInline !== null || !files.some((f) => f.path === dockerfileName)
    ? [{ name: dockerfileName, text: dockerfileText }] : [];
  const reference = builtReference(resource);
  // Build secrets need BuildKit, which the engine drives through a session that serves them.
  const secretRefs = resource.policy?.buildSecrets ?? [];
  let session: BuildkitSession | undefined;
  if (secretRefs.length) {
    if (client.info.kind !== 'docker') throw new Error(`${reference}: build secrets need a Docker Engine builder; ${client.host} runs ${client.info.kind}`);
    const byId = new Map<string, Buffer>();
    for (const ref of secretRefs) {
      const value = secretValues.get(ref.secret);
      if (!value) throw new Error(`the build secret ${ref.name} was not read before the apply (a bug in Hoist)`);
      byId.set(ref.name, value);
    }
    session = await openBuildkitSession(client, byId, options.session);
  }
  try {
    return await runBuild(client, stack, resource, spec, contextDir, files, extra, dockerfileName, reference, progress, session);
  } finally {
    session?.close();
  }
}

async function runBuild(
  client: EngineClient, stack: string, resource: ImageResource, spec: BuildImageSpec, contextDir: string, files: ContextFile[],
  extra: { name: string; text: string }[], dockerfileName: string, reference: string, progress: (message: string) => void, session: BuildkitSession | undefined,
): Promise<string> {
  const query = {
    t: reference,
    dockerfile: dockerfileName,
    ...(Object.keys(spec.buildArgs).length ? { buildargs: spec.buildArgs } : {}),
    ...(spec.target ? { target: spec.target } : {}),
    ...(spec.platform ? { platform: spec.platform } : {}),
    labels: {
      [IMAGE_LABEL.stack]: stack,
      [IMAGE_LABEL.key]: resourceKeyOf(resource.id),
      [IMAGE_LABEL.identity]: spec.identity,
      [IMAGE_LABEL.inputs]: encodeInputs(spec.inputs),
    },
    rm: true,
    forcerm: true,
    ...(session ? { version: '2', session: session.id } : {}),
  };
  // Straight through the modem, not dockerode's buildImage: for a BuildKit build (version 2)
  // that opens a session of its own and puts its id in the request, so the engine would ask
  // that session, which serves no secrets, and mount nothing.
  const signal = session?.signal;
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
    (client.docker.modem as unknown as { dial(options: object, callback: (error: Error | null, data: NodeJS.ReadableStream) => void): void }).dial({
      path: '/build?',
      method: 'POST',
      file: packContext(contextDir, files, extra),
      options: query,
      isStream: true,
      statusCodes: { 200: true, 500: 'server error' },
      abortSignal: signal,
    }, (error, data) => (error ? reject(signal?.aborted ? signal.reason : error) : resolve(data)));
  });
  const tail: string[] = [];
  let failure: string | undefined;
  let lastTrace = 0;
  await followProgress(client, stream, `building ${reference} on ${client.host}`, {
    signal,
    onEvent: (event) => {
      failure ??= progressError(event);
      if (event.id === 'moby.buildkit.trace' && Date.now() - lastTrace > 2000) {
        lastTrace = Date.now();
        progress('building with BuildKit');
      }
      for (const line of (typeof event.stream === 'string' ? event.stream : '').split('\n').map((l) => l.trimEnd()).filter(Boolean)) {
        tail.push(line);
        if (tail.length > 15) tail.shift();
        // Hoist's own LABEL steps (the inputs label is long) say nothing to the reader.
        if (/^Step \d+\/\d+ :|^STEP \d+\/\d+:/.test(line) && !/LABEL hoist\.image\./.test(line)) progress(line);
      }
    },
  });
  if (failure) {
    throw new Error(`building ${reference} on ${client.host} failed: ${failure}${tail.length ? `\nlast build output:\n${tail.map((l) => `  ${l}`).join('\n')}` : ''}`);
  }
  const built = await client.docker.getImage(reference).inspect().catch(() => null);
  if (!built) throw new Error(`building ${reference} on ${client.host} reported success, but the engine has no image by that name`);
  return built.Id;
}
