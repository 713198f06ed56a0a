/**
 * Brand checks that survive duplicate copies of this package in one program (a stack library
 * with its own copy of hoist): `instanceof` fails across copies, a `Symbol.for` key does not.
 */
export function brand(target: object, symbol: symbol): void {
  Object.defineProperty(target, symbol, { value: true });
}

export function hasBrand(value: unknown, symbol: symbol): boolean {
  return value !== null && typeof value === 'object' && (value as Record<symbol, unknown>)[symbol] === true;
}
