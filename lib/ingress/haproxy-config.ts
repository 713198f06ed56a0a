import { compareStrings } from '../values/compare-strings';
import { INGRESS_STATE_PATH } from '../values/ingress-config';

/** The port of the proxy's runtime API, on the proxy container's loopback only. */
export const RUNTIME_API_PORT = 9999;

/**
 * Where a server points until its name resolves or Hoist sets its address: TEST-NET-1 (RFC
 * 5737), which is never routed, so its health check fails and it gets no requests. (With no
 * address at all, HAProxy refuses to set one at run time.)
 */
export const UNRESOLVED_ADDRESS = '192.0.2.1';

/** What one proxy serves: its listening port and the backends of the services routed on its host. */
export interface ProxyConfig {
  /** What the configuration is for, in its header comment (the ingress's construct path and host). */
  readonly title: string;
  /** The port the proxy listens on inside its container. */
  readonly listenPort: number;
  /** HTTPS: where the certificate is, the port to serve it on, and whether HTTP redirects to it. */
  readonly tls?: { readonly certificatePath: string; readonly listenPort: number; readonly publicPort: number; readonly redirectHttp: boolean } | null;
  readonly backends: readonly ProxyBackend[];
  /** TCP routes: listeners for this host's containers and for the other hosts' proxies. */
  readonly tcp?: readonly ProxyTcpRoute[];
}

/** One TCP route as one proxy serves it. */
export interface ProxyTcpRoute {
  /** The routed service's name (the listeners are `tcp.<service>` and `mesh.<service>`). */
  readonly service: string;
  /** Where this host's containers connect (the proxy answers to the service's name). */
  readonly listenPort: number;
  /** Where the other hosts' proxies connect (published on this host's address). */
  readonly meshListenPort: number;
  /** The replicas' port. */
  readonly targetPort: number;
  /** The replicas on this host. */
  readonly servers: readonly { readonly name: string; readonly dnsName: string }[];
  /** The other hosts with replicas: their proxies' mesh listeners. */
  readonly remotes: readonly { readonly host: string; readonly address: string; readonly port: number }[];
}

/** The listener for a TCP route's local clients: the backend its replicas are servers of. */
export function tcpBackendName(service: string): string {
  return `tcp.${service}`;
}

/** The listener for the other hosts' proxies: the local replicas only, so traffic crosses at most one host. */
export function meshBackendName(service: string): string {
  return `mesh.${service}`;
}

/** One routed service as a backend of one proxy. */
export interface ProxyBackend {
  /** The backend's name in the configuration (see {@link backendName}). */
  readonly name: string;
  readonly routes: readonly { readonly hostName: string | null; readonly pathPrefix: string }[];
  readonly port: number;
  readonly healthCheckPath: string | null;
  /** The service's replicas on this host: their server names, and the names they answer to on the proxy's network. */
  readonly servers: readonly { readonly name: string; readonly dnsName: string }[];
}

/** The backend name of a routed service: prefixed so it never meets the proxy's own names. */
export function backendName(service: string): string {
  return `svc.${service}`;
}

/**
 * The name a routed replica answers to on its ingress's network: its own, so the proxy finds
 * it after restarts (not the container's name, which engines register on their own terms).
 */
export function upstreamDnsName(container: string): string {
  return `${container}-upstream`;
}

/** The spare server of a replica, which carries its traffic while a rollout swaps containers. */
export function spareServerName(server: string): string {
  return `${server}.next`;
}

/**
 * HAProxy's configuration for one proxy, deterministic for the same input (so the plan shows
 * no change when nothing changed). Every replica is a server addressed by its name on the
 * proxy's network, resolved through the engine's DNS (at start and while running, so the
 * proxy finds replicas that start after it), with a spare server per replica that rollouts
 * point at the new container while the old one drains (proxy-runtime.ts). Values come from
 * checked props (host names, paths and names without spaces or quotes), never raw text.
 */
export function renderProxyConfig(config: ProxyConfig): string {
  const lines: string[] = [
    `# ${config.title}`,
    '# Written by Hoist from the stack\'s routes; the next apply replaces it.',
    'global',
    `  stats socket ipv4@127.0.0.1:${RUNTIME_API_PORT} level admin`,
    // A reload (a new configuration) hands the listening sockets to the new process, which
    // takes the servers' addresses and states from the file saved just before.
    '  stats socket /tmp/hoist-ingress.sock mode 600 level admin expose-fd listeners',
    '  stats timeout 30s',
    `  server-state-file ${INGRESS_STATE_PATH}`,
    '  log stdout format raw local0 notice',
    '',
    'defaults',
    '  mode http',
    '  load-server-state-from-file global',
    '  log global',
    '  option dontlognull',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-request 10s',
    '  timeout http-keep-alive 10s',
    // A request whose connection to a replica fails is tried on another one.
    '  retries 2',
    '  option redispatch 1',
    '',
    'resolvers engine',
    '  parse-resolv-conf',
    '  hold valid 10s',
    // A name the engine's DNS does not know (any more: Podman's forgets renamed containers)
    // keeps its last address: health checks decide whether it serves, and Hoist sets the
    // addresses itself whenever it starts a replica or the proxy.
    '  hold nx 24d',
    '  hold other 24d',
    '  hold refused 24d',
    '  hold timeout 24d',
    '',
    'frontend http',
    `  bind :${config.listenPort}`,
    ...(config.tls ? [`  bind :${config.tls.listenPort} ssl crt ${config.tls.certificatePath}`] : []),
    '  option forwardfor',
    '  http-request set-var(txn.host) req.hdr(host),field(1,:),lower',
    ...(config.tls ? ['  http-request set-header X-Forwarded-Proto https if { ssl_fc }', '  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }'] : []),
    // The host's HTTPS port, which may not be 443, so the redirect names it.
    ...(config.tls?.redirectHttp
      ? [`  http-request redirect code 301 location https://%[var(txn.host)]${config.tls.publicPort === 443 ? '' : `:${config.tls.publicPort}`}%[capture.req.uri] if !{ ssl_fc }`]
      : []),
  ];
  const routes = config.backends.flatMap((b) => b.routes.map((r) => ({ ...r, backend: b.name })))
    // Most specific first: a host name before none, then the longer path prefix.
    .sort((a, b) => Number(b.hostName !== null) - Number(a.hostName !== null) || b.pathPrefix.length - a.pathPrefix.length
      || compareStrings(a.hostName ?? '', b.hostName ?? '') || compareStrings(a.pathPrefix, b.pathPrefix));
  routes.forEach((route, i) => {
    const conditions: string[] = [];
    if (route.hostName !== null) {
      lines.push(`  acl route${i}_host var(txn.host) -m str ${route.hostName}`);
      conditions.push(`route${i}_host`);
    }
    const prefix = route.pathPrefix.replace(/\/+$/, '');
    if (prefix !== '') {
      // "/api" is the path /api and everything under /api/, not /apix.
      lines.push(`  acl route${i}_path path ${prefix}`, `  acl route${i}_path path_beg ${prefix}/`);
      conditions.push(`route${i}_path`);
    }
    lines.push(`  use_backend ${route.backend}${conditions.length ? ` if ${conditions.join(' ')}` : ''}`);
  });
  lines.push('  default_backend hoist.no-route', '');
  lines.push('backend hoist.no-route', '  http-request deny deny_status 404', '');
  for (const backend of [...config.backends].sort((a, b) => compareStrings(a.name, b.name))) {
    lines.push(`backend ${backend.name}`, '  balance roundrobin');
    if (backend.healthCheckPath !== null) lines.push(`  option httpchk GET ${backend.healthCheckPath}`);
    lines.push(...replicaServers(backend.servers, backend.port), '');
  }
  for (const route of [...(config.tcp ?? [])].sort((a, b) => compareStrings(a.service, b.service))) {
    const local = replicaServers(route.servers, route.targetPort);
    // Connections may live long (database sessions): an idle one is kept for an hour.
    const listen = (name: string, port: number) => [`listen ${name}`, '  mode tcp', `  bind :${port}`, '  balance roundrobin', '  timeout client 1h', '  timeout server 1h'];
    lines.push(...listen(tcpBackendName(route.service), route.listenPort), ...local);
    for (const remote of [...route.remotes].sort((a, b) => compareStrings(a.host, b.host))) {
      lines.push(`  server remote.${remote.host} ${remote.address}:${remote.port} check inter 2s fall 2 rise 2`);
    }
    lines.push('', ...listen(meshBackendName(route.service), route.meshListenPort), ...local, '');
  }
  return lines.join('\n');
}

/**
 * The server lines of a service's replicas on one host, HTTP backend or TCP listener alike:
 * each replica by its name on the proxy's network, checked, and its disabled rollout spare.
 */
function replicaServers(servers: readonly { readonly name: string; readonly dnsName: string }[], port: number): string[] {
  return [...servers].sort((a, b) => compareStrings(a.name, b.name)).flatMap((server) => [
    `  server ${server.name} ${server.dnsName}:${port} check inter 2s fall 2 rise 2 resolvers engine init-addr last,libc,${UNRESOLVED_ADDRESS}`,
    `  server ${spareServerName(server.name)} 0.0.0.0:${port} disabled`,
  ]);
}
