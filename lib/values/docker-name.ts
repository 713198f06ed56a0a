/**
 * Docker's rule for object names (containers, volumes, networks), checked over the whole
 * string. A name that passes can never carry a newline, `;`, `$(`, a leading `-` or a `/`.
 */
export const DOCKER_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Returns why `name` is not a valid Docker object name, or undefined when it is. */
export function dockerNameProblem(name: string): string | undefined {
  if (DOCKER_NAME_PATTERN.test(name)) {
    return undefined;
  }
  return `${JSON.stringify(name)} is not a valid name (it must match ${DOCKER_NAME_PATTERN.source}: ` +
    'at least two characters, letters, digits, "_", "." or "-", not starting with a symbol)';
}

/** Host names, role names and construct-derived names share one, slightly looser, rule. */
export const IDENTIFIER_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
