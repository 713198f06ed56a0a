import type { IConstruct } from 'constructs';
import type { Network } from '../core/network';
import type { Volume } from '../core/volume';
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
    return this.claimExact(kind, `${this.stackName}-${name}`, owner, field);
  }

  /** Claims the engine name `full` itself (an existing object's, without the stack prefix). */
  public claimExact(kind: string, full: string, owner: IConstruct, field: string): string {
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

/** A volume's name on the hosts: the existing volume it names, else `<stack>-<volumeName>`. */
export function volumeEngineName(stackName: string, volume: Volume): string {
  return volume._props.existingName ?? `${stackName}-${volume.volumeName}`;
}

/** A network's name on the hosts: the existing network it names, else `<stack>-<networkName>`. */
export function networkEngineName(stackName: string, network: Network): string {
  return network._props.existingName ?? `${stackName}-${network.networkName}`;
}
