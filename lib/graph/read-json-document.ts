import * as fs from 'node:fs';
import { FileRefusedError, type RefusedFileKind } from './file-refused-error';

/**
 * Reads a JSON document (a graph, a saved plan) and parses it, or refuses it with the reason:
 * missing, unreadable, cut short, not JSON. A file cut anywhere before its closing brace does
 * not parse. With `finalNewline`, for files only Hoist writes (always with a newline after
 * the closing brace), a file cut just before that newline is refused too, so no cut at all
 * goes unnoticed. What the document holds is for the caller to check.
 */
export function readJsonDocument(file: string, kind: RefusedFileKind, options: { readonly finalNewline: boolean }): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new FileRefusedError(file, kind, `it cannot be read (${readFailure(error as NodeJS.ErrnoException)})`);
  }
  if (text.trim() === '') {
    throw new FileRefusedError(file, kind, 'it is empty (cut short, or not written by hoist)');
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new FileRefusedError(file, kind, `it is not complete JSON (${(error as Error).message}); it was cut short or damaged`);
  }
  if (options.finalNewline && !text.endsWith('\n')) {
    throw new FileRefusedError(file, kind, 'it does not end with the newline hoist writes after the document; it was cut short');
  }
  return document;
}

function readFailure(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT': return 'it does not exist';
    case 'EISDIR': return 'it is a directory';
    case 'EACCES': return 'permission denied';
    default: return error.message;
  }
}
