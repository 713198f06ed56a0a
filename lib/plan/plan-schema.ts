import { z } from 'zod';
import { identifier, singleLine, stringList, wholeNumber } from '../schemas/common';
import { sha256Digest } from '../graph/graph-schema';
import { RESOURCE_KINDS } from '../graph/resource-kind';

/**
 * The shape of a plan document (docs/plan-format.md). Objects are loose, as the format says
 * readers ignore members they do not know within a major version; cause types and action
 * kinds are closed, since apply and the renderers act on each. A saved plan's `graph` is
 * checked apart, by graphProblems, and the plan against it by savedPlanProblems.
 */

const count = (what: string) => wholeNumber(what, 0);

const cause = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('missing') }),
  z.looseObject({ type: z.enum(['changed', 'drift']), field: z.string(), before: z.unknown(), after: z.unknown(), sensitive: z.boolean().optional() }),
  z.looseObject({ type: z.literal('image-content'), reference: z.string(), before: z.string(), after: z.string() }),
  z.looseObject({ type: z.literal('dependency-replaced'), dependency: z.string() }),
  z.looseObject({ type: z.literal('not-running'), state: z.string(), exitCode: z.number().int().nullable() }),
  z.looseObject({ type: z.literal('removed-from-graph') }),
  z.looseObject({ type: z.literal('rollout-leftover') }),
  z.looseObject({ type: z.literal('adopt'), container: identifier, id: z.string().regex(/^[0-9a-f]{12,64}$/, 'a container id') }),
  z.looseObject({ type: z.literal('inputs-changed'), changes: stringList }),
]);

const plannedAction = z.looseObject({
  step: wholeNumber('a step (1 or more)', 1),
  host: identifier,
  kind: z.enum(RESOURCE_KINDS).exclude(['secret']),
  resource: singleLine,
  // Checked by kind against the engine's rules in savedPlanProblems.
  name: z.string(),
  action: z.enum(['build', 'create', 'update', 'replace', 'delete']),
  order: z.enum(['start-first', 'stop-first']).optional(),
  batch: wholeNumber('a batch (1 or more)', 1).optional(),
  service: z.string().optional(),
  causes: z.array(cause),
  dataLoss: z.boolean().optional(),
  // Only anonymous volumes (64 hex digits) are ever listed, and only such names are ever deleted.
  anonymousVolumes: z.array(z.looseObject({
    path: z.string().regex(/^\/[^\n\0]*$/, 'an absolute path'),
    volume: z.string().regex(/^[0-9a-f]{64}$/, 'an anonymous volume name (64 hex digits)'),
    kept: z.boolean(),
  })).optional(),
  delivery: z.looseObject({
    mode: z.enum(['direct', 'registry']),
    from: identifier,
    layers: z.looseObject({ send: count('a layer count'), total: count('a layer count') }).nullable(),
    bytes: count('a byte count').nullable(),
  }).optional(),
});

const stackPlan = z.looseObject({
  stack: identifier,
  actions: z.array(plannedAction),
  conflicts: z.array(z.looseObject({ host: z.string(), kind: z.string(), name: z.string(), message: z.string() })),
  kept: z.array(z.looseObject({ host: z.string(), kind: z.string(), name: z.string(), reason: z.string() })),
});

/** A plan document of the format version this hoist reads (the version itself is checked first, apart). */
export const planDocumentSchema = z.looseObject({
  format_version: z.string(),
  created_at: z.iso.datetime({ error: 'is not a time like "2026-11-27T05:00:00.000Z"' }),
  graph_hash: sha256Digest,
  host_fingerprints: z.record(identifier, sha256Digest),
  targets: stringList.nullable(),
  summary: z.looseObject({
    build: count('a count'), create: count('a count'), update: count('a count'), replace: count('a count'), delete: count('a count'),
  }),
  stacks: z.array(stackPlan),
});

/** A saved plan (`hoist plan --out`): the plan document with the graph it was made from. */
export const savedPlanSchema = planDocumentSchema.extend({
  graph: z.looseObject({}),
});
