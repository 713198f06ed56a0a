import { Construct } from 'constructs';
import { HealthCheck } from './health-check';
import type { Host } from './host';
import { Image } from './image';
import { Network } from './network';
import { brand, hasBrand } from './private/brand';
import {
  INGRESS_CERTIFICATE_PATH, INGRESS_CONFIG_ENV, INGRESS_CONFIG_PATH, INGRESS_CONTAINER_PORT, INGRESS_LOADED_CONFIG_PATH, INGRESS_STATE_PATH, INGRESS_TLS_CONTAINER_PORT,
} from './private/ingress-constants';
import { RestartPolicy } from './restart-policy';
import type { Secret } from './secret';
import { Service } from './service';

const INGRESS_SYMBOL = Symbol.for('hoist.Ingress');


/** Options for an {@link Ingress}. */
export interface IngressProps {
  /** The hosts that run a proxy: one on each, sharing its HTTP port among every routed service. */
  readonly hosts: Host[];

  /**
   * The proxy's image: HAProxy 2.6 or later, with `haproxy` and `sh` on its PATH and bash for
   * the runtime API (the official image has all three).
   *
   * @default - Image.fromRegistry("haproxy:2.6"), the official image
   */
  readonly image?: Image;

  /**
   * The host port the proxy serves HTTP on.
   *
   * @default 80
   */
  readonly httpPort?: number;

  /**
   * The host address the proxy's port is published on.
   *
   * @default "0.0.0.0"
   */
  readonly bindAddress?: string;

  /**
   * Name of the proxy service (containers `<stack>-<serviceName>-<n>`).
   *
   * @default - the construct id
   */
  readonly serviceName?: string;

  /**
   * HTTPS: the proxy terminates TLS with a certificate from a Secret and, unless told not
   * to, redirects HTTP requests to HTTPS.
   *
   * @default - HTTP only
   */
  readonly tls?: IngressTls;
}

/** HTTPS on an {@link Ingress}. */
export interface IngressTls {
  /**
   * The certificate chain and its private key, PEM, in one secret (the certificate first,
   * then any intermediates, then the key), e.g. `Secret.fromFile(stack, 'cert', 'shop.pem')`.
   * It reaches the proxy as a file (mode 0600), never in its environment; a new value
   * replaces the proxies one host at a time.
   */
  readonly certificate: Secret;

  /**
   * The host port the proxy serves HTTPS on.
   *
   * @default 443
   */
  readonly httpsPort?: number;

  /**
   * Answer HTTP requests with a permanent redirect to the same URL over HTTPS.
   *
   * @default true
   */
  readonly redirectHttp?: boolean;
}

/**
 * A reverse proxy (HAProxy) on each of its hosts, in front of the services that route
 * through it (a service's `routes`). Many services share the proxy's port, matched by host
 * name and path prefix; a routed service can run several replicas per host; and its rollouts
 * go through the proxy: each new container is added once it is ready, the old one is drained
 * (its requests in flight finish, within the service's stop grace period) before it stops,
 * so a start-first update drops no request.
 *
 * The proxy is an ordinary service of the stack (`ingress.proxy`), on a network of its own
 * (`ingress.network`) that every routed service joins; Hoist writes its configuration from
 * the graph and drives its runtime API over the engine's exec, so no agent runs on the hosts.
 *
 * @example
 * const edge = new Ingress(stack, 'edge', { hosts: [host1, host2] });
 * new Service(stack, 'web', {
 *   image,
 *   replicas: 4,
 *   routes: [{ ingress: edge, port: 8080, hostName: 'shop.example.com', healthCheckPath: '/health' }],
 * });
 */
export class Ingress extends Construct {
  /** Whether `x` is an Ingress, also across duplicate copies of this library. */
  public static isIngress(x: any): x is Ingress {
    return hasBrand(x, INGRESS_SYMBOL);
  }

  /** The network the proxy reaches routed services on. */
  public readonly network: Network;

  /** The proxy service: one replica on each of the ingress's hosts. */
  public readonly proxy: Service;

  /** @internal */
  public readonly _props: IngressProps;

  constructor(scope: Construct, id: string, props: IngressProps) {
    super(scope, id);
    brand(this, INGRESS_SYMBOL);
    this._props = props ?? ({} as IngressProps);
    const hosts = this._props.hosts ?? [];
    this.network = new Network(this, 'network', { networkName: `${id}-routes` });
    const tls = this._props.tls;
    const bind = this._props.bindAddress ? { bindAddress: this._props.bindAddress } : {};
    this.proxy = new Service(this, 'proxy', {
      serviceName: this._props.serviceName ?? id,
      image: this._props.image ?? Image.fromRegistry('haproxy:2.6'),
      // The configuration comes in the environment (synth writes each host's), so a change
      // of routes is a change of the container like any other, shown by the plan.
      // At each start the file is written afresh from the environment (a restart drops what
      // an in-place reload had written: the next plan shows it again) and no state is reused.
      entrypoint: ['sh', '-c', `rm -f ${INGRESS_STATE_PATH} && printf '%s' "$${INGRESS_CONFIG_ENV}" > ${INGRESS_CONFIG_PATH} && cp ${INGRESS_CONFIG_PATH} ${INGRESS_LOADED_CONFIG_PATH} && exec haproxy -W -db -f ${INGRESS_CONFIG_PATH}`],
      environment: { [INGRESS_CONFIG_ENV]: '' },
      ports: [
        { container: INGRESS_CONTAINER_PORT, host: this._props.httpPort ?? 80, ...bind },
        ...(tls ? [{ container: INGRESS_TLS_CONTAINER_PORT, host: tls.httpsPort ?? 443, ...bind }] : []),
      ],
      secrets: tls ? [tls.certificate.asFile(INGRESS_CERTIFICATE_PATH)] : [],
      networks: [this.network],
      replicas: hosts.length,
      placement: { hosts, maxPerHost: 1 },
      restart: RestartPolicy.ALWAYS,
      healthCheck: HealthCheck.command(['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${INGRESS_CONTAINER_PORT}`], { interval: '2s', timeout: '2s', retries: 3, startPeriod: '1s' }),
      stopGracePeriod: '10s',
      resources: { memory: '256MiB', pids: 1000 },
      noNewPrivileges: true,
      capDrop: ['ALL'],
      // The proxy writes its configuration under /tmp, and serves on every interface unless
      // bindAddress says otherwise: that is what it is for.
      lintRules: { 'writable-rootfs': 'off', 'all-interfaces': 'off' },
    });
  }
}

/** What a route carries. */
export enum RouteProtocol {
  /**
   * HTTP requests from outside, on the ingress's HTTP (and HTTPS) port, matched by host name
   * and path prefix; each proxy sends them to the replicas on its own host.
   */
  HTTP = 'http',
  /**
   * TCP connections (any protocol: PostgreSQL, Redis, HTTP, ...) from the stack's own
   * containers, across hosts: every container on the ingress's network, on any of its hosts,
   * reaches the service as `<serviceName>:<port>`, and its host's proxy forwards to every
   * replica: directly on its own host, through the other hosts' proxies (on `meshPort`,
   * published on each host's address only) elsewhere. Never published to the outside.
   */
  TCP = 'tcp',
}

/** A route from an {@link Ingress} to a service's containers. */
export interface ServiceRoute {
  /** The ingress whose proxies route to the service. */
  readonly ingress: Ingress;

  /** The container port the service serves on. */
  readonly port: number;

  /**
   * HTTP from outside, or TCP between the stack's containers across hosts.
   *
   * @default RouteProtocol.HTTP
   */
  readonly protocol?: RouteProtocol;

  /**
   * TCP routes: the port the proxies reach each other on, published on each host's address
   * (its `address` in the inventory, which must then be an IP address) and nowhere else.
   *
   * @default - the route's port
   */
  readonly meshPort?: number;

  /**
   * HTTP routes: only requests for this host name (the Host header, without its port), e.g. "shop.example.com".
   *
   * @default - any host name
   */
  readonly hostName?: string;

  /**
   * HTTP routes: only requests whose path starts with this prefix, e.g. "/api". The path
   * reaches the service unchanged.
   *
   * @default "/"
   */
  readonly pathPrefix?: string;

  /**
   * HTTP routes: a path the proxy requests (GET) on each replica to check its health; a
   * replica that fails twice gets no requests until it passes again.
   *
   * @default - a TCP connection to the port
   */
  readonly healthCheckPath?: string;
}
