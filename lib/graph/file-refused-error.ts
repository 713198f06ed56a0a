/** What kind of file a reader refused, for its messages. */
export interface RefusedFileKind {
  /** How the file is named in messages: `graph`, `saved plan`. */
  readonly noun: string;
  /** The way to a good file: `run hoist synth again`. */
  readonly remedy: string;
}

/** Problems listed in the message; the rest are counted (all stay in `problems`). */
const LISTED = 30;

/**
 * A graph or saved plan that Hoist will not use: cut short, edited by hand, damaged, or of
 * another format version. The message names the file, says why and what to do, and lists the
 * problems one per line with their JSON paths.
 */
export class FileRefusedError extends Error {
  /** The file as given. */
  public readonly file: string;
  /** Every problem found, each `json.path: what is wrong`. */
  public readonly problems: readonly string[];

  constructor(file: string, kind: RefusedFileKind, reason: string, problems: readonly string[] = []) {
    const listed = problems.slice(0, LISTED).map((p) => `\n  ${p}`).join('');
    const more = problems.length > LISTED ? `\n  ... and ${problems.length - LISTED} more` : '';
    super(`cannot use the ${kind.noun} ${file}: ${reason}${listed}${more}${problems.length ? '\n' : '; '}${kind.remedy}`);
    this.name = 'FileRefusedError';
    this.file = file;
    this.problems = problems;
  }
}
