/** Transport protocol of a published port. */
export enum Protocol {
  TCP = 'tcp',
  UDP = 'udp',
}

/** A container port, optionally published on a host port. */
export interface PortMapping {
  /** Port inside the container. */
  readonly container: number;

  /**
   * Port on the host. Two services (or two replicas) on one host cannot publish the same
   * host port and protocol on the same address; synth reports such a clash.
   *
   * @default - the engine picks a free host port
   */
  readonly host?: number;

  /**
   * Protocol.
   *
   * @default Protocol.TCP
   */
  readonly protocol?: Protocol;

  /**
   * Host address to bind, e.g. "127.0.0.1" to keep the port off the network.
   *
   * @default "0.0.0.0"
   */
  readonly bindAddress?: string;
}
