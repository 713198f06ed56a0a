import { compareStrings } from '../values/compare-strings';

export { compareStrings };

/**
 * Collects every problem found during synth, each as `<construct path>: <field>: <message>`,
 * so the user sees all of them at once instead of fixing one per run.
 */
export class Problems {
  private readonly lines = new Set<string>();

  /** Adds one problem about the construct at `path`. */
  public add(path: string, message: string): void {
    this.lines.add(`${path || '<app>'}: ${message}`);
  }

  /** Adds problems about the construct at `path`, each optionally under a field prefix. */
  public addAll(path: string, messages: Iterable<string>, field?: string): void {
    for (const message of messages) {
      this.add(path, field ? joinField(field, message) : message);
    }
  }

  public get size(): number {
    return this.lines.size;
  }

  /** Problems sorted by construct path, so the list never depends on declaration order. */
  public list(): string[] {
    return [...this.lines].sort(compareStrings);
  }
}


/** `image` + `imageName: bad` -> `image.imageName: bad`; `image` + `bad` -> `image: bad`. */
function joinField(field: string, message: string): string {
  if (/^\[/.test(message)) return field + message;
  if (/^[A-Za-z_][\w]*(\[\d+\]|\.[A-Za-z_]\w*)*( \([\w-]+\))?: /.test(message)) return `${field}.${message}`;
  return `${field}: ${message}`;
}
