// Validates generated CI configuration against the published JSON schemas, vendored in
// test/schemas/ (see test/schemas/README.md for where each came from), so no test needs the
// network. Each schema is compiled once, on first use.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse, type DocumentOptions, type ParseOptions, type SchemaOptions, type Tags } from 'yaml';

const SCHEMA_DIR = path.join(__dirname, '..', 'schemas');

/**
 * Problems the SchemaStore GitHub Actions workflow schema finds in a workflow file, as
 * "<instancePath>: <message>" lines ("/" is the document root); [] when it is valid.
 * YAML is read as YAML 1.2, as GitHub does (so `on:` stays a string key).
 */
export function githubWorkflowProblems(yamlText: string): string[] {
  return problems(githubWorkflow, yamlText, { version: '1.2' });
}

/**
 * Problems GitLab's own `.gitlab-ci.yml` schema finds in a pipeline file, as
 * "<instancePath>: <message>" lines; [] when it is valid. YAML is read as YAML 1.1, as GitLab's
 * Ruby parser does (merge keys `<<:` work), and `!reference [job, key]` reads as its list.
 */
export function gitlabCiProblems(yamlText: string): string[] {
  return problems(gitlabCi, yamlText, { version: '1.1', customTags: [referenceTag] });
}

/** GitLab's `!reference` tag; the schema describes its value as a list of strings. */
const referenceTag: Tags[number] = {
  tag: '!reference',
  collection: 'seq',
  default: false,
  resolve: (seq) => seq,
};

type Lazy = () => ValidateFunction;

const githubWorkflow = lazySchema('github-workflow.schema.json');
const gitlabCi = lazySchema('gitlab-ci.schema.json');

function lazySchema(file: string): Lazy {
  let compiled: ValidateFunction | undefined;
  return () => {
    if (!compiled) {
      // Draft-07 schemas with editor keywords (markdownDescription and the like): not strict.
      // Skipping ajv's code optimisation pass compiles these large schemas about a third faster.
      const ajv = new Ajv({ strict: false, allErrors: true, code: { optimize: false } });
      addFormats(ajv);
      compiled = ajv.compile(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8')));
    }
    return compiled;
  };
}

function problems(schema: Lazy, yamlText: string, options: ParseOptions & DocumentOptions & SchemaOptions): string[] {
  let document: unknown;
  try {
    document = parse(yamlText, { ...options, prettyErrors: true });
  } catch (error) {
    return [`(yaml): ${(error as Error).message}`];
  }
  const validate = schema();
  if (validate(document)) return [];
  return [...new Set((validate.errors ?? []).map(describe))];
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? '/' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  let detail = '';
  if (error.keyword === 'additionalProperties') detail = ` (${String(params.additionalProperty)})`;
  else if (error.keyword === 'enum') detail = ` (${allowed(params.allowedValues as unknown[])})`;
  return `${where}: ${error.message ?? error.keyword}${detail}`;
}

function allowed(values: unknown[]): string {
  const shown = values.slice(0, 8).map((v) => JSON.stringify(v)).join(', ');
  return values.length > 8 ? `${shown}, … ${values.length - 8} more` : shown;
}
