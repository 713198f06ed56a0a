import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Image } from '../core/image';
import type { ImageSpec } from '../graph/graph-document';
import { resourceKey } from '../graph/resource-id';
import { parseImageReference } from '../values/image-reference';
import { contentTag, contextFiles, imageIdentity, imageInputs } from '../images/build-context';
import { projectPath } from './project-path';
import { renderDockerfile } from './render-dockerfile';

/** An image as the graph records it, keyed without a host. */
export interface RenderedImage {
  /** `image:<reference>` for registry images, `image:<stack path>/<imageName>` for builds. */
  readonly key: string;
  readonly spec: ImageSpec;
  /** Reference containers are created from. */
  readonly reference: string;
  readonly problems: string[];
}

const IMAGE_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Turns an Image into its graph spec, checking what can be checked before any build. */
export function renderImage(image: Image, stackPath: string, projectDir: string): RenderedImage {
  const source = image._source;
  if (source.kind === 'registry') {
    const parsed = parseImageReference(source.reference);
    if (!parsed.ok) {
      return { key: resourceKey('image', source.reference), spec: { source: 'registry', reference: source.reference }, reference: source.reference, problems: [parsed.reason] };
    }
    const reference = parsed.reference.normalized;
    return { key: resourceKey('image', reference), spec: { source: 'registry', reference }, reference, problems: [] };
  }

  const problems: string[] = [];
  const options = source.options;
  const contextInput = source.kind === 'dockerfile' ? source.directory : (source.options.context ?? '.');
  const imageName = options.imageName ?? (source.kind === 'dockerfile' ? path.basename(path.resolve(projectDir, contextInput)).toLowerCase() : '');
  if (!IMAGE_NAME.test(imageName)) {
    problems.push(`imageName: ${JSON.stringify(imageName)} is not an image name (lower-case letters and digits, separated by ".", "_" or "-")`);
  }
  const contextAbsolute = path.resolve(projectDir, contextInput);
  if (!isDirectory(contextAbsolute)) {
    problems.push(`build context ${contextInput} is not a directory`);
  }
  for (const [key, value] of Object.entries(options.buildArgs ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) problems.push(`buildArgs: ${JSON.stringify(key)} is not a build argument name`);
    if (typeof value !== 'string') problems.push(`buildArgs.${key}: expected a string`);
  }
  if (options.target !== undefined && !/^[a-z][a-z0-9_.-]*$/.test(options.target)) {
    problems.push(`target: ${JSON.stringify(options.target)} is not a stage name`);
  }

  let dockerfile: string | null = null;
  let dockerfileInline: string | null = null;
  if (source.kind === 'dockerfile') {
    dockerfile = (source.options.file ?? 'Dockerfile').split(path.sep).join('/');
    if (isDirectory(contextAbsolute) && !isFile(path.resolve(contextAbsolute, dockerfile))) {
      problems.push(`Dockerfile ${projectPath(projectDir, path.resolve(contextAbsolute, dockerfile))} does not exist; create it or set "file"`);
    }
  } else {
    const rendered = renderDockerfile(source.options.stages ?? [], 'stages');
    problems.push(...rendered.problems);
    dockerfileInline = rendered.text;
    const names = (source.options.stages ?? []).map((s) => s.stageName).filter((n) => n !== undefined);
    if (options.target !== undefined && !names.includes(options.target)) {
      problems.push(`target: no stage is named "${options.target}" (stages: ${names.join(', ') || 'none named'})`);
    }
  }

  const repository = `hoist/${stackPath.toLowerCase()}/${imageName}`;
  const buildOptions = { buildArgs: { ...(options.buildArgs ?? {}) }, target: options.target ?? null, platform: options.platform ?? null };
  // The identity is only worth computing for an image that can be built at all.
  let identity = '';
  let inputs: Record<string, string> = {};
  if (problems.length === 0) {
    const text = dockerfileInline ?? fs.readFileSync(path.resolve(contextAbsolute, dockerfile!), 'utf8');
    const files = contextFiles(contextAbsolute);
    identity = imageIdentity(buildOptions, text, files);
    inputs = imageInputs(buildOptions, text, files);
  }
  return {
    key: resourceKey('image', `${stackPath}/${imageName}`),
    spec: {
      source: 'build',
      repository,
      context: contextPath(projectDir, contextInput),
      dockerfile,
      dockerfileInline,
      ...buildOptions,
      identity,
      inputs,
    },
    reference: `${repository}:${contentTag(identity) || 'unbuilt'}`,
    problems,
  };
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The build context as the graph records it: a context given relative to the project stays
 * relative even when it leads out of it (`../library/postgres`: a construct library beside
 * the project, a monorepo), so the graph is the same on every checkout of the repository;
 * one given absolute stays absolute.
 */
function contextPath(projectDir: string, contextInput: string): string {
  if (path.isAbsolute(contextInput) || contextInput.startsWith('~/')) return projectPath(projectDir, contextInput);
  return path.posix.normalize(contextInput.split(path.sep).join('/')).replace(/\/$/, '') || '.';
}
