import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildImageSpec, ImageResource } from '../../graph/graph-document';
import type { EngineDriver, ImageBuildRequest } from '../../drivers/engine-driver';
import { builtReference, encodeInputs, IMAGE_LABEL } from '../../engine/read-build-state';
import { resourceKeyOf } from '../../graph/resource-id';
import { type ContextFile, contextFiles, imageIdentity } from '../../images/build-context';
import { progressError } from '../../drivers/engine-api/follow-progress';
import { packContext } from '../../images/context-tar';

/** Where a Dockerfile rendered from typed steps goes in the context sent to the engine. */
const INLINE_DOCKERFILE = '.hoist.Dockerfile';

/** Options for {@link buildImage}. */
export interface BuildImageOptions {
  /** Limits of the channel that serves build secrets. @default the driver's own */
  readonly session?: ImageBuildRequest['secretChannel'];
}

/** Build query values as the Engine API takes them: objects (build args, labels) as JSON. */
function engineQuery(query: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
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
  client: EngineDriver, stack: string, resource: ImageResource, projectDir: string, progress: (message: string) => void,
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
  const secretRefs = resource.policy?.buildSecrets ?? [];
  const byId = new Map<string, Buffer>();
  for (const ref of secretRefs) {
    const value = secretValues.get(ref.secret);
    if (!value) throw new Error(`the build secret ${ref.name} was not read before the apply (a bug in Hoist)`);
    byId.set(ref.name, value);
  }
  return runBuild(client, stack, resource, spec, contextDir, files, extra, dockerfileName, reference, progress, byId, options);
}

async function runBuild(
  client: EngineDriver, stack: string, resource: ImageResource, spec: BuildImageSpec, contextDir: string, files: ContextFile[],
  extra: { name: string; text: string }[], dockerfileName: string, reference: string, progress: (message: string) => void,
  secrets: ReadonlyMap<string, Buffer>, options: BuildImageOptions,
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
  };
  const tail: string[] = [];
  let failure: string | undefined;
  let lastTrace = 0;
  const request = { context: packContext(contextDir, files, extra), query: engineQuery(query), secrets, ...(options.session ? { secretChannel: options.session } : {}) };
  await client.buildImage(request, `building ${reference} on ${client.host}`, {
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
  const built = await client.inspectImage(reference).catch(() => null);
  if (!built) throw new Error(`building ${reference} on ${client.host} reported success, but the engine has no image by that name`);
  return built.Id;
}
