import { FileRefusedError, type RefusedFileKind } from '../graph/file-refused-error';
import { formatVersionProblem } from '../graph/format-version-problem';
import { readJsonDocument } from '../graph/read-json-document';
import { PLAN_FORMAT_VERSION } from './plan-types';
import { type SavedPlan, savedPlanProblems } from './saved-plan-problems';

/**
 * Reads a plan saved with `hoist plan --out` and checks all of it before any host is
 * contacted: complete JSON, this hoist's major format version, the plan's and its graph's
 * schema and naming rules, every spec hash, `graph_hash` against the graph it holds, and
 * every action against that graph (savedPlanProblems). Throws a FileRefusedError naming the
 * file, every problem with its JSON path, and what to do.
 *
 * @example
 * const plan = readSavedPlanFile('plan.json');
 */
export function readSavedPlanFile(file: string): SavedPlan {
  const kind: RefusedFileKind = {
    noun: 'saved plan',
    remedy: `make a new plan with hoist plan --out ${file}, review it, and apply that`,
  };
  // Only hoist plan --out writes these, always with a final newline: any cut shows.
  const document = readJsonDocument(file, kind, { finalNewline: true });
  const version = formatVersionProblem((document as { format_version?: unknown } | null)?.format_version, PLAN_FORMAT_VERSION);
  if (version) {
    throw new FileRefusedError(file, { ...kind, remedy: `make a new plan with this hoist (hoist plan --out ${file}), or apply it with the hoist version that made it` }, version);
  }
  let problems: string[];
  try {
    problems = savedPlanProblems(document);
  } catch (error) {
    // A document shaped to break the checks themselves (say, nested beyond the stack) is refused too.
    throw new FileRefusedError(file, kind, `it could not be checked (${(error as Error).message})`);
  }
  if (problems.length) {
    throw new FileRefusedError(file, kind, `it is not the plan hoist plan --out saved: it was edited by hand or damaged (${problems.length} problem${problems.length === 1 ? '' : 's'})`, problems);
  }
  return document as SavedPlan;
}
