import * as fs from 'node:fs';
import { FileRefusedError } from './file-refused-error';
import { formatVersionProblem } from './format-version-problem';
import { PIPELINE_FORMAT_VERSION, type PipelinesDocument } from './pipeline-document';

/**
 * Reads `pipelines.json` as synth wrote it: refused (naming the file and what to do) when it is
 * missing, not JSON, or of a format version this hoist does not read.
 */
const KIND = { noun: 'pipelines file', remedy: 'run hoist synth to write it again' };

export function readPipelinesFile(file: string): PipelinesDocument {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new FileRefusedError(file, KIND, `cannot read it (${(error as NodeJS.ErrnoException).code})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new FileRefusedError(file, KIND, `it is not JSON (${(error as Error).message})`);
  }
  const problem = formatVersionProblem((document as { formatVersion?: unknown } | null)?.formatVersion, PIPELINE_FORMAT_VERSION);
  if (problem) throw new FileRefusedError(file, KIND, problem);
  if (!Array.isArray((document as { pipelines?: unknown }).pipelines)) throw new FileRefusedError(file, KIND, 'it has no list of pipelines');
  return document as PipelinesDocument;
}
