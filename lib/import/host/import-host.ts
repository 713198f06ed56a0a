import type * as TsMorph from 'ts-morph';
import { IDENTIFIER_PATTERN } from '../../values/docker-name';
import { ComposeImportError } from '../compose/compose-import-error';
import type { ComposeFinding } from '../compose/compose-model';
import { mapCompose, type MappedCompose } from '../compose/map-compose';
import { writeProgram } from '../compose/write-program';
import { hostModel } from './host-model';
import type { HostObjects } from './read-host-objects';

/** Options for {@link importHost}. */
export interface ImportHostOptions {
  /**
   * The stack's name.
   *
   * @default - the Compose project of the imported containers when they share one, else the host's name
   */
  readonly stackName?: string;
  /**
   * The containers to import, by name.
   *
   * @default - every running container Hoist did not make
   */
  readonly containers?: readonly string[];
  /** The directory the program is written to. */
  readonly programDirectory: string;
}

/** What {@link importHost} made of a host. */
export interface ImportHostResult extends Omit<MappedCompose, 'program'> {
  /** The program's text. */
  readonly text: string;
  readonly stackName: string;
}

/**
 * Turns what runs on a host (read by readHostObjects) into the text of a Hoist program whose
 * services adopt the host's containers: the host's objects are described as a Compose model
 * and written by the same mapper and printer as `hoist import compose`. Throws a
 * {@link ComposeImportError} when there is nothing to import or a named container is missing.
 */
export function importHost(objects: HostObjects, options: ImportHostOptions, tsMorph?: typeof TsMorph): ImportHostResult {
  const names = new Set(objects.containers.map((c) => c.inspect.Name.replace(/^\//, '')));
  const missing = (options.containers ?? []).filter((c) => !names.has(c));
  if (missing.length) {
    throw new ComposeImportError(missing.map((c) => `${objects.host}: no container named ${c} that Hoist did not make (there are: ${[...names].sort().join(', ') || 'none'})`));
  }
  const stackName = options.stackName ?? defaultStackName(objects, options.containers);
  if (!IDENTIFIER_PATTERN.test(stackName)) {
    throw new ComposeImportError([`"${stackName}" is not a valid stack name; pass one with --stack (letters, digits, "_", "." or "-")`]);
  }
  const { model, skipped } = hostModel(objects, { stackName, containers: options.containers });
  if (model.services.length === 0) {
    const why = skipped.length ? `; left out: ${skipped.map((s) => `${s.key} (${s.reason})`).join('; ')}` : '';
    throw new ComposeImportError([`${objects.host}: no running container that Hoist did not make${why}`]);
  }
  const mapped = mapCompose(model, { stackName, composeFile: objects.host, programDirectory: options.programDirectory, profiles: [], host: objects.host });
  const { program, ...rest } = mapped;
  return { ...rest, skipped: [...skipped, ...rest.skipped], text: writeProgram(program, tsMorph), stackName };
}

/** `host-1: web.HostConfig.Privileged: Hoist never runs ..., not imported`. */
export function formatHostFinding(host: string, finding: ComposeFinding, unsupported: boolean): string {
  return `${host}: ${finding.path}: ${finding.reason}${unsupported ? ', not imported' : ''}`;
}

function defaultStackName(objects: HostObjects, containers: readonly string[] | undefined): string {
  const chosen = objects.containers.filter((c) => (containers ? containers.includes(c.inspect.Name.replace(/^\//, '')) : c.inspect.State.Running === true));
  const projects = new Set(chosen.map((c) => c.inspect.Config.Labels?.['com.docker.compose.project'] ?? ''));
  const [project] = projects;
  return projects.size === 1 && project && IDENTIFIER_PATTERN.test(project) ? project : objects.host;
}
