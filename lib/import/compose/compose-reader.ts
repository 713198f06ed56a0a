import * as os from 'node:os';
import * as path from 'node:path';
import { parseSize } from '../../values/size';
import { NOT_A_COMPOSE_KEY } from './compose-keys';
import type { ComposeFinding, ComposeWhere } from './compose-model';
import { asInteger, asNumber, asText, isRecord } from './compose-values';
import { formatKeyPath, type ComposeSource, type KeyPath } from './read-compose';

/** The construct a finding belongs to. */
export type FindingOwner = ComposeFinding['owner'];

/**
 * What the normalizers share while they read one Compose file: the source, the findings
 * (not imported, notes) and the problems that stop the import, and readers for the values
 * several keys take (lists, sizes, CPUs, process limits).
 */
export class ComposeReader {
  public readonly unsupported: ComposeFinding[] = [];
  public readonly notes: ComposeFinding[] = [];
  public readonly errors: string[] = [];

  constructor(public readonly source: ComposeSource) {}

  public where(at: KeyPath): ComposeWhere {
    return { path: formatKeyPath(at), line: this.source.lineOf(at) };
  }

  public error(at: KeyPath, message: string): void {
    this.errors.push(`${this.source.displayFile}:${this.source.lineOf(at)}: ${formatKeyPath(at)}: ${message}`);
  }

  /** Records what is not imported; `part` names a part of the value at `at`, such as `mode z`. */
  public skip(at: KeyPath, reason: string, owner: FindingOwner, part?: string): void {
    const where = this.where(at);
    const suffix = part === undefined ? '' : ` ${part}`;
    this.unsupported.push({ ...where, path: where.path + suffix, key: shortKey(at, owner) + suffix, reason, owner });
  }

  public note(at: KeyPath, message: string, owner: FindingOwner, part?: string): void {
    const where = this.where(at);
    const suffix = part === undefined ? '' : ` ${part}`;
    this.notes.push({ ...where, path: where.path + suffix, key: shortKey(at, owner) + suffix, reason: message, owner });
  }

  /** The entries of a top-level or nested mapping; anything else is an error. */
  public entriesOf(value: unknown, at: KeyPath): [string, unknown][] {
    if (value === undefined || value === null) return [];
    if (!isRecord(value)) {
      this.error(at, 'expected a mapping');
      return [];
    }
    return Object.entries(value).filter(([key]) => !key.startsWith('x-'));
  }

  /** Reports every key of `value` that is not in `known`, with the reason `reasons` gives. */
  public otherKeys(value: Record<string, unknown>, at: KeyPath, known: readonly string[], reasons: Readonly<Record<string, string>>, owner: FindingOwner): void {
    for (const key of Object.keys(value)) {
      if (known.includes(key) || key.startsWith('x-')) continue;
      this.skip([...at, key], reasons[key] ?? NOT_A_COMPOSE_KEY, owner);
    }
  }

  /** A list of strings, each with its key path. */
  public list(value: unknown, at: KeyPath): { at: KeyPath; value: string }[] {
    if (value === undefined || value === null) return [];
    const items = Array.isArray(value) ? value : undefined;
    if (!items) {
      this.error(at, 'expected a list');
      return [];
    }
    const out: { at: KeyPath; value: string }[] = [];
    items.forEach((item, i) => {
      const text = asText(item);
      if (text === undefined) this.error([...at, i], 'expected a string');
      else out.push({ at: [...at, i], value: text });
    });
    return out;
  }

  public cpus(value: unknown, at: KeyPath, owner: FindingOwner): number | undefined {
    const n = asNumber(value);
    if (n === undefined || n < 0) {
      this.error(at, `${JSON.stringify(value)} is not a number of CPUs`);
      return undefined;
    }
    if (n === 0) {
      this.note(at, '0 means no limit; none is set', owner);
      return undefined;
    }
    return n;
  }

  public pids(value: unknown, at: KeyPath, owner: FindingOwner): number | undefined {
    const n = asInteger(value);
    if (n === undefined) {
      this.error(at, `${JSON.stringify(value)} is not a process limit`);
      return undefined;
    }
    if (n <= 0) {
      this.note(at, `${n} means no limit; none is set`, owner);
      return undefined;
    }
    return n;
  }

  /** A size as Hoist writes it: Compose's text when Hoist reads it the same, else bytes. */
  public size(value: unknown, at: KeyPath, owner: FindingOwner): string | undefined {
    if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? formatBytes(value) : undefined;
    const text = asText(value);
    if (text === undefined) {
      this.error(at, `${JSON.stringify(value)} is not a size`);
      return undefined;
    }
    const parsed = parseSize(text);
    if (!parsed.ok) {
      this.skip(at, `${JSON.stringify(text)} is not a size Hoist reads (e.g. "512m", "1g")`, owner);
      return undefined;
    }
    return /^\d+$/.test(text.trim()) ? formatBytes(parsed.bytes) : text.trim();
  }
}

/** The key a comment names: the path below the service (or resource) it is about. */
function shortKey(at: KeyPath, owner: FindingOwner): string {
  const below = owner ? at.slice(2) : at;
  return formatKeyPath(below.length ? below : at);
}

/** `~` and `~/...` as Compose expands them: the home directory of whoever runs the import. */
export function expandHome(p: string): string {
  return p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

/** Bytes as the largest binary unit that divides them ("64MiB"), else as bytes ("1000b"). */
function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}b`;
}
