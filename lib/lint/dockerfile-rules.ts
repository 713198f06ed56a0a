import * as fs from 'node:fs';
import * as path from 'node:path';
import { dockerfileFacts } from './dockerfile-facts';
import { LINT_RULES, type LintSeverity } from '../graph/lint-rule-catalog';
import { isRootUser } from '../values/root-user';

/** One problem found in an image's build. */
export interface LintFinding {
  readonly rule: string;
  readonly severity: Exclude<LintSeverity, 'off'>;
  /** 1-based line of the Dockerfile, when the finding has one. */
  readonly line: number | null;
  readonly message: string;
}

/** What the rules look at. */
export interface LintInput {
  readonly dockerfile: string;
  /** The build context directory; null when there is none to check (.dockerignore). */
  readonly contextDir: string | null;
  /** Whether the service running the image defines its own health check. */
  readonly serviceHasHealthCheck: boolean;
  /**
   * Whether every service running the image sets a user other than root, so the image's own
   * USER never applies (default false).
   */
  readonly servicesSetUser?: boolean;
  /** The stage the build stops at; default: the last one. */
  readonly target?: string | null;
  /** How messages name the context (e.g. project-relative); default: contextDir. */
  readonly contextName?: string;
}

const SECRET_NAME = /(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credentials?)$/i;
const INSTALL = /\b(npm (ci|install|i)\b|yarn( install)?\b|pnpm (install|i)\b|pip3? install|poetry install|bundle install|go mod download|composer install|cargo (fetch|build))/;
const SLIM_VARIANTS = new Set(['node', 'python', 'ruby', 'debian', 'openjdk', 'php']);

/**
 * Checks a Dockerfile against the pitfalls container guides warn about. The Dockerfile is
 * read with dockerfile-ast (the parser of the VS Code Dockerfile language server): line
 * continuations, comments, parser directives and multi-stage names are its job.
 * `severities` overrides the default severity per rule (`off` drops the rule).
 */
export function lintDockerfile(input: LintInput, severities: Readonly<Record<string, LintSeverity>> = {}): LintFinding[] {
  const { DockerfileParser } = require('dockerfile-ast') as typeof import('dockerfile-ast');
  const dockerfile = DockerfileParser.parse(input.dockerfile);
  const findings: LintFinding[] = [];
  const report = (rule: string, line: number | null, message: string) => {
    const severity = severities[rule] ?? LINT_RULES[rule].severity;
    if (severity !== 'off') findings.push({ rule, severity, line, message });
  };

  const froms = dockerfile.getFROMs();
  const stageNames = new Set<string>();
  for (const from of froms) {
    const line = from.getRange().start.line + 1;
    const image = from.getImageName();
    const tag = from.getImageTag();
    const digest = from.getImageDigest();
    const name = from.getBuildStage();
    const isStage = image !== null && stageNames.has(image.toLowerCase());
    if (name) stageNames.add(name.toLowerCase());
    if (!image || isStage || image === 'scratch' || image.includes('$')) continue;
    if (!digest) {
      report('floating-base', line, tag === null || tag === 'latest'
        ? `FROM ${image}${tag ? `:${tag}` : ''} follows "latest"; pin a version and a digest (${image}:<version>@sha256:...)`
        : `FROM ${image}:${tag} can change under the same tag; pin its digest (${image}:${tag}@sha256:...)`);
    }
    const short = image.split('/').pop()!;
    if (SLIM_VARIANTS.has(short) && !/(slim|alpine|distroless|minimal)/.test(tag ?? '')) {
      report('full-base', line, `FROM ${image}${tag ? `:${tag}` : ''} is the full image; ${short} has slim variants (e.g. ${short}:${tag && tag !== 'latest' ? `${tag}-` : ''}slim)`);
    }
  }

  // The built stage (the target, else the last) with the stages of this file it builds on.
  const facts = dockerfileFacts(input.dockerfile, input.target ?? null);
  const instructions = dockerfile.getInstructions();
  // When every service sets its own non-root user, the image's USER never applies.
  const imageUserApplies = !input.servicesSetUser;
  if (imageUserApplies && facts.user === null) {
    report('no-user', null, 'the built stage sets no USER, so the container runs as root; add a user and USER it (or set the service\'s user)');
  } else if (imageUserApplies && facts.user !== null && isRootUser(facts.user)) {
    report('no-user', facts.userLine, `USER ${facts.user} runs the container as root; switch to an unprivileged user`);
  }

  for (const instruction of instructions) {
    const keyword = instruction.getKeyword();
    if (keyword !== 'ENV' && keyword !== 'ARG') continue;
    const properties = (instruction as unknown as { getProperties(): { getName(): string }[] }).getProperties?.() ?? [];
    for (const property of properties) {
      if (SECRET_NAME.test(property.getName())) {
        report('secret-in-build', instruction.getRange().start.line + 1, `${keyword} ${property.getName()} looks like a secret: ${keyword === 'ARG' ? 'build arguments' : 'variables'} stay in the image's history; use a build secret (RUN --mount=type=secret) or a runtime Secret`);
      }
    }
  }

  // Per stage: a COPY of the whole context before the first dependency install.
  let stageStart = 0;
  const stageBounds = froms.map((f) => f.getRange().start.line);
  for (const [index, start] of stageBounds.entries()) {
    stageStart = start;
    const end = stageBounds[index + 1] ?? Number.MAX_SAFE_INTEGER;
    const stage = instructions.filter((i) => i.getRange().start.line >= stageStart && i.getRange().start.line < end);
    const install = stage.find((i) => i.getKeyword() === 'RUN' && INSTALL.test(i.getArgumentsContent() ?? ''));
    if (!install) continue;
    const wholeCopy = stage.find((i) => (i.getKeyword() === 'COPY' || i.getKeyword() === 'ADD') && i.getRange().start.line < install.getRange().start.line
      && copiesWholeContext(i.getArgumentsContent() ?? ''));
    if (wholeCopy) {
      report('copy-before-install', wholeCopy.getRange().start.line + 1, `the whole context is copied (line ${wholeCopy.getRange().start.line + 1}) before "${(install.getArgumentsContent() ?? '').trim()}" (line ${install.getRange().start.line + 1}): copy the dependency manifests first, install, then copy the rest`);
    }
  }

  if (input.contextDir !== null && !fs.existsSync(path.join(input.contextDir, '.dockerignore'))) {
    report('no-dockerignore', null, `${input.contextName ?? input.contextDir} has no .dockerignore: everything in it (.git, node_modules, local secrets) is sent to the build`);
  }
  if (!input.serviceHasHealthCheck && !facts.healthcheck) {
    report('no-healthcheck', null, 'no HEALTHCHECK in the image and none on the service: rollouts can only check that the container keeps running');
  }
  return findings;
}

/** Whether COPY/ADD arguments take the whole build context (a source of "." or "./"; the last argument is the destination). */
function copiesWholeContext(args: string): boolean {
  if (/--from=/.test(args)) return false;
  let words: string[];
  try {
    words = args.trim().startsWith('[') ? (JSON.parse(args.trim()) as string[]) : args.trim().split(/\s+/).filter((w) => !w.startsWith('--'));
  } catch {
    return false; // A malformed exec form; the build itself will say so.
  }
  return words.slice(0, -1).some((w) => w === '.' || w === './');
}
