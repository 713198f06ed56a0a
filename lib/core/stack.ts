import { Construct, IConstruct } from 'constructs';
import { brand, hasBrand } from './private/brand';
import type { ServiceDefaults } from './service-defaults';

const STACK_SYMBOL = Symbol.for('hoist.Stack');

/** Options for a {@link Stack}. */
export interface StackProps {
  /**
   * Name of the stack on the hosts: it prefixes every container, network and volume name
   * and goes into the `hoist.stack` ownership label, so two stacks never touch each other's
   * objects. Letters, digits, `_`, `.` and `-`.
   *
   * @default - the construct id
   */
  readonly stackName?: string;

  /**
   * Defaults for every service in this stack; a service's own props win field by field.
   *
   * @default - Hoist's defaults, as documented on each {@link ServiceProps} field
   */
  readonly defaults?: ServiceDefaults;
}

/**
 * A unit of deployment: the hosts, services, volumes, networks and secrets that are planned
 * and applied together and owned by one name on the hosts.
 */
export class Stack extends Construct {
  /** Whether `x` is a Stack, also across duplicate copies of this library. */
  public static isStack(x: any): x is Stack {
    return hasBrand(x, STACK_SYMBOL);
  }

  /** The stack that `construct` is defined in; throws when it is outside every stack. */
  public static of(construct: IConstruct): Stack {
    const stack = Stack.tryOf(construct);
    if (!stack) {
      throw new Error(`${construct.node.path || '<root>'}: not inside a Stack; create it with a Stack as its scope`);
    }
    return stack;
  }

  /** The stack that `construct` is defined in, or undefined. */
  public static tryOf(construct: IConstruct): Stack | undefined {
    return construct.node.scopes.slice().reverse().find((scope) => Stack.isStack(scope)) as Stack | undefined;
  }

  /** The stack's name on the hosts. */
  public readonly stackName: string;

  /** Defaults shared by the stack's services. */
  public readonly defaults: ServiceDefaults;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id);
    brand(this, STACK_SYMBOL);
    this.stackName = props.stackName ?? id;
    this.defaults = props.defaults ?? {};
    this._props = props;
  }

  /** @internal */
  public readonly _props: StackProps;
}
