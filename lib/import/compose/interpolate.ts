/**
 * Compose's variable interpolation (the Compose specification's "Interpolation" section, as
 * compose-go implements it): `$VAR`, `${VAR}`, `${VAR:-default}` (unset or empty),
 * `${VAR-default}` (unset), `${VAR:?message}` / `${VAR?message}` (an error when unset or
 * empty / unset), `${VAR:+replacement}` / `${VAR+replacement}` (when set and non-empty / set),
 * and `$$` for a literal `$`. Defaults, messages and replacements are interpolated in turn, so
 * `${A:-${B:-c}}` works. A `$` that starts none of these is an error, as in Compose.
 */

/** Where variable values come from: a value, or undefined when the variable is not set. */
export type VariableLookup = (name: string) => string | undefined;

/** A template Compose would refuse, or a required variable without a value. */
export class InterpolationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InterpolationError';
  }
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;
const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;

/**
 * Interpolates `text`. Variables that were used without a value and without a default are
 * added to `unset` (Compose warns about each and uses an empty string).
 */
export function interpolate(text: string, lookup: VariableLookup, unset: Set<string> = new Set()): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = closingBrace(text, dollar + 2);
      if (close < 0) throw new InterpolationError(`invalid interpolation format in ${JSON.stringify(text)}: "\${" without its closing "}"`);
      out += substitute(text.slice(dollar + 2, close), text, lookup, unset);
      i = close + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1));
      if (!name) {
        throw new InterpolationError(`invalid interpolation format in ${JSON.stringify(text)}: a "$" must start a variable ($VAR or \${VAR}); write "$$" for a literal "$"`);
      }
      out += valueOf(name[0], lookup, unset);
      i = dollar + 1 + name[0].length;
    }
  }
  return out;
}

/** The index of the "}" closing a "${" whose body starts at `start`, counting nested "${". */
function closingBrace(text: string, start: number): number {
  let depth = 1;
  for (let j = start; j < text.length; j++) {
    if (text.startsWith('${', j)) {
      depth++;
      j++;
    } else if (text[j] === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function substitute(body: string, template: string, lookup: VariableLookup, unset: Set<string>): string {
  const name = NAME.exec(body)?.[0];
  if (name === undefined) {
    throw new InterpolationError(`invalid interpolation format in ${JSON.stringify(template)}: "\${${body}}" does not start with a variable name`);
  }
  const rest = body.slice(name.length);
  if (rest === '') return valueOf(name, lookup, unset);
  const operator = OPERATORS.find((op) => rest.startsWith(op));
  if (operator === undefined) {
    throw new InterpolationError(`invalid interpolation format in ${JSON.stringify(template)}: "\${${body}}" (after the name: ":-", "-", ":?", "?", ":+" or "+")`);
  }
  const argument = () => interpolate(rest.slice(operator.length), lookup, unset);
  const value = lookup(name);
  const empty = value === undefined || value === '';
  switch (operator) {
    case ':-': return empty ? argument() : value!;
    case '-': return value === undefined ? argument() : value;
    case ':+': return empty ? '' : argument();
    case '+': return value === undefined ? '' : argument();
    case ':?':
    case '?':
      if (operator === ':?' ? empty : value === undefined) {
        const message = argument();
        throw new InterpolationError(`required variable ${name} is missing a value${message ? `: ${message}` : ''}`);
      }
      return value!;
  }
}

function valueOf(name: string, lookup: VariableLookup, unset: Set<string>): string {
  const value = lookup(name);
  if (value === undefined) {
    unset.add(name);
    return '';
  }
  return value;
}
