/**
 * A Hoist program as data: the statements `hoist import` writes, each an expression tree
 * with the comments above it. map-compose.ts builds it (pure, testable by comparison);
 * write-program.ts prints it as TypeScript.
 */

/** An expression of the program. */
export type ProgramExpression =
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'array'; readonly items: readonly ProgramExpression[] }
  /** An object literal; `multiline` puts each entry on a line of its own, however short. */
  | { readonly kind: 'object'; readonly entries: readonly { readonly key: string; readonly value: ProgramExpression }[]; readonly multiline?: boolean }
  /** An identifier or a member path, printed as is: `db`, `RestartPolicy.NO`, `hosts.hosts[0]`. */
  | { readonly kind: 'reference'; readonly text: string }
  | { readonly kind: 'call'; readonly callee: string; readonly args: readonly ProgramExpression[]; readonly construct?: boolean };

/** One statement: `const <variable> = <expression>;`, or `<expression>;` without a variable. */
export interface ProgramStatement {
  /** Line comments above the statement, without the `//`. */
  readonly comments: readonly string[];
  readonly variable?: string;
  readonly expression: ProgramExpression;
  /** An empty line before it, to group statements. */
  readonly blankLineBefore?: boolean;
}

/** A whole program: its header comment, the names it imports from 'hoist', and its statements. */
export interface ProgramDescription {
  readonly header: readonly string[];
  readonly imports: readonly string[];
  readonly statements: readonly ProgramStatement[];
}

/** A string, number or boolean literal. */
export const literal = (value: string | number | boolean): ProgramExpression => ({ kind: 'literal', value });
/** An identifier or member path, written as is. */
export const reference = (text: string): ProgramExpression => ({ kind: 'reference', text });
/** An array literal. */
export const array = (items: readonly ProgramExpression[]): ProgramExpression => ({ kind: 'array', items });
/** A call: `callee(args)`. */
export const call = (callee: string, ...args: ProgramExpression[]): ProgramExpression => ({ kind: 'call', callee, args });
/** A construction: `new callee(args)`. */
export const construct = (callee: string, ...args: ProgramExpression[]): ProgramExpression => ({ kind: 'call', callee, args, construct: true });

/** An object literal from entries whose value is undefined are left out. */
export function object(entries: Record<string, ProgramExpression | undefined>, multiline = false): ProgramExpression {
  return {
    kind: 'object',
    entries: Object.entries(entries).filter((e): e is [string, ProgramExpression] => e[1] !== undefined).map(([key, value]) => ({ key, value })),
    multiline,
  };
}

/** An object literal of strings, in the order given. */
export function stringRecord(record: Readonly<Record<string, string>>): ProgramExpression {
  return { kind: 'object', entries: Object.entries(record).map(([key, value]) => ({ key, value: literal(value) })) };
}

/** Whether an object literal has no entries (so it can be left out). */
export function isEmptyObject(expression: ProgramExpression): boolean {
  return expression.kind === 'object' && expression.entries.length === 0;
}
