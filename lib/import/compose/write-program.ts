import type * as TsMorph from 'ts-morph';
import type { ProgramDescription, ProgramExpression } from './program-description';

/** Lines longer than this are broken: objects and arrays one entry per line. */
const MAX_WIDTH = 110;
/** Comments are wrapped to this many characters after the `// `. */
const COMMENT_WIDTH = 94;

/**
 * Loads ts-morph, an optional dependency that only `hoist import` needs; throws a message
 * saying how to install it when npm left it out (`--omit=optional`).
 */
export function loadTsMorph(): typeof TsMorph {
  try {
    return require('ts-morph') as typeof TsMorph;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error('hoist import writes TypeScript through ts-morph, an optional dependency that is not installed here; run "npm install ts-morph" in the project (or install hoist without --omit=optional) and try again');
  }
}

/**
 * Prints a program description as TypeScript through ts-morph: the import from 'hoist', one
 * statement per construct with its comments, formatted by the TypeScript formatter. The
 * same description always gives the same text.
 */
export function writeProgram(description: ProgramDescription, tsMorph: typeof TsMorph = loadTsMorph()): string {
  const project = new tsMorph.Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: tsMorph.IndentationText.TwoSpaces,
      quoteKind: tsMorph.QuoteKind.Single,
      newLineKind: tsMorph.NewLineKind.LineFeed,
      useTrailingCommas: true,
    },
  });
  const file = project.createSourceFile('main.ts', '');
  file.addImportDeclaration({
    leadingTrivia: ['/**', ...description.header.map((line) => (line === '' ? ' *' : ` * ${commentText(line).replace(/\*\//g, '*\\/')}`)), ' */', ''].join('\n'),
    namedImports: [...description.imports],
    moduleSpecifier: 'hoist',
  });
  for (const statement of description.statements) {
    const comments = statement.comments.flatMap((c) => wrap(commentText(c), COMMENT_WIDTH)).map((c) => `// ${c}`);
    const leadingTrivia = [...(statement.blankLineBefore ? [''] : []), ...comments].map((l) => `${l}\n`).join('');
    if (statement.variable !== undefined) {
      const prefix = `const ${statement.variable} = `;
      file.addVariableStatement({
        leadingTrivia: leadingTrivia || undefined,
        declarationKind: tsMorph.VariableDeclarationKind.Const,
        declarations: [{ name: statement.variable, initializer: render(statement.expression, '', prefix.length) }],
      });
    } else {
      file.addStatements(`${leadingTrivia}${render(statement.expression, '', 0)};`);
    }
  }
  file.formatText({
    indentSize: 2,
    tabSize: 2,
    convertTabsToSpaces: true,
    ensureNewLineAtEndOfFile: true,
    insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
    semicolons: tsMorph.ts.SemicolonPreference.Insert,
  });
  return file.getFullText();
}

/** The expression on one line, or undefined when it must span lines. */
function inline(e: ProgramExpression): string | undefined {
  switch (e.kind) {
    case 'literal':
      return typeof e.value === 'string' ? quote(e.value) : String(e.value);
    case 'reference':
      return e.text;
    case 'call': {
      const args = e.args.map(inline);
      if (args.some((a) => a === undefined)) return undefined;
      return `${e.construct ? 'new ' : ''}${e.callee}(${args.join(', ')})`;
    }
    case 'array': {
      const items = e.items.map(inline);
      return items.some((i) => i === undefined) ? undefined : `[${items.join(', ')}]`;
    }
    case 'object': {
      if (e.multiline) return undefined;
      const entries = e.entries.map(({ key, value }) => {
        const v = inline(value);
        return v === undefined ? undefined : `${propertyKey(key)}: ${v}`;
      });
      if (entries.some((x) => x === undefined)) return undefined;
      return entries.length ? `{ ${entries.join(', ')} }` : '{}';
    }
  }
}

/** The expression starting at `column`, breaking lines where it would be too long. */
function render(e: ProgramExpression, indent: string, column: number): string {
  const flat = inline(e);
  if (flat !== undefined && column + flat.length <= MAX_WIDTH) return flat;
  const inner = `${indent}  `;
  switch (e.kind) {
    case 'array':
      return `[\n${e.items.map((item) => `${inner}${render(item, inner, inner.length)},\n`).join('')}${indent}]`;
    case 'object':
      return `{\n${e.entries.map(({ key, value }) => {
        const head = `${propertyKey(key)}: `;
        return `${inner}${head}${render(value, inner, inner.length + head.length)},\n`;
      }).join('')}${indent}}`;
    case 'call': {
      const head = `${e.construct ? 'new ' : ''}${e.callee}(`;
      const leading = e.args.slice(0, -1).map(inline);
      const last = e.args[e.args.length - 1];
      const before = leading.every((a) => a !== undefined) ? leading.join(', ') : undefined;
      if (last !== undefined && before !== undefined) {
        const start = `${head}${before}${before ? ', ' : ''}`;
        const rest = render(last, indent, column + start.length);
        if (!rest.includes('\n') || rest.startsWith('{') || rest.startsWith('[')) return `${start}${rest})`;
      }
      return `${head}\n${e.args.map((arg) => `${inner}${render(arg, inner, inner.length)},\n`).join('')}${indent})`;
    }
    default:
      return flat!;
  }
}

/** A single-quoted TypeScript string literal of `text`. */
function quote(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${escaped}'`;
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : quote(key);
}

/** `text` in lines of at most `width` characters, broken at spaces (a longer word keeps its own line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/** Comment text on one line. */
function commentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ');
}
