/**
 * `word` as one POSIX shell word: bare when it holds only characters no shell treats
 * specially, otherwise single-quoted (a `'` inside closes, escapes and reopens the quote).
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
