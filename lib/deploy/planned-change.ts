import * as path from 'node:path';
import { canonicalJsonPretty } from '../graph/canonical-json';
import { FileRefusedError } from '../graph/file-refused-error';
import type { ImageLint, ServiceLint } from '../lint/lint-graph';
import type { PlanConflict } from '../plan/plan-types';
import { readSavedPlanFile } from '../plan/read-saved-plan';
import type { SavedPlan } from '../plan/saved-plan-problems';
import { writeFileAtomic } from '../values/write-file-atomic';
import { DeployError } from './deploy-error';

/** A plan to carry out exactly: `apply` refuses it if any host changed since it was made. */
export interface PlannedChange {
  /** The plan with the graph it was made from (the format `hoist plan --out` saves). */
  readonly plan: SavedPlan;
  /** Where the program lives: build contexts, secret files and the fingerprint key are read relative to it. */
  readonly projectDir: string;
}

/** What {@link plan} found: the plan, and what to know before applying it. */
export interface PlanResult extends PlannedChange {
  /** Whether applying the plan would change anything. */
  readonly hasChanges: boolean;
  /** Objects Hoist does not own in the way of the plan; apply refuses a plan with any. */
  readonly conflicts: readonly PlanConflict[];
  /** Lint results for the images the plan builds and the services it (re)creates. */
  readonly lint: readonly (ImageLint | ServiceLint)[];
}

/** Whether `x` is a {@link PlannedChange} (and not a source to plan). */
export function isPlannedChange(x: unknown): x is PlannedChange {
  return typeof x === 'object' && x !== null && 'plan' in x && 'projectDir' in x && !('graph' in x) && !('node' in x);
}

/**
 * Saves a plan for `hoist apply <file>` or {@link readPlanFile}, atomically and readable by
 * its owner only (saved plans name hosts and users).
 */
export function savePlanFile(planned: PlannedChange, file: string): void {
  writeFileAtomic(path.resolve(file), canonicalJsonPretty(planned.plan), { mode: 0o600 });
}

/**
 * Reads a plan saved by `hoist plan --out` (or {@link savePlanFile}) and checks all of it
 * before any host is contacted; a file cut short, edited or made by another format version is
 * refused (DeployError `invalid`) with every problem.
 */
export function readPlanFile(file: string, options: { readonly projectDir?: string } = {}): PlannedChange {
  try {
    return { plan: readSavedPlanFile(file), projectDir: path.resolve(options.projectDir ?? '.') };
  } catch (error) {
    throw error instanceof FileRefusedError ? new DeployError('invalid', error.message, { nothingChanged: true }) : error;
  }
}
