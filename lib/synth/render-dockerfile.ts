import type { BuildInstruction, BuildStage } from '../core/build-stage';
import { parseDuration } from '../values/duration';
import { parseImageReference } from '../values/image-reference';

/** The Dockerfile text rendered from typed stages, and any problems (field-path prefixed). */
export interface RenderedDockerfile {
  readonly text: string;
  readonly problems: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const STAGE_NAME = /^[a-z][a-z0-9_.-]*$/;

/**
 * Renders typed build stages to a Dockerfile. Every value is quoted or JSON-encoded; a value
 * that cannot be written safely on one line is a problem, not a guess.
 */
export function renderDockerfile(stages: BuildStage[], field: string): RenderedDockerfile {
  const problems: string[] = [];
  // No "# syntax=" line: it makes BuildKit fetch a frontend image from a registry, and hosts
  // without registry access must still build.
  const lines: string[] = ['# Rendered by hoist from typed build steps; do not edit.'];
  const known = new Set<string>();
  if (stages.length === 0) {
    problems.push(`${field}: needs at least one stage`);
  }
  stages.forEach((stage, index) => {
    const at = `${field}[${index}]`;
    const name = stage.stageName;
    if (name !== undefined && !STAGE_NAME.test(name)) {
      problems.push(`${at}.stageName: ${JSON.stringify(name)} is not a stage name (lower-case letters, digits, "_", "." or "-")`);
    } else if (name !== undefined && known.has(name)) {
      problems.push(`${at}.stageName: stage "${name}" is defined twice`);
    }
    const fromStage = known.has(stage.baseImage);
    if (!fromStage && !parseImageReference(stage.baseImage).ok) {
      problems.push(`${at}.baseImage: ${JSON.stringify(stage.baseImage)} is neither an image reference nor an earlier stage`);
    }
    const platform = stage.options.platform;
    if (platform !== undefined && !/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/.test(platform)) {
      problems.push(`${at}.platform: ${JSON.stringify(platform)} is not a platform (e.g. "linux/amd64")`);
    }
    lines.push('');
    lines.push(`FROM ${platform ? `--platform=${platform} ` : ''}${stage.baseImage}${name ? ` AS ${name}` : ''}`);
    stage._instructions.forEach((instruction, step) => {
      const rendered = renderInstruction(instruction, known, `${at}.steps[${step}]`);
      if (typeof rendered === 'string') {
        lines.push(rendered);
      } else {
        problems.push(rendered.problem);
      }
    });
    if (name !== undefined) {
      known.add(name);
    }
  });
  return { text: lines.join('\n') + '\n', problems };
}

function renderInstruction(i: BuildInstruction, stages: Set<string>, at: string): string | { problem: string } {
  const bad = (message: string) => ({ problem: `${at} (${i.op}): ${message}` });
  switch (i.op) {
    case 'arg':
      if (!ENV_NAME.test(i.name)) return bad(`${JSON.stringify(i.name)} is not an argument name`);
      if (i.defaultValue !== undefined && hasLineBreak(i.defaultValue)) return bad('the default value must be one line');
      return `ARG ${i.name}${i.defaultValue === undefined ? '' : '=' + quote(i.defaultValue)}`;
    case 'env':
      if (!ENV_NAME.test(i.name)) return bad(`${JSON.stringify(i.name)} is not an environment variable name`);
      if (hasLineBreak(i.value)) return bad('the value must be one line');
      return `ENV ${i.name}=${quote(i.value)}`;
    case 'label':
      if (!LABEL_NAME.test(i.name)) return bad(`${JSON.stringify(i.name)} is not a label name`);
      if (hasLineBreak(i.value)) return bad('the value must be one line');
      return `LABEL ${i.name}=${quote(i.value)}`;
    case 'workdir':
      if (!i.path || hasLineBreak(i.path)) return bad('the path must be one non-empty line');
      return `WORKDIR ${i.path}`;
    case 'copy': {
      if (i.sources.length === 0) return bad('needs at least one source');
      if ([...i.sources, i.destination].some((p) => !p || hasLineBreak(p))) return bad('paths must be non-empty single lines');
      if (i.fromStage !== undefined && !stages.has(i.fromStage)) {
        return bad(`copies from stage "${i.fromStage}", which is not an earlier stage (known: ${[...stages].join(', ') || 'none'})`);
      }
      if (i.options.chown !== undefined && !/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/.test(i.options.chown)) return bad(`${JSON.stringify(i.options.chown)} is not an owner`);
      if (i.options.chmod !== undefined && !/^[0-7]{3,4}$/.test(i.options.chmod)) return bad(`${JSON.stringify(i.options.chmod)} is not an octal mode`);
      const flags = [
        i.fromStage !== undefined ? `--from=${i.fromStage}` : '',
        i.options.chown !== undefined ? `--chown=${i.options.chown}` : '',
        i.options.chmod !== undefined ? `--chmod=${i.options.chmod}` : '',
      ].filter(Boolean);
      return `COPY ${flags.length ? flags.join(' ') + ' ' : ''}${JSON.stringify([...i.sources, i.destination])}`;
    }
    case 'run':
      if (!i.command.trim() || hasLineBreak(i.command)) return bad('the command must be one non-empty line (chain steps with && or use several run steps)');
      return `RUN ${i.command}`;
    case 'run-exec':
      if (i.argv.length === 0) return bad('needs a command');
      return `RUN ${JSON.stringify(i.argv)}`;
    case 'user':
      if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(i.user)) return bad(`${JSON.stringify(i.user)} is not a user`);
      return `USER ${i.user}`;
    case 'expose':
      if (!Number.isInteger(i.port) || i.port < 1 || i.port > 65535) return bad(`${i.port} is not a port (1-65535)`);
      return `EXPOSE ${i.port}/${i.protocol}`;
    case 'cmd':
      if (i.argv.length === 0) return bad('needs a command');
      return `CMD ${JSON.stringify(i.argv)}`;
    case 'entrypoint':
      if (i.argv.length === 0) return bad('needs a command');
      return `ENTRYPOINT ${JSON.stringify(i.argv)}`;
    case 'healthcheck': {
      if (i.argv.length === 0) return bad('needs a command');
      const flags: string[] = [];
      for (const [key, flag] of [['interval', 'interval'], ['timeout', 'timeout'], ['startPeriod', 'start-period']] as const) {
        const value = i.options[key];
        if (value === undefined) continue;
        const parsed = parseDuration(value);
        if (!parsed.ok) return bad(`${key}: ${parsed.reason}`);
        flags.push(`--${flag}=${parsed.ms}ms`);
      }
      if (i.options.retries !== undefined) {
        if (!Number.isInteger(i.options.retries) || i.options.retries < 0) return bad(`retries: ${i.options.retries} is not a whole number`);
        flags.push(`--retries=${i.options.retries}`);
      }
      return `HEALTHCHECK ${flags.length ? flags.join(' ') + ' ' : ''}CMD ${JSON.stringify(i.argv)}`;
    }
  }
}

function hasLineBreak(value: string): boolean {
  return /[\r\n\0]/.test(value);
}

/** Double-quoted Dockerfile word: `\`, `"` and `$` escaped, so no variable expands. */
function quote(value: string): string {
  return '"' + value.replace(/[\\"$]/g, (c) => '\\' + c) + '"';
}
