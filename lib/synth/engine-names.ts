import type { IConstruct } from 'constructs';
import { dockerNameProblem } from '../values/docker-name';
import type { Problems } from './problems';

/**
 * The engine names a stack claims, each `<stack>-<name>`, unique per kind within the stack.
 * A name the engines would refuse, or one another construct claimed first, is reported on
 * the construct claiming it.
 */
export class EngineNames {
  private readonly owners = new Map<string, string>();

  constructor(private readonly stackName: string, private readonly problems: Problems) {}

  /** Claims `<stack>-<name>` of `kind` for `owner` and returns it; `field` is the prop named in problems. */
  public claim(kind: string, name: string, owner: IConstruct, field: string): string {
    const full = `${this.stackName}-${name}`;
    const problem = dockerNameProblem(full);
    if (problem) {
      this.problems.add(owner.node.path, `${field}: ${problem}`);
    }
    const key = `${kind}:${full}`;
    const earlier = this.owners.get(key);
    if (earlier !== undefined && earlier !== owner.node.path) {
      this.problems.add(owner.node.path, `${field}: the ${kind} name "${full}" is also used by ${earlier}; give one of them another ${field}`);
    }
    this.owners.set(key, owner.node.path);
    return full;
  }
}
