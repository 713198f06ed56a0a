import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PipelinesDocument } from '../graph/pipeline-document';
import { compareStrings } from '../values/compare-strings';
import { writeFileAtomic } from '../values/write-file-atomic';
import { ciFiles } from './ci-files';
import { GENERATED_MARKER, isGeneratedText } from './generated-marker';
import { GITLAB_CI_PATH } from './render-gitlab';

/** What {@link writeCiFiles} did, each a sorted list of paths relative to the repository root. */
export interface WriteCiFilesResult {
  /** Created or replaced. */
  readonly written: string[];
  /** Already had exactly these bytes; not touched, so their modification time stays. */
  readonly unchanged: string[];
  /** Written by Hoist earlier for a pipeline the program no longer has (or no longer runs on that CI). */
  readonly removed: string[];
}

const WORKFLOWS = '.github/workflows';

/**
 * Brings the CI files under `repositoryRoot` in line with the pipelines document.
 *
 * Each file is written atomically and only when its bytes change. Files Hoist wrote earlier
 * (first line {@link GENERATED_MARKER}) that the document no longer produces are removed: the
 * workflows directly under `.github/workflows/` and `.gitlab-ci.yml`, nothing else. A file at a
 * path Hoist writes that lacks the marker is a person's: then nothing at all is written and the
 * error names every such file and what to do.
 */
export function writeCiFiles(repositoryRoot: string, document: PipelinesDocument): WriteCiFilesResult {
  const files = ciFiles(document);
  const current = new Map(files.map((f) => [f.path, readIfExists(path.join(repositoryRoot, f.path))]));
  const foreign = files.filter((f) => {
    const text = current.get(f.path);
    return text !== undefined && !isGeneratedText(text);
  });
  if (foreign.length > 0) throw new Error(foreign.map((f) => refusal(repositoryRoot, f.path)).join('\n'));

  const written: string[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    if (current.get(file.path) === file.content) {
      unchanged.push(file.path);
      continue;
    }
    const target = path.join(repositoryRoot, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Committed configuration, readable by everyone like the rest of the checkout.
    writeFileAtomic(target, file.content, { mode: 0o644 });
    written.push(file.path);
  }

  const produced = new Set(files.map((f) => f.path));
  const removed: string[] = [];
  for (const candidate of generatedCandidates(repositoryRoot)) {
    if (produced.has(candidate)) continue;
    const text = readIfExists(path.join(repositoryRoot, candidate));
    if (text === undefined || !isGeneratedText(text)) continue;
    fs.unlinkSync(path.join(repositoryRoot, candidate));
    removed.push(candidate);
  }
  return { written: written.sort(compareStrings), unchanged: unchanged.sort(compareStrings), removed: removed.sort(compareStrings) };
}

/** The files Hoist may have written: the workflows GitHub reads and `.gitlab-ci.yml`. */
function generatedCandidates(repositoryRoot: string): string[] {
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(path.join(repositoryRoot, WORKFLOWS), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const workflows = entries.filter((e) => e.isFile() && /\.ya?ml$/.test(e.name)).map((e) => `${WORKFLOWS}/${e.name}`);
  return [...workflows, GITLAB_CI_PATH];
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function refusal(repositoryRoot: string, relative: string): string {
  const file = path.join(repositoryRoot, relative);
  const step = relative === GITLAB_CI_PATH
    ? "rename it (to keep your jobs, make the renamed file the project's CI/CD configuration file and add include: .gitlab-ci.yml to it), or take 'gitlab' out of the pipelines' ci"
    : 'rename or delete it, or rename the pipeline';
  return `${file}: not written by hoist synth (its first line does not start with "${GENERATED_MARKER}"), so it is left as it is; ${step}, then run hoist synth again`;
}
