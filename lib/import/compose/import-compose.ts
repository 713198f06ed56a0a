import * as path from 'node:path';
import type * as TsMorph from 'ts-morph';
import { IDENTIFIER_PATTERN } from '../../values/docker-name';
import { ComposeImportError } from './compose-import-error';
import type { ComposeFinding } from './compose-model';
import { mapCompose, type MappedCompose } from './map-compose';
import { normalizeCompose } from './normalize-compose';
import { projectName } from './program-names';
import { readComposeFile } from './read-compose';
import { writeProgram } from './write-program';

/** Options for {@link importCompose}. */
export interface ImportComposeOptions {
  /** The Compose file, as the user named it (messages show it so). */
  readonly composeFile: string;
  /** Where the program will be written: relative paths in it start from its directory. */
  readonly outputFile: string;
  /**
   * The stack's name.
   *
   * @default - COMPOSE_PROJECT_NAME, else the file's `name:`, else its directory's name, as Compose names projects
   */
  readonly stackName?: string;
  /**
   * Active profiles.
   *
   * @default - COMPOSE_PROFILES (comma-separated), else none
   */
  readonly profiles?: readonly string[];
  /** The shell's environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * A file to read instead of `.env` beside the Compose file.
   *
   * @default - the `.env` beside the Compose file
   */
  readonly envFile?: string;
}

/** What {@link importCompose} made of a Compose file. */
export interface ImportComposeResult extends Omit<MappedCompose, 'program'> {
  /** The program's text. */
  readonly text: string;
  readonly stackName: string;
  readonly profiles: readonly string[];
}

/**
 * Turns a Compose file into the text of a Hoist program: read and interpolate it as Compose
 * does, normalize its keys, map them to constructs, print the program. Throws a
 * {@link ComposeImportError} when Compose itself would refuse the file.
 */
export function importCompose(options: ImportComposeOptions, tsMorph?: typeof TsMorph): ImportComposeResult {
  const source = readComposeFile(options.composeFile, { env: options.env, envFile: options.envFile });
  const model = normalizeCompose(source);
  const stackName = options.stackName ?? projectName(source.environment.get('COMPOSE_PROJECT_NAME') || model.name || path.basename(source.directory));
  if (!IDENTIFIER_PATTERN.test(stackName)) {
    throw new ComposeImportError([`"${stackName}" is not a valid stack name; pass one with --stack (letters, digits, "_", "." or "-")`]);
  }
  const profiles = options.profiles?.length ? options.profiles : (source.environment.get('COMPOSE_PROFILES') ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  const programDirectory = path.dirname(path.resolve(options.outputFile));
  const mapped = mapCompose(model, {
    stackName,
    composeFile: path.relative(programDirectory, source.file).split(path.sep).join('/'),
    programDirectory,
    profiles,
  });
  const { program, ...rest } = mapped;
  return { ...rest, text: writeProgram(program, tsMorph), stackName, profiles };
}

/** `compose.yaml:12: services.web.privileged: Hoist never runs ..., not imported`. */
export function formatUnsupported(file: string, finding: ComposeFinding): string {
  return `${file}:${finding.line}: ${finding.path}: ${finding.reason}, not imported`;
}

/** `compose.yaml:3: services.web.environment.X: ...`: a note or a skipped item. */
export function formatNote(file: string, finding: ComposeFinding): string {
  return `${file}:${finding.line}: ${finding.path}: ${finding.reason}`;
}
