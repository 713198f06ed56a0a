import { normalizePath } from '../values/normalize-path';

/** What a Dockerfile's built stage declares about the containers that run it. */
export interface DockerfileFacts {
  /** The last USER of the built stage or a stage of this Dockerfile it builds on; null when none sets one. */
  readonly user: string | null;
  /** 1-based line of that USER instruction; null when there is none. */
  readonly userLine: number | null;
  /** Whether the built stage (or a stage of this Dockerfile it builds on) has a HEALTHCHECK. */
  readonly healthcheck: boolean;
  /** VOLUME paths of the built stage and the stages it builds on, normalized, in order of appearance. */
  readonly volumes: { readonly path: string; readonly line: number }[];
}

/**
 * Reads what the stage a build produces declares: the `target` stage, else the last one, with
 * the stages of the same Dockerfile it is built `FROM` (their USER, HEALTHCHECK and VOLUME
 * carry over). What an external base image declares is not known here; a stage that sets no
 * USER is taken as one that runs as the base image's user, usually root. Variables in VOLUME
 * are expanded from the Dockerfile's ENV and ARG defaults (dockerfile-ast does it).
 */
export function dockerfileFacts(text: string, target: string | null = null): DockerfileFacts {
  const { DockerfileParser } = require('dockerfile-ast') as typeof import('dockerfile-ast');
  const dockerfile = DockerfileParser.parse(text);
  const froms = dockerfile.getFROMs();
  const stageOf = (name: string | null) => (name === null ? -1 : froms.findIndex((f) => f.getBuildStage()?.toLowerCase() === name.toLowerCase()));
  let index = target === null ? froms.length - 1 : stageOf(target);
  if (index < 0) index = froms.length - 1;
  // The chain of stages the built one stands on, oldest first (stage names are case-insensitive).
  const chain: number[] = [];
  while (index >= 0 && !chain.includes(index)) {
    chain.unshift(index);
    const parent = stageOf(froms[index].getImageName());
    index = parent < index ? parent : -1; // A FROM can only name an earlier stage.
  }
  const startOf = (i: number) => froms[i].getRange().start.line;
  const endOf = (i: number) => (i + 1 < froms.length ? startOf(i + 1) : Number.MAX_SAFE_INTEGER);
  const instructions = dockerfile.getInstructions()
    .filter((x) => chain.some((i) => x.getRange().start.line > startOf(i) && x.getRange().start.line < endOf(i)));

  let user: string | null = null;
  let userLine: number | null = null;
  let healthcheck = false;
  const volumes: { path: string; line: number }[] = [];
  for (const instruction of instructions) {
    const line = instruction.getRange().start.line + 1;
    switch (instruction.getKeyword()) {
      case 'USER':
        user = instruction.getArgumentsContent()?.trim() ?? '';
        userLine = line;
        break;
      case 'HEALTHCHECK':
        // HEALTHCHECK NONE switches off a base image's check.
        healthcheck = !/^none$/i.test(instruction.getArgumentsContent()?.trim() ?? '');
        break;
      case 'VOLUME':
        for (const volume of volumePaths(instruction)) volumes.push({ path: volume, line });
        break;
      default:
    }
  }
  return { user, userLine, healthcheck, volumes };
}

/** The paths of a VOLUME instruction, JSON (`["/a", "/b"]`) or plain (`/a /b`) form. */
function volumePaths(instruction: import('dockerfile-ast').Instruction): string[] {
  const content = instruction.getArgumentsContent()?.trim() ?? '';
  let paths: string[];
  if (content.startsWith('[')) {
    try {
      paths = (JSON.parse(content) as unknown[]).filter((p): p is string => typeof p === 'string');
    } catch {
      return []; // Malformed: the build itself will say so.
    }
  } else {
    paths = instruction.getExpandedArguments().map((a) => a.getValue());
  }
  return paths.filter((p) => p.length > 0).map(normalizePath);
}

