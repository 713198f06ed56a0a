/**
 * Splits a command written as one string (`command: npm run start -- --port 3000`) into argv
 * the way Compose does, with POSIX shell quoting but no shell: words split on blanks, single
 * quotes keep everything, double quotes keep everything but `\"`, `\\`, `\$` and `` \` ``,
 * a backslash outside quotes escapes the next character. Returns undefined when a quote is
 * left open.
 */
export function splitShellWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) return undefined;
      word += text.slice(i + 1, close);
      inWord = true;
      i = close;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`\n'.includes(text[j + 1])) {
          j++;
          if (text[j] !== '\n') word += text[j];
        } else {
          word += text[j];
        }
      }
      if (j >= text.length) return undefined;
      inWord = true;
      i = j;
    } else if (c === '\\' && i + 1 < text.length) {
      i++;
      if (text[i] !== '\n') word += text[i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
