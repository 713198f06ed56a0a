/**
 * Names in the program an import writes: construct ids (unique among the stack's children)
 * and variable names (unique, readable, never a keyword or one of the program's own names).
 */

const RESERVED_WORDS = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
  'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super',
  'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'as', 'implements', 'interface', 'let',
  'package', 'private', 'protected', 'public', 'static', 'yield', 'await', 'async', 'of', 'type', 'arguments', 'eval',
  'undefined', 'NaN', 'Infinity', 'require', 'module', 'exports', 'process', 'console', 'global', 'globalThis',
]);

/** Hands out unique names. */
export class NameScope {
  private readonly taken: Set<string>;

  constructor(taken: Iterable<string> = []) {
    this.taken = new Set(taken);
  }

  /** `preferred` if free, else `preferred` + `suffix`, else with a number after it. */
  public claim(preferred: string, suffix: string): string {
    let name = preferred;
    if (this.taken.has(name)) name = `${preferred}${suffix}`;
    for (let n = 2; this.taken.has(name); n++) name = `${preferred}${suffix}${n}`;
    this.taken.add(name);
    return name;
  }
}

/** A variable scope that already holds the program's own names and JavaScript's reserved words. */
export function variableScope(own: readonly string[]): NameScope {
  return new NameScope([...RESERVED_WORDS, ...own]);
}

/** `db-data` -> `dbData`, `2fa` -> `_2fa`: a camelCase identifier for a Compose name. */
export function camelCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const text = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  if (text === '') return 'unnamed';
  return /^[0-9]/.test(text) ? `_${text}` : text;
}

/** A name fit for a built image (lower-case words joined by ".", "_" or "-"). */
export function imageName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/[._-]{2,}/g, '-').replace(/^[._-]+|[._-]+$/g, '');
  return cleaned || 'image';
}

/** Compose's normalization of a project name: lower case, letters, digits, "_" and "-", starting with a letter or digit. */
export function projectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
}
