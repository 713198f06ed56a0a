/**
 * Seeded generator of hostile strings for property tests: everything a shell, a template, a
 * printf, a JSON or YAML encoder, a terminal or a line-oriented parser might treat as more
 * than data. The same seed always gives the same strings, so a failure replays exactly.
 *
 * What it never produces, because no engine can carry it by design:
 * - NUL: the Engine API hands env entries, labels and argv to C strings (execve, the OCI
 *   runtime); Hoist rejects NUL in all three at synth. (Secret files carry bytes; tests add
 *   NUL there themselves.)
 * - lone UTF-16 surrogates: the Engine API is JSON over UTF-8, where a lone surrogate has no
 *   encoding (Go decodes it to U+FFFD). Astral characters appear as proper pairs.
 */

/** A small, fast PRNG (sfc32) from a 32-bit seed: reproducible without a dependency. */
export function seededRandom(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const r = (t + d) | 0;
    c = (c + r) | 0;
    return (r >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

/** The seed of a run: HOIST_PROPERTY_SEED to replay one, else a fresh one (print it). */
export function propertySeed(): number {
  const given = process.env.HOIST_PROPERTY_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`HOIST_PROPERTY_SEED=${given} is not a whole number from 0 to 4294967295`);
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000) >>> 0;
}

/** How many strings a run generates: HOIST_PROPERTY_RUNS, else `fallback` (the CI count). */
export function propertyRuns(fallback: number): number {
  const given = process.env.HOIST_PROPERTY_RUNS;
  if (given === undefined || given === '') return fallback;
  const runs = Number(given);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`HOIST_PROPERTY_RUNS=${given} is not a whole number of 1 or more`);
  return runs;
}

const cp = (...codes: number[]) => String.fromCodePoint(...codes);

/** Pieces with a meaning somewhere: shells, printf, globs, templates, option parsers, encoders. */
const ATOMS: readonly string[] = [
  '\'', '"', '`', '\\', '\\\\', '\\n', '\\0', '\\x00', '\\u0000', '$', '$(id)', '`id`', '${HOME}', '$HOME', '$((1+1))', '$?', '$$', '$@', '$*', '$0', '$1',
  ';', '|', '||', '&', '&&', '>', '>>', '<', '<<EOF', '2>&1', '(', ')', '{', '}', '!', '!!', '#', '~', '*', '?', '[a-z]', '[!x]', '{a,b}', '**/*',
  '%', '%s', '%n', '%d', '%%', '%x', '%-5s', '%1$s', '%b', '%c', '%q', '%*d', '%.0s',
  '=', '==', 'a=b', 'X=1 ', '--', '-', '-e', '-n', '--help', '-rf', '--version', '-c',
  '\n', '\r', '\r\n', '\t', '\v', '\f', '\b', '\x1b[31m', '\x1b]0;title\x07', '\x7f', '\x01', '\x1f',
  '{{.Name}}', '{{ printf "%s" . }}', '<script>', '&amp;', '</x>', '{"a":1}', '[1,2]', 'null', 'true', '- yes', 'key: value', '&anchor', '*alias', '!!binary',
  ' ', '  ', '', 'hoist.spec', 'PATH', '/etc/passwd', '../..', '/', '.', 'C:\\x', 'file:///', 'http://x/?a=1&b=2',
  cp(0x85), cp(0xa0), cp(0xad), cp(0x200b), cp(0x200d), cp(0x200e), cp(0x200f), cp(0x202a), cp(0x202e), cp(0x2066), cp(0x2069), cp(0x2028), cp(0x2029),
  cp(0xfeff), cp(0xfffd), cp(0xfffe), cp(0xffff), cp(0xe9), 'e' + cp(0x301), 'a' + cp(0x300, 0x316, 0x35c, 0x361), cp(0x5d0, 0x5d1), cp(0x627, 0x644),
  cp(0x1f600), cp(0x1f468, 0x200d, 0x1f469, 0x200d, 0x1f467), cp(0x1f1e9, 0x1f1ea), cp(0x1d400), cp(0x10ffff), cp(0x1f3fb), cp(0xe0041), cp(0x4e2d, 0x6587), cp(0x3000),
];

/** Strings every run includes, before the random ones: the cases worth never missing. */
const FIXED: readonly string[] = [
  '', ' ', '\n', '\r', '\r\n', '\t', '=', '==', '=x', 'x=', 'a=b=c', '-', '--', '-n', '-e', '--help', '$(id)', '`id`', '\'', '"', '\\', '\\\\\\', '%s%s%s%n',
  '*', '?', '[', 'x\n', '\nx', ' leading', 'trailing ', 'multi\nline\nvalue\n', '\r\n\r\n', '\x1b[2J\x1b[H', cp(0x10ffff),
  cp(0x1f600).repeat(100), 'e' + cp(0x301).repeat(50), cp(0x202e) + 'txt.exe', '${IFS}', '$IFS', ';rm -rf /;', '| cat /etc/shadow', '"; echo pwned; "',
  '\\"\\\'\\`', '\x7f'.repeat(8), 'x'.repeat(65536), '\n'.repeat(4096), '%'.repeat(2048), '\\'.repeat(4097),
];

/** Control characters other than NUL (C0, DEL and C1). */
function controlChar(random: () => number): string {
  const r = Math.floor(random() * (31 + 1 + 32));
  if (r < 31) return String.fromCharCode(r + 1);
  if (r === 31) return '\x7f';
  return String.fromCharCode(0x80 + (r - 32));
}

/** A random Unicode scalar value: any plane, never a surrogate, never NUL. */
function anyScalar(random: () => number): string {
  const r = random();
  let code: number;
  if (r < 0.4) code = 0x20 + Math.floor(random() * 0x5f);
  else if (r < 0.75) code = 0x80 + Math.floor(random() * (0xd800 - 0x80));
  else if (r < 0.85) code = 0xe000 + Math.floor(random() * 0x2000);
  else code = 0x10000 + Math.floor(random() * 0x100000);
  return String.fromCodePoint(code);
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)];
}

/** Target length in UTF-16 units: mostly short, some kilobytes, a few up to 64 KiB. */
function targetLength(random: () => number): number {
  const r = random();
  if (r < 0.6) return Math.floor(random() * 24);
  if (r < 0.95) return 24 + Math.floor(random() * 176);
  if (r < 0.999) return 200 + Math.floor(random() * 1800);
  return 16384 + Math.floor(random() * (65536 - 16384));
}

/** One random hostile string. */
export function hostileString(random: () => number): string {
  const length = targetLength(random);
  const parts: string[] = [];
  let size = 0;
  // Some strings start like an option or an assignment, where parsers look first.
  const start = random();
  if (start < 0.08) parts.push('-');
  else if (start < 0.12) parts.push('--');
  else if (start < 0.15) parts.push('=');
  while (size < length) {
    const r = random();
    let piece: string;
    if (r < 0.45) piece = pick(random, ATOMS);
    else if (r < 0.6) piece = controlChar(random);
    else if (r < 0.8) piece = anyScalar(random);
    else piece = 'abcdefghijklmnopqrstuvwxyz0123456789_'.slice(0, 1 + Math.floor(random() * 8));
    // A long string repeats a short run of pieces instead of drawing thousands one by one.
    const run = length > 2300 && parts.length >= 16 ? parts.slice(parts.length - 16).join('') : '';
    if (run.length > 0) piece = run.repeat(Math.max(1, Math.floor((length - size) / run.length)));
    parts.push(piece);
    size += piece.length;
  }
  let text = parts.join('');
  // Never cut an astral character in half: that would leave a lone surrogate.
  if (text.length > 65536) text = text.slice(0, 65536);
  if (/[\ud800-\udbff]$/.test(text)) text = text.slice(0, -1);
  return text;
}

/** `count` hostile strings for `seed`: the fixed cases first, then random ones. */
export function hostileStrings(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  const strings = FIXED.slice(0, count);
  while (strings.length < count) strings.push(hostileString(random));
  return strings;
}

/**
 * A hostile environment variable name: the same pieces without what no engine can carry in
 * a name (`=` ends the name, NUL ends the entry) and what Hoist rejects at synth (white
 * space, so `env` output and `KEY=value` lines stay parseable).
 */
export function hostileEnvName(random: () => number, index: number): string {
  let name = '';
  while (name.length < 1 + Math.floor(random() * 24)) {
    const piece = random() < 0.6 ? pick(random, ATOMS) : random() < 0.5 ? controlChar(random) : anyScalar(random);
    name += piece.replace(/[=\s\0]/gu, '');
  }
  // Unique per index, and never an existing variable such as PATH or HOSTNAME.
  return `${name}_${index}`;
}
