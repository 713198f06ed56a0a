import { isIP } from 'node:net';
import { Ingress } from '../core/ingress';
import { INGRESS_CERTIFICATE_PATH, INGRESS_CONFIG_ENV, INGRESS_CONTAINER_PORT, INGRESS_TLS_CONTAINER_PORT } from '../core/private/ingress-constants';
import type { Service } from '../core/service';
import type { ContainerResource, ContainerSpec, PortSpec, ProxyUpstream } from '../graph/graph-document';
import { backendName, meshBackendName, renderProxyConfig, tcpBackendName, upstreamDnsName, type ProxyBackend, type ProxyTcpRoute } from '../ingress/haproxy-config';
import type { PlacedService } from './place-services';
import { compareStrings, type Problems } from './problems';

type UnhashedContainer = Omit<ContainerResource, 'hash'>;

/**
 * Synth's routing step, once replicas are placed: each ingress proxy gets the configuration
 * of its host (the backends of the services routed through it, with that host's replicas as
 * servers), and each routed replica gets its own name on the ingress's network (so the proxy
 * can address it) and, in its policy, the proxies that route to it (so rollouts switch its
 * traffic through them). A routed replica on a host without a proxy of its ingress is a
 * problem: nothing would reach it.
 */
export function renderIngressRoutes(
  placed: readonly PlacedService[], containersOf: Map<Service, UnhashedContainer[]>, networkName: (ingress: Ingress) => string,
  hostAddress: (host: string) => string | undefined, problems: Problems,
): void {
  const ingresses = new Set<Ingress>();
  for (const { service: { rendered } } of placed) {
    if (Ingress.isIngress(rendered.service.node.scope) && rendered.service.node.scope.proxy === rendered.service) ingresses.add(rendered.service.node.scope);
    rendered.routes.forEach((r) => ingresses.add(r.ingress));
  }
  for (const ingress of [...ingresses].sort((a, b) => compareStrings(a.node.path, b.node.path))) {
    // An ingress of another stack was reported by the model (a service can only route
    // through its own stack's ingresses).
    if (!containersOf.has(ingress.proxy)) continue;
    const proxies = new Map((containersOf.get(ingress.proxy) ?? []).map((c) => [c.host, c]));
    const tlsProps = ingress._props.tls;
    const tls = tlsProps
      ? { certificatePath: INGRESS_CERTIFICATE_PATH, listenPort: INGRESS_TLS_CONTAINER_PORT, publicPort: tlsProps.httpsPort ?? 443, redirectHttp: tlsProps.redirectHttp ?? true }
      : null;
    const network = networkName(ingress);
    const backendsOn = new Map<string, ProxyBackend[]>();
    const tcpOn = new Map<string, ProxyTcpRoute[]>();
    const meshPorts: PortSpec[][] = [];
    const tcpServices: string[] = [];
    const tcpRoutes = placed.flatMap(({ service: { rendered } }) => rendered.routes.filter((r) => r.ingress === ingress && r.protocol === 'tcp').map((route) => ({ rendered, route })))
      .sort((a, b) => compareStrings(a.rendered.name, b.rendered.name));
    tcpRoutes.forEach(({ rendered, route }, k) => {
      const replicas = containersOf.get(rendered.service) ?? [];
      const withReplicas = [...new Set(replicas.map((c) => c.host))].filter((h) => proxies.has(h)).sort(compareStrings);
      const clash = tcpRoutes.find((other, j) => j < k && other.route.port === route.port);
      if (clash) problems.add(rendered.service.node.path, `routes: TCP port ${route.port} on ingress ${ingress.node.path} is also ${clash.rendered.service.node.path}'s; the proxy listens on it for one service only`);
      // Every proxy publishes the mesh listener on its host's address.
      for (const host of [...proxies.keys()].sort(compareStrings)) {
        if (!isIP(hostAddress(host) ?? '')) {
          problems.add(rendered.service.node.path, `routes: a TCP route crosses hosts through each ingress host's private address, and host ${host}'s address ${JSON.stringify(hostAddress(host))} is not an IP address; set the host's privateAddress (its IP on the network the hosts share)`);
        }
      }
      tcpServices.push(rendered.name);
      meshPorts.push([...proxies.keys()].map(() => ({ hostIp: '', hostPort: route.meshPort, containerPort: MESH_CONTAINER_PORT_BASE + k, protocol: 'tcp' })));
      for (const host of proxies.keys()) {
        const list = tcpOn.get(host) ?? [];
        list.push({
          service: rendered.name, listenPort: route.port, meshListenPort: MESH_CONTAINER_PORT_BASE + k, targetPort: route.port,
          servers: replicas.filter((c) => c.host === host).map((c) => ({ name: c.spec.name, dnsName: upstreamDnsName(c.spec.name) })),
          remotes: withReplicas.filter((h) => h !== host).map((h) => ({ host: h, address: hostAddress(h) ?? '', port: route.meshPort })),
        });
        tcpOn.set(host, list);
      }
    });

    for (const { service: { rendered } } of placed) {
      const routes = rendered.routes.filter((r) => r.ingress === ingress && r.protocol === 'http');
      const tcp = rendered.routes.find((r) => r.ingress === ingress && r.protocol === 'tcp');
      if (tcp) {
        // Its replicas are servers of both TCP listeners of the proxy on their host.
        containersOf.set(rendered.service, (containersOf.get(rendered.service) ?? []).map((c) => {
          const proxy = proxies.get(c.host);
          if (!proxy) return c;
          const upstreams: ProxyUpstream[] = [tcpBackendName(rendered.name), meshBackendName(rendered.name)]
            .map((backend) => ({ proxy: proxy.spec.name, backend, server: c.spec.name, network, port: tcp.port }));
          return { ...c, spec: withUpstreamAlias(c.spec, network), policy: { ...c.policy, proxies: [...(c.policy.proxies ?? []), ...upstreams] } };
        }));
      }
      const replicas = containersOf.get(rendered.service) ?? [];
      const stranded = [...new Set(replicas.filter((c) => !proxies.has(c.host)).map((c) => c.host))];
      if (stranded.length && (routes.length > 0 || tcp)) {
        problems.add(rendered.service.node.path, `routes: replicas run on ${stranded.join(', ')}, where ingress ${ingress.node.path} has no proxy (its hosts: ${[...proxies.keys()].sort(compareStrings).join(', ') || 'none'}); add those hosts to the ingress, or place the service on its hosts (placement.hosts)`);
      }
      if (routes.length === 0) continue;
      const backend = backendName(rendered.name);
      containersOf.set(rendered.service, replicas.map((c) => {
        const proxy = proxies.get(c.host);
        if (!proxy) return c;
        const upstream: ProxyUpstream = { proxy: proxy.spec.name, backend, server: c.spec.name, network, port: routes[0].port };
        return { ...c, spec: withUpstreamAlias(c.spec, network), policy: { ...c.policy, proxies: [...(c.policy.proxies ?? []), upstream] } };
      }));
      for (const host of proxies.keys()) {
        const servers = replicas.filter((c) => c.host === host).map((c) => ({ name: c.spec.name, dnsName: upstreamDnsName(c.spec.name) }));
        const list = backendsOn.get(host) ?? [];
        list.push({ name: backend, routes: routes.map((r) => ({ hostName: r.hostName, pathPrefix: r.pathPrefix })), port: routes[0].port, healthCheckPath: routes[0].healthCheckPath, servers });
        backendsOn.set(host, list);
      }
    }
    checkRouteClashes(ingress, placed, problems);
    containersOf.set(ingress.proxy, [...proxies.values()].map((proxy) => ({
      ...proxy,
      spec: {
        ...proxy.spec,
        // TCP routes: the proxy answers to the services' names on its network, and publishes
        // their mesh listeners on its host's address only.
        networks: proxy.spec.networks.map((n) => (n.name === network ? { ...n, aliases: [...new Set([...n.aliases, ...tcpServices])].sort(compareStrings) } : n)),
        // Never 0.0.0.0: a host without an IP address is a problem reported above.
        ports: [...proxy.spec.ports, ...meshPorts.map((ports) => ({ ...ports[0], hostIp: hostAddress(proxy.host) ?? '' }))]
          .sort((a, b) => a.containerPort - b.containerPort || compareStrings(a.protocol, b.protocol) || compareStrings(a.hostIp, b.hostIp)),
        env: {
          ...proxy.spec.env,
          [INGRESS_CONFIG_ENV]: renderProxyConfig({
            title: `ingress ${ingress.node.path} on ${proxy.host}`, listenPort: INGRESS_CONTAINER_PORT, tls, backends: backendsOn.get(proxy.host) ?? [],
            tcp: tcpOn.get(proxy.host) ?? [],
          }),
        },
      },
    })));
  }
}

/** Two services with the same host name and path prefix on one ingress: the proxy could only pick one. */
function checkRouteClashes(ingress: Ingress, placed: readonly PlacedService[], problems: Problems): void {
  const claimed = new Map<string, string>();
  for (const { service: { rendered } } of placed) {
    for (const route of rendered.routes.filter((r) => r.ingress === ingress && r.protocol === 'http')) {
      const key = `${route.hostName ?? '*'}${route.pathPrefix}`;
      const other = claimed.get(key);
      if (other !== undefined && other !== rendered.service.node.path) {
        problems.add(rendered.service.node.path, `routes: ${key} on ingress ${ingress.node.path} is also routed to ${other}; give one of them another host name or path prefix`);
      } else {
        claimed.set(key, rendered.service.node.path);
      }
    }
  }
}

/** The first container port of the proxies' mesh listeners, one per TCP route of an ingress. */
const MESH_CONTAINER_PORT_BASE = 19000;

/** A routed replica's spec with its own name on the ingress's network. */
function withUpstreamAlias(spec: ContainerSpec, network: string): ContainerSpec {
  return { ...spec, networks: spec.networks.map((n) => (n.name === network ? { ...n, aliases: [...new Set([...n.aliases, upstreamDnsName(spec.name)])].sort(compareStrings) } : n)) };
}

