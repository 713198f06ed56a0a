import type { PipelineSpec } from '../graph/pipeline-document';

/**
 * `name` after checking that both CI systems accept it as a secret or variable name (letters,
 * digits and `_`, not starting with a digit). It is written into `${{ secrets.<name> }}` and
 * `$<name>`, so anything else would break the file or change the expression around it.
 */
export function ciSecretName(pipeline: PipelineSpec, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`${pipeline.path}: CI secret name ${JSON.stringify(name)} is not a valid GitHub secret or GitLab variable name; use letters, digits and '_', not starting with a digit`);
  }
  return name;
}
