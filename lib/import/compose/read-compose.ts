import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { ComposeImportError } from './compose-import-error';
import { interpolate, InterpolationError, type VariableLookup } from './interpolate';
import { parseDotenv } from './parse-dotenv';

/** A key path inside the Compose file: map keys and list indexes. */
export type KeyPath = readonly (string | number)[];

/** Something worth telling about a value that was read (an unset variable, say), with its place. */
export interface SourceNote {
  readonly path: KeyPath;
  readonly line: number;
  readonly message: string;
}

/** A Compose file read, interpolated, and with the line of every key and list item. */
export interface ComposeSource {
  /** Absolute path of the file. */
  readonly file: string;
  /** The file as messages name it (as given on the command line). */
  readonly displayFile: string;
  /** The directory relative paths in the file are resolved against. */
  readonly directory: string;
  /** The file's content with every string interpolated; YAML anchors and merge keys resolved. */
  readonly data: unknown;
  /** The project's environment: the shell's variables over the `.env` file's. */
  readonly environment: ReadonlyMap<string, string>;
  /** Unset variables and the like, each with its line. */
  readonly notes: readonly SourceNote[];
  /** The line of the key or list item at `keyPath`, else of its nearest ancestor that has one. */
  lineOf(keyPath: KeyPath): number;
}

/** Options for {@link readComposeFile}. */
export interface ReadComposeOptions {
  /** The shell's environment (process.env in the CLI). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * A file to read instead of the `.env` beside the Compose file (`docker compose --env-file`).
   *
   * @default - `.env` in the Compose file's directory, when it exists
   */
  readonly envFile?: string;
  /** How messages name the file. @default - the path as given */
  readonly displayFile?: string;
}

/** `services.web.ports[0]`: a key path as messages show it. */
export function formatKeyPath(keyPath: KeyPath): string {
  return keyPath.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

/**
 * Reads a Compose file as `docker compose` does before it looks at any key: the project's
 * environment is the shell's variables over those of `.env` next to the file (or `envFile`),
 * then the YAML is parsed (anchors, aliases and `<<` merge keys resolved) and every string
 * value is interpolated (see interpolate.ts). Problems that stop Compose too (not YAML, a
 * bad `.env` line, a bad template, a required variable unset) are thrown together as a
 * {@link ComposeImportError}, each with its line.
 */
export function readComposeFile(file: string, options: ReadComposeOptions): ComposeSource {
  const absolute = path.resolve(file);
  const displayFile = options.displayFile ?? file;
  const directory = path.dirname(absolute);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (error as Error).message;
    throw new ComposeImportError([`${displayFile}: ${reason}`]);
  }

  const shell: VariableLookup = (name) => options.env[name];
  const dotenvFile = options.envFile !== undefined ? path.resolve(options.envFile) : path.join(directory, '.env');
  let dotenv = new Map<string, string>();
  if (options.envFile !== undefined || fs.existsSync(dotenvFile)) {
    const shown = options.envFile ?? path.join(path.dirname(displayFile), '.env');
    let dotenvText: string;
    try {
      dotenvText = fs.readFileSync(dotenvFile, 'utf8');
    } catch (error) {
      throw new ComposeImportError([`${shown}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (error as Error).message}`]);
    }
    dotenv = parseDotenv(dotenvText, shown, shell);
  }
  const environment = new Map(dotenv);
  for (const [name, value] of Object.entries(options.env)) if (value !== undefined) environment.set(name, value);

  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  const problems = [...document.errors].map((e) => `${displayFile}:${lineAt(e.pos[0])}: not valid YAML: ${e.message.split('\n')[0]}`);
  if (problems.length) throw new ComposeImportError(problems);

  const walker = new Walker(document, lineAt, (name) => environment.get(name));
  const data = walker.value(document.contents as YamlNode | null, []);
  problems.push(...walker.problems.map((p) => `${displayFile}:${p.line}: ${formatKeyPath(p.path)}: ${p.message}`));
  if (problems.length) throw new ComposeImportError(problems);
  const lines = walker.lines;
  return {
    file: absolute,
    displayFile,
    directory,
    data,
    environment,
    notes: walker.notes,
    lineOf: (keyPath) => {
      for (let n = keyPath.length; n > 0; n--) {
        const line = lines.get(keyOf(keyPath.slice(0, n)));
        if (line !== undefined) return line;
      }
      return 1;
    },
  };
}

/**
 * Reads an `env_file` of a service: its variables in file order. Values are interpolated from
 * the project's environment, then from the file's earlier lines.
 */
export function readEnvFile(file: string, displayFile: string, environment: ReadonlyMap<string, string>): Map<string, string> {
  const text = fs.readFileSync(file, 'utf8');
  return parseDotenv(text, displayFile, (name) => environment.get(name));
}

function keyOf(keyPath: KeyPath): string {
  return keyPath.join('\u0000');
}

/** Turns YAML nodes into plain values, interpolating strings and recording lines. */
class Walker {
  public readonly lines = new Map<string, number>();
  public readonly notes: SourceNote[] = [];
  public readonly problems: SourceNote[] = [];
  private readonly warned = new Set<string>();

  constructor(private readonly document: Document, private readonly lineAt: (offset: number) => number, private readonly lookup: VariableLookup) {}

  public value(node: YamlNode | null | undefined, at: KeyPath, depth = 0): unknown {
    if (node === null || node === undefined) return null;
    if (depth > 100) {
      this.problems.push({ path: at, line: this.lineOf(node), message: 'nested too deeply (a recursive alias?)' });
      return null;
    }
    if (isAlias(node)) return this.value(node.resolve(this.document) as YamlNode | undefined, at, depth + 1);
    if (isScalar(node)) {
      return typeof node.value === 'string' ? this.interpolated(node.value, at, this.lineOf(node)) : node.value;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        this.record([...at, i], item as YamlNode);
        return this.value(item as YamlNode, [...at, i], depth + 1);
      });
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const merged: YamlNode[] = [];
      for (const pair of node.items) {
        const key = pair.key as YamlNode | null;
        if (isScalar(key) && (key.value === '<<' || (typeof key.value === 'symbol' && key.value.description === '<<'))) {
          const source = pair.value as YamlNode;
          const resolved = isAlias(source) ? source.resolve(this.document) : source;
          if (isSeq(resolved)) merged.push(...(resolved.items as YamlNode[])); else merged.push(source);
          continue;
        }
        const name = isScalar(key) ? String(key.value) : String(this.value(key, at, depth + 1));
        this.record([...at, name], key ?? (pair.value as YamlNode));
        out[name] = this.value(pair.value as YamlNode, [...at, name], depth + 1);
      }
      // Keys written in the map win over merged ones; earlier merge sources over later ones.
      for (const item of merged) {
        const source = isAlias(item) ? item.resolve(this.document) : item;
        if (!isMap(source)) {
          this.problems.push({ path: at, line: this.lineOf(item), message: 'a "<<" merge key needs a mapping (or a list of them)' });
          continue;
        }
        const values = this.value(source as YamlNode, at, depth + 1) as Record<string, unknown>;
        for (const [name, value] of Object.entries(values)) {
          if (!Object.prototype.hasOwnProperty.call(out, name)) out[name] = value;
        }
      }
      return out;
    }
    return null;
  }

  private record(at: KeyPath, node: YamlNode | null | undefined): void {
    const key = keyOf(at);
    if (node && !this.lines.has(key)) this.lines.set(key, this.lineOf(node));
  }

  private lineOf(node: YamlNode): number {
    return node.range ? this.lineAt(node.range[0]) : 1;
  }

  private interpolated(text: string, at: KeyPath, line: number): string {
    const unset = new Set<string>();
    try {
      const value = interpolate(text, this.lookup, unset);
      for (const name of unset) {
        // Compose warns once per variable; so does the import, at its first use.
        if (this.warned.has(name)) continue;
        this.warned.add(name);
        this.notes.push({ path: at, line, message: `the variable ${name} is not set; a blank string is used, as Compose does` });
      }
      return value;
    } catch (error) {
      if (!(error instanceof InterpolationError)) throw error;
      this.problems.push({ path: at, line, message: error.message });
      return '';
    }
  }
}
