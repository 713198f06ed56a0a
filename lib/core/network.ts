import { Construct } from 'constructs';
import { brand, hasBrand } from './private/brand';

const NETWORK_SYMBOL = Symbol.for('hoist.Network');

/** Options for a {@link Network}. */
export interface NetworkProps {
  /**
   * Name of the network on the host, after the stack prefix (`<stack>-<networkName>`).
   *
   * @default - the construct id
   */
  readonly networkName?: string;

  /**
   * Network driver.
   *
   * @default "bridge"
   */
  readonly driver?: string;

  /**
   * Cut the network off from the outside world (Docker's "internal" networks): containers
   * reach each other, nothing else.
   *
   * @default false
   */
  readonly internalOnly?: boolean;

  /**
   * Subnet in CIDR notation, e.g. "172.28.0.0/24".
   *
   * @default - the engine picks one
   */
  readonly subnet?: string;

  /**
   * Attach services to the network of exactly this name on each host instead of
   * `<stack>-<networkName>`: for a network Hoist did not create (made by `docker network
   * create` or Compose, as `hoist import host` writes it), so containers that stay outside
   * Hoist keep reaching the services on it. Hoist creates it under this name where it is
   * missing. A network of this name that Hoist did not create is used as it is: never
   * compared, changed or deleted.
   *
   * @default - `<stack>-<networkName>`, created and owned by Hoist
   */
  readonly existingName?: string;
}

/** A network attachment of a service: which network, and the extra names it is known by there. */
export interface INetworkAttachment {
  /** The network attached to. */
  readonly attachedNetwork: Network;

  /** Extra DNS names of the service on this network; the service name is always one. */
  readonly attachmentAliases: string[];
}

/**
 * A network services find each other on by name. It exists on each host where a service
 * attached to it runs.
 */
export class Network extends Construct implements INetworkAttachment {
  /** Whether `x` is a Network, also across duplicate copies of this library. */
  public static isNetwork(x: any): x is Network {
    return hasBrand(x, NETWORK_SYMBOL);
  }

  /** @internal */
  public readonly _props: NetworkProps;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    brand(this, NETWORK_SYMBOL);
    this._props = props;
  }

  /** Name of the network after the stack prefix (unused when `existingName` is set). */
  public get networkName(): string {
    return this._props.networkName ?? this.node.id;
  }

  /** This network, as an attachment without extra aliases. */
  public get attachedNetwork(): Network {
    return this;
  }

  /** No extra aliases. */
  public get attachmentAliases(): string[] {
    return [];
  }

  /** An attachment to this network under extra DNS names, for a service's `networks`. */
  public withAliases(...aliases: string[]): INetworkAttachment {
    return { attachedNetwork: this, attachmentAliases: aliases };
  }
}
