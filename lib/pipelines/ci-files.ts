import * as path from 'node:path';
import type { PipelinesDocument } from '../graph/pipeline-document';
import { compareStrings } from '../values/compare-strings';
import { githubWorkflowPath, renderGithubWorkflow } from './render-github';
import { GITLAB_CI_PATH, renderGitlabCi } from './render-gitlab';

/** A CI configuration file Hoist writes. */
export interface CiFile {
  /** POSIX path relative to the repository root (where CI systems look), not the project directory. */
  readonly path: string;
  /** The whole file, starting with the generated-file marker. */
  readonly content: string;
}

/**
 * Every CI file the pipelines document asks for, sorted by path: a GitHub workflow per pipeline
 * that lists `github`, and one `.gitlab-ci.yml` for all that list `gitlab`. Pure: the writer
 * ({@link writeCiFiles}) puts them under the repository root (see {@link repositoryRoot}).
 */
export function ciFiles(document: PipelinesDocument): CiFile[] {
  const files: CiFile[] = document.pipelines
    .filter((p) => p.ci.includes('github'))
    .map((p) => ({ path: githubWorkflowPath(p), content: renderGithubWorkflow(p) }));
  const gitlab = document.pipelines.filter((p) => p.ci.includes('gitlab'));
  if (gitlab.length > 0) files.push({ path: GITLAB_CI_PATH, content: renderGitlabCi(gitlab) });
  return files.sort((a, b) => compareStrings(a.path, b.path));
}

/**
 * The repository root of a project: `projectDirectory` with its `workingDirectory` (the
 * pipelines' path of the project inside the repository) taken off the end. Throws when the
 * project directory does not end with it, since CI files written elsewhere would never run.
 *
 * @example
 * repositoryRoot('/src/shop/deploy', 'deploy') // '/src/shop'
 */
export function repositoryRoot(projectDirectory: string, workingDirectory: string): string {
  const project = path.resolve(projectDirectory);
  const segments = path.posix.normalize(workingDirectory).split('/').filter((s) => s !== '.' && s !== '');
  const root = path.resolve(project, ...segments.map(() => '..'));
  if (segments.includes('..') || path.join(root, ...segments) !== project) {
    throw new Error(`project ${project}: its pipelines' workingDirectory ${JSON.stringify(workingDirectory)} is not the end of the project's path; set it to the project's path relative to the repository root`);
  }
  return root;
}
