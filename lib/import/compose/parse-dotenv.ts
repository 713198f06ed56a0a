import { ComposeImportError } from './compose-import-error';
import { interpolate, InterpolationError, type VariableLookup } from './interpolate';

/**
 * Parses a `.env` or `env_file` file the way Compose reads them (compose-go's dotenv):
 * `KEY=value` or `KEY: value` lines, an optional `export ` prefix, `#` comment lines;
 * unquoted values are trimmed and lose an inline comment (` #...`); single-quoted values are
 * taken literally; double-quoted values may span lines and understand `\n`, `\r`, `\t`,
 * `\"` and `\\`. Unquoted and double-quoted values are interpolated: `lookup` first (the
 * shell, or the project's environment), then the variables set earlier in the same file. A
 * line with a bare `KEY` takes the variable from `lookup`, and is left out when it is unset.
 *
 * `file` names the file in errors, which carry the line: `.env:3: ...`.
 */
export function parseDotenv(text: string, file: string, lookup: VariableLookup): Map<string, string> {
  const values = new Map<string, string>();
  const scoped: VariableLookup = (name) => lookup(name) ?? values.get(name);
  const problems: string[] = [];
  let pos = 0;
  let line = 1;
  const advance = (to: number) => {
    for (let j = pos; j < to; j++) if (text[j] === '\n') line++;
    pos = to;
  };
  const restOfLine = () => {
    const end = text.indexOf('\n', pos);
    return end < 0 ? text.length : end;
  };
  while (pos < text.length) {
    const start = text.slice(pos).search(/\S/);
    if (start < 0) break;
    advance(pos + start);
    if (text[pos] === '#') {
      advance(restOfLine());
      continue;
    }
    const statementLine = line;
    const lineEnd = restOfLine();
    let body = text.slice(pos, lineEnd);
    let offset = 0;
    const exported = /^export[ \t]+/.exec(body);
    if (exported) offset = exported[0].length;
    const key = /^([A-Za-z0-9_.-]+)[ \t]*/.exec(body.slice(offset));
    if (!key) {
      problems.push(`${file}:${statementLine}: ${JSON.stringify(body.trim())} is not a KEY=value line`);
      advance(lineEnd);
      continue;
    }
    offset += key[0].length;
    const name = key[1];
    const separator = body[offset];
    if (separator === undefined || separator === '\r') {
      const inherited = lookup(name);
      if (inherited !== undefined) values.set(name, inherited);
      advance(lineEnd);
      continue;
    }
    if (separator !== '=' && separator !== ':') {
      problems.push(`${file}:${statementLine}: ${JSON.stringify(body.trim())}: expected "=" after ${name}`);
      advance(lineEnd);
      continue;
    }
    offset += 1;
    offset += /^[ \t]*/.exec(body.slice(offset))![0].length;
    const quote = body[offset];
    try {
      if (quote === '"' || quote === "'") {
        const open = pos + offset;
        let close = open + 1;
        while (close < text.length && (text[close] !== quote || (quote === '"' && isEscaped(text, close)))) close++;
        if (close >= text.length) {
          problems.push(`${file}:${statementLine}: the value of ${name} has no closing ${quote}`);
          advance(text.length);
          continue;
        }
        const raw = text.slice(open + 1, close);
        values.set(name, quote === "'" ? raw : interpolate(unescapeDoubleQuoted(raw), scoped));
        advance(close + 1);
        advance(restOfLine());
        continue;
      }
      body = body.slice(offset).replace(/\r$/, '');
      const comment = /(^|[ \t])#/.exec(body);
      const value = (comment ? body.slice(0, comment.index) : body).trimEnd();
      values.set(name, interpolate(value, scoped));
    } catch (error) {
      if (!(error instanceof InterpolationError)) throw error;
      problems.push(`${file}:${statementLine}: ${name}: ${error.message}`);
    }
    advance(lineEnd);
  }
  if (problems.length) throw new ComposeImportError(problems);
  return values;
}

function isEscaped(text: string, index: number): boolean {
  let backslashes = 0;
  for (let j = index - 1; j >= 0 && text[j] === '\\'; j--) backslashes++;
  return backslashes % 2 === 1;
}

/** `\n`, `\r`, `\t` become the characters; any other escaped character stands for itself (`\$` for a literal `$`). */
function unescapeDoubleQuoted(raw: string): string {
  return raw.replace(/\\(.)/gs, (_, c: string) => {
    switch (c) {
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case '$': return '$$';
      default: return c;
    }
  });
}
