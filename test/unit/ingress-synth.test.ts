/**
 * Ingress: the HAProxy configuration renderer (lib/ingress/haproxy-config.ts, pure) and synth's
 * routing step (lib/synth/render-ingress.ts): each proxy's configuration lists the routed
 * replicas on its own host, routed replicas get their `-upstream` alias and `policy.proxies`,
 * and bad or clashing routes are refused with a problem naming the service.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Host, Image, Ingress, type IngressProps, RouteProtocol, Secret, Service, type ServiceProps, Stack, Testing } from '../../lib';
import type { ContainerResource } from '../../lib/graph/graph-document';
import { renderProxyConfig, type ProxyBackend, type ProxyConfig, type ProxyTcpRoute } from '../../lib/ingress/haproxy-config';
import { containers, onlyStack } from '../helpers/graph';

const CONFIG_ENV = 'HOIST_INGRESS_CONFIG';

// ---------------------------------------------------------------------------------------------
// renderProxyConfig

function backend(name: string, routes: { hostName?: string; pathPrefix?: string }[], extra: Partial<ProxyBackend> = {}): ProxyBackend {
  return {
    name,
    routes: routes.map((r) => ({ hostName: r.hostName ?? null, pathPrefix: r.pathPrefix ?? '/' })),
    port: 8080,
    healthCheckPath: null,
    servers: [],
    ...extra,
  };
}

function config(backends: ProxyBackend[]): ProxyConfig {
  return { title: 'ingress shop/edge on web-1', listenPort: 8080, backends };
}

/** The `use_backend` lines of a configuration, in order. */
function useBackends(text: string): string[] {
  return text.split('\n').filter((l) => l.trim().startsWith('use_backend ')).map((l) => l.trim());
}

/** The index of the first `use_backend <name>` line. */
function firstUse(text: string, name: string): number {
  const i = useBackends(text).findIndex((l) => l.startsWith(`use_backend ${name}`));
  assert.ok(i >= 0, `no use_backend ${name} in:\n${text}`);
  return i;
}

describe('renderProxyConfig', () => {
  const web = backend('svc.web', [{ hostName: 'shop.example.com' }], {
    healthCheckPath: '/health',
    servers: [{ name: 'shop-web-2', dnsName: 'shop-web-2-upstream' }, { name: 'shop-web-1', dnsName: 'shop-web-1-upstream' }],
  });
  const api = backend('svc.api', [{ pathPrefix: '/api' }], { port: 9000, servers: [{ name: 'shop-api-1', dnsName: 'shop-api-1-upstream' }] });
  const fallback = backend('svc.fallback', [{}], { servers: [{ name: 'shop-fallback-1', dnsName: 'shop-fallback-1-upstream' }] });

  it('renders the same text for the same input, whatever the order of backends and servers', () => {
    const first = renderProxyConfig(config([web, api, fallback]));
    assert.equal(renderProxyConfig(config([web, api, fallback])), first);
    const reordered = [fallback, { ...web, servers: [...web.servers].reverse() }, api];
    assert.equal(renderProxyConfig(config(reordered)), first);
  });

  it('orders a route with a host name before a catch-all, whatever the input order', () => {
    for (const backends of [[fallback, web], [web, fallback]]) {
      const text = renderProxyConfig(config(backends));
      assert.ok(firstUse(text, 'svc.web') < firstUse(text, 'svc.fallback'), text);
    }
  });

  it('orders the longer path prefix first ("/api/v2" before "/api")', () => {
    const v1 = backend('svc.a-v1', [{ pathPrefix: '/api' }]);
    const v2 = backend('svc.z-v2', [{ pathPrefix: '/api/v2' }]);
    for (const backends of [[v1, v2], [v2, v1]]) {
      const text = renderProxyConfig(config(backends));
      assert.ok(firstUse(text, 'svc.z-v2') < firstUse(text, 'svc.a-v1'), text);
    }
  });

  it('matches "/api" as the path itself and everything under "/api/", and "/" with no path ACL', () => {
    const text = renderProxyConfig(config([api, fallback]));
    const i = firstUse(text, 'svc.api');
    assert.match(text, new RegExp(`^  acl route${i}_path path /api$`, 'm'));
    assert.match(text, new RegExp(`^  acl route${i}_path path_beg /api/$`, 'm'));
    assert.ok(useBackends(text).includes(`use_backend svc.api if route${i}_path`), text);
    // The catch-all is unconditional: no ACL at all for "/".
    assert.ok(useBackends(text).includes('use_backend svc.fallback'), text);
    assert.equal(text.split('\n').filter((l) => / path(_beg)? /.test(l)).length, 2, text);
    assert.doesNotMatch(text, /path_beg \/\/?$/m);
  });

  it('matches a host name on the lower-cased Host header, without its port', () => {
    const text = renderProxyConfig(config([web]));
    assert.match(text, /^  http-request set-var\(txn\.host\) req\.hdr\(host\),field\(1,:\),lower$/m);
    assert.match(text, /^  acl route0_host var\(txn\.host\) -m str shop\.example\.com$/m);
    assert.ok(useBackends(text).includes('use_backend svc.web if route0_host'), text);
  });

  it('gives each replica a checked server addressed by its DNS name and a disabled spare "<name>.next"', () => {
    const text = renderProxyConfig(config([web, api]));
    for (const [server, dns, port] of [['shop-web-1', 'shop-web-1-upstream', 8080], ['shop-web-2', 'shop-web-2-upstream', 8080], ['shop-api-1', 'shop-api-1-upstream', 9000]] as const) {
      const main = text.split('\n').find((l) => l.startsWith(`  server ${server} `));
      assert.ok(main, `no server line for ${server}:\n${text}`);
      assert.match(main, new RegExp(`^  server ${server} ${dns}:${port} check .*resolvers engine init-addr last,libc,192\\.0\\.2\\.1$`));
      assert.ok(text.split('\n').includes(`  server ${server}.next 0.0.0.0:${port} disabled`), `no spare for ${server}:\n${text}`);
    }
    // Servers are sorted within their backend.
    assert.ok(text.indexOf('server shop-web-1 ') < text.indexOf('server shop-web-2 '), text);
  });

  it('checks health over HTTP only for a backend with a healthCheckPath', () => {
    const text = renderProxyConfig(config([web, api]));
    assert.equal(text.split('\n').filter((l) => l.includes('option httpchk')).length, 1, text);
    const webSection = text.slice(text.indexOf('backend svc.web'));
    const apiSection = text.slice(text.indexOf('backend svc.api'), text.indexOf('backend svc.web'));
    assert.match(webSection, /^  option httpchk GET \/health$/m);
    assert.doesNotMatch(apiSection, /httpchk/);
  });

  it('binds the runtime API to the loopback address and a socket file only, and listens on listenPort', () => {
    const text = renderProxyConfig({ ...config([]), listenPort: 8181 });
    const sockets = text.split('\n').filter((l) => l.includes('stats socket'));
    assert.deepEqual(sockets, ['  stats socket ipv4@127.0.0.1:9999 level admin', '  stats socket /tmp/hoist-ingress.sock mode 600 level admin expose-fd listeners']);
    assert.match(text, /^  server-state-file \/tmp\/hoist-ingress\.state$/m, 'a reload takes the servers\' states over');
    assert.match(text, /^  load-server-state-from-file global$/m);
    assert.match(text, /^  bind :8181$/m);
    assert.match(text, /^# ingress shop\/edge on web-1$/m);
    assert.match(text, /^  default_backend hoist\.no-route$/m);
  });
});

// ---------------------------------------------------------------------------------------------
// Synth

interface ShopOptions {
  readonly reverse?: boolean;
  readonly ingress?: Partial<IngressProps>;
}

/** Two hosts, an ingress "edge" on both, "web" (4 replicas) routed through it, and an unrouted "worker". */
function shop(options: ShopOptions = {}) {
  const app = Testing.app();
  const stack = new Stack(app, 'shop');
  const hostIds = options.reverse ? ['web-2', 'web-1'] : ['web-1', 'web-2'];
  const hosts = hostIds.map((id) => new Host(stack, id, { address: id === 'web-1' ? '10.9.0.1' : '10.9.0.2' }));
  const edge = new Ingress(stack, 'edge', { hosts, ...options.ingress });
  const declare = [
    () => new Service(stack, 'web', {
      image: Image.fromRegistry('busybox:1.36'),
      replicas: 4,
      routes: [{ ingress: edge, port: 8080, hostName: 'shop.example.com', healthCheckPath: '/health' }],
    }),
    () => new Service(stack, 'worker', { image: Image.fromRegistry('busybox:1.36'), replicas: 2 }),
  ];
  (options.reverse ? declare.reverse() : declare).forEach((f) => f());
  return app;
}

function shopContainers(options: ShopOptions = {}) {
  const all = containers(onlyStack(Testing.synth(shop(options))));
  return {
    all,
    proxies: all.filter((c) => c.source === 'shop/edge/proxy'),
    web: all.filter((c) => c.source === 'shop/web'),
    worker: all.filter((c) => c.source === 'shop/worker'),
  };
}

/** The `server <name> <dns>:<port> check` lines of a proxy's configuration, as "name dns:port". */
function serversOf(proxy: ContainerResource): string[] {
  const text = proxy.spec.env[CONFIG_ENV];
  assert.equal(typeof text, 'string');
  return text.split('\n').filter((l) => / check /.test(l) && l.startsWith('  server ')).map((l) => l.trim().split(' ').slice(1, 3).join(' ')).sort();
}

describe('Ingress synth', () => {
  it('places one proxy per ingress host, named after the ingress id, on the "<stack>-<id>-routes" network', () => {
    const { proxies } = shopContainers();
    assert.deepEqual(proxies.map((p) => [p.host, p.spec.name]).sort(), [['web-1', 'shop-edge-1'], ['web-2', 'shop-edge-1']]);
    for (const proxy of proxies) {
      assert.deepEqual(proxy.spec.networks.map((n) => n.name), ['shop-edge-routes']);
    }
  });

  it('publishes the proxy on host port 80 by default, mapped to container port 8080', () => {
    for (const proxy of shopContainers().proxies) {
      assert.deepEqual(proxy.spec.ports.map((p) => [p.hostIp, p.hostPort, p.containerPort, p.protocol]), [['0.0.0.0', 80, 8080, 'tcp']]);
    }
  });

  it('publishes httpPort and bindAddress when given', () => {
    for (const proxy of shopContainers({ ingress: { httpPort: 8000, bindAddress: '10.9.0.100' } }).proxies) {
      assert.deepEqual(proxy.spec.ports.map((p) => [p.hostIp, p.hostPort, p.containerPort]), [['10.9.0.100', 8000, 8080]]);
    }
  });

  it('names the proxy service by serviceName when given', () => {
    const all = containers(onlyStack(Testing.synth(shop({ ingress: { serviceName: 'front' } }))));
    assert.deepEqual(all.filter((c) => c.source === 'shop/edge/proxy').map((c) => c.spec.name), ['shop-front-1', 'shop-front-1']);
  });

  it('writes each proxy a configuration listing exactly the routed replicas on its own host', () => {
    const { proxies, web } = shopContainers();
    assert.equal(web.length, 4);
    for (const proxy of proxies) {
      const local = web.filter((c) => c.host === proxy.host).map((c) => `${c.spec.name} ${c.spec.name}-upstream:8080`).sort();
      assert.ok(local.length > 0, `no web replica on ${proxy.host}`);
      assert.deepEqual(serversOf(proxy), local, `proxy on ${proxy.host}`);
      const text = proxy.spec.env[CONFIG_ENV];
      assert.match(text, new RegExp(`^# ingress shop/edge on ${proxy.host}$`, 'm'));
      assert.match(text, /^backend svc\.web$/m);
      assert.match(text, /^  option httpchk GET \/health$/m);
      assert.match(text, /^  acl route0_host var\(txn\.host\) -m str shop\.example\.com$/m);
      // The worker is not routed: no backend for it.
      assert.doesNotMatch(text, /worker/);
    }
  });

  it('gives every routed replica its "-upstream" alias on the ingress network and policy.proxies naming its host\'s proxy', () => {
    const { proxies, web } = shopContainers();
    for (const replica of web) {
      const onIngress = replica.spec.networks.find((n) => n.name === 'shop-edge-routes');
      assert.ok(onIngress, `${replica.id} is not on shop-edge-routes`);
      assert.equal(onIngress.resource, 'network:shop/edge/network');
      assert.ok(onIngress.aliases.includes(`${replica.spec.name}-upstream`), `${replica.id}: ${onIngress.aliases.join(', ')}`);
      const proxy = proxies.find((p) => p.host === replica.host);
      assert.ok(proxy, `no proxy on ${replica.host}`);
      assert.deepEqual(replica.policy.proxies, [{ proxy: proxy.spec.name, backend: 'svc.web', server: replica.spec.name, network: 'shop-edge-routes', port: 8080 }]);
    }
  });

  it('leaves a service without routes unchanged: no ingress network, no "-upstream" alias, no policy.proxies', () => {
    const { worker } = shopContainers();
    assert.equal(worker.length, 2);
    for (const replica of worker) {
      assert.deepEqual(replica.spec.networks, []);
      assert.ok(!('proxies' in replica.policy), `${replica.id} has policy.proxies`);
    }
    // The same service in a stack without any ingress synthesizes to the same container specs.
    const app = Testing.app();
    const stack = new Stack(app, 'shop');
    new Host(stack, 'web-1', { address: '10.9.0.1' });
    new Host(stack, 'web-2', { address: '10.9.0.2' });
    new Service(stack, 'worker', { image: Image.fromRegistry('busybox:1.36'), replicas: 2 });
    const alone = containers(onlyStack(Testing.synth(app)));
    assert.deepEqual(
      alone.map((c) => [c.host, c.hash, c.policy]).sort(),
      worker.map((c) => [c.host, c.hash, c.policy]).sort(),
    );
  });

  it('attaches a routed service (no networks of its own) to the ingress network only, with only its "-upstream" alias', () => {
    const { web } = shopContainers();
    for (const replica of web) {
      assert.deepEqual(replica.spec.networks.map((n) => [n.name, n.aliases]), [['shop-edge-routes', [`${replica.spec.name}-upstream`]]]);
    }
  });

  it('synthesizes identical graphs twice, and whatever the declaration order', () => {
    const first = Testing.synth(shop());
    assert.deepEqual(Testing.synth(shop()), first);
    const hashes = (graph: any) => containers(onlyStack(graph)).map((c) => `${c.id} ${c.hash}`).sort();
    assert.deepEqual(hashes(Testing.synth(shop({ reverse: true }))), hashes(first));
  });
});

// ---------------------------------------------------------------------------------------------
// Problems

/** One stack, hosts web-1 and web-2, an ingress "edge" on web-1 only. */
function edgeOnWebOne() {
  const app = Testing.app();
  const stack = new Stack(app, 'shop');
  const h1 = new Host(stack, 'web-1', { address: '10.9.0.1' });
  const h2 = new Host(stack, 'web-2', { address: '10.9.0.2' });
  const edge = new Ingress(stack, 'edge', { hosts: [h1] });
  const svc = (id: string, props: Partial<ServiceProps> & Record<string, unknown> = {}) =>
    new Service(stack, id, { image: Image.fromRegistry('busybox'), placement: { hosts: [h1] }, ...props } as ServiceProps);
  return { app, stack, h1, h2, edge, svc };
}

describe('Ingress problems', () => {
  it('refuses a routed replica on a host where the ingress has no proxy, naming the service and the host', () => {
    const { app, edge, h1, h2, svc } = edgeOnWebOne();
    svc('web', { replicas: 2, placement: { hosts: [h1, h2], maxPerHost: 1 }, routes: [{ ingress: edge, port: 8080 }] });
    const problems = Testing.validate(app);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^shop\/web: routes: replicas run on web-2, where ingress shop\/edge has no proxy \(its hosts: web-1\)/);
    assert.throws(() => Testing.synth(app), /shop\/web: routes: replicas run on web-2/);
  });

  it('accepts the same routed service placed only on the ingress\'s host', () => {
    const { app, edge, svc } = edgeOnWebOne();
    svc('web', { replicas: 2, routes: [{ ingress: edge, port: 8080 }] });
    assert.deepEqual(Testing.validate(app), []);
  });

  it('refuses two services routing the same host name and path prefix through one ingress', () => {
    const { app, edge, svc } = edgeOnWebOne();
    svc('web', { routes: [{ ingress: edge, port: 8080, hostName: 'shop.example.com', pathPrefix: '/api' }] });
    svc('api', { routes: [{ ingress: edge, port: 9000, hostName: 'shop.example.com', pathPrefix: '/api' }] });
    const problems = Testing.validate(app);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^shop\/(web|api): routes: shop\.example\.com\/api on ingress shop\/edge is also routed to shop\/(web|api);/);
    const [, owner, other] = /^shop\/(\w+):.* routed to shop\/(\w+);/.exec(problems[0])!;
    assert.notEqual(owner, other);
    assert.throws(() => Testing.synth(app), /is also routed to/);
  });

  it('refuses two catch-all routes (no host name, "/") through one ingress', () => {
    const { app, edge, svc } = edgeOnWebOne();
    svc('web', { routes: [{ ingress: edge, port: 8080 }] });
    svc('api', { routes: [{ ingress: edge, port: 8080, pathPrefix: '/' }] });
    const problems = Testing.validate(app);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^shop\/(web|api): routes: \*\/ on ingress shop\/edge is also routed to shop\/(web|api);/);
  });

  it('accepts two services on one ingress that differ by host name or by path prefix', () => {
    const { app, edge, svc } = edgeOnWebOne();
    svc('web', { routes: [{ ingress: edge, port: 8080, hostName: 'shop.example.com' }] });
    svc('admin', { routes: [{ ingress: edge, port: 8080, hostName: 'admin.example.com' }] });
    svc('api', { routes: [{ ingress: edge, port: 8080, hostName: 'shop.example.com', pathPrefix: '/api' }] });
    assert.deepEqual(Testing.validate(app), []);
  });

  const badRoutes: { name: string; route: Record<string, unknown>; expect: RegExp }[] = [
    { name: 'a host name with a space and capitals', route: { hostName: 'Shop Example' }, expect: /^shop\/web: routes\[0\]\.hostName: "Shop Example" is not a host name/ },
    { name: 'a host name with a quote', route: { hostName: "a'b" }, expect: /^shop\/web: routes\[0\]\.hostName: "a'b" is not a host name/ },
    { name: 'a path prefix with a space', route: { pathPrefix: '/a b' }, expect: /^shop\/web: routes\[0\]\.pathPrefix: "\/a b" is not a URL path/ },
    { name: 'a path prefix with "#"', route: { pathPrefix: '/a#b' }, expect: /^shop\/web: routes\[0\]\.pathPrefix: "\/a#b" is not a URL path/ },
    { name: 'a path prefix without a leading slash', route: { pathPrefix: 'api' }, expect: /^shop\/web: routes\[0\]\.pathPrefix: "api" is not a URL path/ },
    { name: 'a health check path with a space', route: { healthCheckPath: '/health z' }, expect: /^shop\/web: routes\[0\]\.healthCheckPath: "\/health z" is not a URL path/ },
    { name: 'an unknown route key', route: { host: 'shop.example.com' }, expect: /^shop\/web: routes\[0\]: unknown key "host"/ },
  ];
  for (const { name, route, expect } of badRoutes) {
    it(`refuses a route with ${name}, naming routes`, () => {
      const { app, edge, svc } = edgeOnWebOne();
      svc('web', { routes: [{ ingress: edge, port: 8080, ...route }] });
      const problems = Testing.validate(app);
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], expect);
      assert.throws(() => Testing.synth(app), /shop\/web: routes\[0\]/);
    });
  }

  it('refuses the same route listed twice in one service', () => {
    const { app, edge, svc } = edgeOnWebOne();
    const route = { ingress: edge, port: 8080, hostName: 'shop.example.com', pathPrefix: '/shop' };
    svc('web', { routes: [route, { ...route }] });
    assert.deepEqual(Testing.validate(app), ['shop/web: routes[1]: the same host name and path prefix as routes[0]; list each route once']);
  });

  it('refuses routes of one service through one ingress on different ports', () => {
    const { app, edge, svc } = edgeOnWebOne();
    svc('web', { routes: [{ ingress: edge, port: 8080, pathPrefix: '/a' }, { ingress: edge, port: 9090, pathPrefix: '/b' }] });
    const problems = Testing.validate(app);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^shop\/web: routes\[1\]: routes of one service through one ingress must share port and healthCheckPath/);
  });

  it('reports a clash between the proxy\'s host port and a service publishing the same port on its host', () => {
    const { app, svc } = edgeOnWebOne();
    svc('db', { ports: [{ container: 5432, host: 80 }] });
    const problems = Testing.validate(app);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /host port 80\/tcp on host web-1/);
  });
});

// ---------------------------------------------------------------------------------------------
// renderProxyConfig: TCP routes

function tcpRoute(service: string, extra: Partial<ProxyTcpRoute> = {}): ProxyTcpRoute {
  return { service, listenPort: 5432, meshListenPort: 19000, targetPort: 5432, servers: [], remotes: [], ...extra };
}

/** The lines of the section whose first line is `header`, up to the next blank line; fails when there is none. */
function section(text: string, header: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(header);
  assert.ok(start >= 0, `no "${header}" in:\n${text}`);
  const end = lines.indexOf('', start);
  return lines.slice(start, end < 0 ? undefined : end);
}

const LOCAL_CHECK = 'check inter 2s fall 2 rise 2 resolvers engine init-addr last,libc,192.0.2.1';
const REMOTE_CHECK = 'check inter 2s fall 2 rise 2';

describe('renderProxyConfig: TCP routes', () => {
  const db = tcpRoute('db', {
    listenPort: 5432, meshListenPort: 19000, targetPort: 5432,
    servers: [{ name: 'shop-db-2', dnsName: 'shop-db-2-upstream' }, { name: 'shop-db-1', dnsName: 'shop-db-1-upstream' }],
    remotes: [{ host: 'node-c', address: '10.0.0.3', port: 15432 }, { host: 'node-b', address: '10.0.0.2', port: 15432 }],
  });
  const redis = tcpRoute('redis', {
    listenPort: 6379, meshListenPort: 19001, targetPort: 6379,
    servers: [{ name: 'shop-redis-1', dnsName: 'shop-redis-1-upstream' }],
    remotes: [{ host: 'node-b', address: '10.0.0.2', port: 6379 }],
  });
  const withTcp = (tcp: ProxyTcpRoute[]): ProxyConfig => ({ ...config([]), tcp });

  it('renders "listen tcp.<service>" in TCP mode on listenPort: local servers with their spares, then one "remote.<host>" server per remote host', () => {
    const text = renderProxyConfig(withTcp([db]));
    assert.deepEqual(section(text, 'listen tcp.db'), [
      'listen tcp.db',
      '  mode tcp',
      '  bind :5432',
      '  balance roundrobin',
      '  timeout client 1h',
      '  timeout server 1h',
      `  server shop-db-1 shop-db-1-upstream:5432 ${LOCAL_CHECK}`,
      '  server shop-db-1.next 0.0.0.0:5432 disabled',
      `  server shop-db-2 shop-db-2-upstream:5432 ${LOCAL_CHECK}`,
      '  server shop-db-2.next 0.0.0.0:5432 disabled',
      `  server remote.node-b 10.0.0.2:15432 ${REMOTE_CHECK}`,
      `  server remote.node-c 10.0.0.3:15432 ${REMOTE_CHECK}`,
    ]);
  });

  it('renders "listen mesh.<service>" on meshListenPort with the local servers only, never a remote', () => {
    const text = renderProxyConfig(withTcp([db]));
    assert.deepEqual(section(text, 'listen mesh.db'), [
      'listen mesh.db',
      '  mode tcp',
      '  bind :19000',
      '  balance roundrobin',
      '  timeout client 1h',
      '  timeout server 1h',
      `  server shop-db-1 shop-db-1-upstream:5432 ${LOCAL_CHECK}`,
      '  server shop-db-1.next 0.0.0.0:5432 disabled',
      `  server shop-db-2 shop-db-2-upstream:5432 ${LOCAL_CHECK}`,
      '  server shop-db-2.next 0.0.0.0:5432 disabled',
    ]);
    // Remotes appear exactly once each: in tcp.db, never in mesh.db (traffic crosses one host at most).
    assert.equal(text.split('\n').filter((l) => l.includes('remote.')).length, 2, text);
  });

  it('addresses local servers on targetPort, binds tcp.<service> on listenPort and mesh.<service> on meshListenPort', () => {
    const text = renderProxyConfig(withTcp([tcpRoute('api', {
      listenPort: 7000, meshListenPort: 19005, targetPort: 7001,
      servers: [{ name: 'shop-api-1', dnsName: 'shop-api-1-upstream' }], remotes: [{ host: 'node-b', address: '10.0.0.2', port: 17000 }],
    })]));
    const tcp = section(text, 'listen tcp.api');
    const mesh = section(text, 'listen mesh.api');
    assert.ok(tcp.includes('  bind :7000') && !tcp.includes('  bind :19005'), tcp.join('\n'));
    assert.ok(mesh.includes('  bind :19005') && !mesh.includes('  bind :7000'), mesh.join('\n'));
    for (const lines of [tcp, mesh]) {
      assert.ok(lines.includes(`  server shop-api-1 shop-api-1-upstream:7001 ${LOCAL_CHECK}`), lines.join('\n'));
      assert.ok(lines.includes('  server shop-api-1.next 0.0.0.0:7001 disabled'), lines.join('\n'));
    }
    assert.ok(tcp.includes(`  server remote.node-b 10.0.0.2:17000 ${REMOTE_CHECK}`), tcp.join('\n'));
  });

  it('on a host without a local replica: tcp.<service> has the remotes only, mesh.<service> no server at all', () => {
    const text = renderProxyConfig(withTcp([tcpRoute('db', { remotes: [{ host: 'node-a', address: '10.0.0.1', port: 5432 }] })]));
    const servers = (lines: string[]) => lines.filter((l) => l.startsWith('  server '));
    assert.deepEqual(servers(section(text, 'listen tcp.db')), [`  server remote.node-a 10.0.0.1:5432 ${REMOTE_CHECK}`]);
    assert.deepEqual(servers(section(text, 'listen mesh.db')), []);
  });

  it('renders the same text whatever the order of TCP routes, servers and remotes, services sorted by name', () => {
    const first = renderProxyConfig(withTcp([db, redis]));
    const shuffled = [
      { ...redis },
      { ...db, servers: [...db.servers].reverse(), remotes: [...db.remotes].reverse() },
    ];
    assert.equal(renderProxyConfig(withTcp(shuffled)), first);
    const listens = first.split('\n').filter((l) => l.startsWith('listen '));
    assert.deepEqual(listens, ['listen tcp.db', 'listen mesh.db', 'listen tcp.redis', 'listen mesh.redis']);
  });

  it('keeps TCP listeners out of the HTTP frontend, and renders none without TCP routes', () => {
    const text = renderProxyConfig(withTcp([db]));
    assert.deepEqual(useBackends(text), []);
    assert.match(text, /^  default_backend hoist\.no-route$/m);
    for (const empty of [config([]), withTcp([])]) {
      assert.doesNotMatch(renderProxyConfig(empty), /^listen |mode tcp/m);
    }
    assert.equal(renderProxyConfig(withTcp([])), renderProxyConfig(config([])));
  });
});

// ---------------------------------------------------------------------------------------------
// Synth: TCP routes across hosts

const NODES: readonly (readonly [string, string])[] = [['node-a', '10.0.0.1'], ['node-b', '10.0.0.2'], ['node-c', '10.0.0.3']];
const ADDRESS = new Map(NODES);

interface MeshOptions {
  /** Extra props of db's route. */
  readonly route?: Record<string, unknown>;
  /** db's replicas (default 1) and the hosts it may run on (default node-a). */
  readonly replicas?: number;
  readonly dbHosts?: string[];
  /** Address overrides, by host id. */
  readonly addresses?: Record<string, string>;
}

/** Three hosts, an ingress "edge" on all three, "db" routed through it over TCP on port 5432. */
function meshApp(options: MeshOptions = {}) {
  const app = Testing.app();
  const stack = new Stack(app, 'shop');
  const hosts = NODES.map(([id, address]) => new Host(stack, id, { address: options.addresses?.[id] ?? address }));
  const edge = new Ingress(stack, 'edge', { hosts });
  const dbHosts = hosts.filter((h) => (options.dbHosts ?? ['node-a']).includes(h.node.id));
  new Service(stack, 'db', {
    image: Image.fromRegistry('postgres:16'),
    replicas: options.replicas ?? 1,
    placement: { hosts: dbHosts, maxPerHost: 1 },
    routes: [{ ingress: edge, port: 5432, protocol: RouteProtocol.TCP, ...options.route }],
  } as ServiceProps);
  return { app, stack, hosts, edge };
}

function meshContainers(options: MeshOptions = {}) {
  const all = containers(onlyStack(Testing.synth(meshApp(options).app)));
  const proxies = all.filter((c) => c.source === 'shop/edge/proxy');
  const proxyOn = (host: string) => {
    const found = proxies.find((p) => p.host === host);
    assert.ok(found, `no proxy on ${host}`);
    return found;
  };
  return { all, proxies, proxyOn, db: all.filter((c) => c.source === 'shop/db') };
}

/** The server lines of a proxy's section. */
function sectionServers(proxy: ContainerResource, header: string): string[] {
  return section(proxy.spec.env[CONFIG_ENV], header).filter((l) => l.startsWith('  server '));
}

describe('Ingress synth: TCP routes across hosts', () => {
  it('runs a proxy on each of the three hosts, each answering to "db" on the ingress network (and db\'s replica not)', () => {
    const { proxies, db } = meshContainers();
    assert.deepEqual(proxies.map((p) => p.host).sort(), ['node-a', 'node-b', 'node-c']);
    for (const proxy of proxies) {
      const onIngress = proxy.spec.networks.find((n) => n.name === 'shop-edge-routes');
      assert.ok(onIngress, `proxy on ${proxy.host} is not on shop-edge-routes`);
      assert.ok(onIngress.aliases.includes('db'), `proxy on ${proxy.host}: ${onIngress.aliases.join(', ')}`);
    }
    // The name "db" must resolve to the proxies only, so every connection goes through one.
    assert.equal(db.length, 1);
    for (const n of db[0].spec.networks) assert.ok(!n.aliases.includes('db'), `${db[0].id} answers to "db" on ${n.name}`);
  });

  it('publishes db\'s mesh port (default: the route\'s port) on each proxy host\'s own address only, mapped to container port 19000', () => {
    const { proxies } = meshContainers();
    for (const proxy of proxies) {
      assert.deepEqual(proxy.spec.ports.map((p) => [p.hostIp, p.hostPort, p.containerPort, p.protocol]), [
        ['0.0.0.0', 80, 8080, 'tcp'],
        [ADDRESS.get(proxy.host), 5432, 19000, 'tcp'],
      ], `proxy on ${proxy.host}`);
    }
  });

  it('has the proxies on node-b and node-c reach db through node-a\'s address, and node-a\'s proxy the local replica only', () => {
    const { proxyOn, db } = meshContainers();
    assert.deepEqual(db.map((c) => [c.host, c.spec.name]), [['node-a', 'shop-db-1']]);
    for (const host of ['node-b', 'node-c']) {
      const proxy = proxyOn(host);
      assert.deepEqual(sectionServers(proxy, 'listen tcp.db'), [`  server remote.node-a 10.0.0.1:5432 ${REMOTE_CHECK}`], `proxy on ${host}`);
      assert.deepEqual(sectionServers(proxy, 'listen mesh.db'), [], `proxy on ${host}`);
      const text = proxy.spec.env[CONFIG_ENV];
      assert.match(text, /^listen tcp\.db\n  mode tcp\n  bind :5432$/m);
      assert.match(text, /^listen mesh\.db\n  mode tcp\n  bind :19000$/m);
    }
    const local = [`  server shop-db-1 shop-db-1-upstream:5432 ${LOCAL_CHECK}`, '  server shop-db-1.next 0.0.0.0:5432 disabled'];
    assert.deepEqual(sectionServers(proxyOn('node-a'), 'listen tcp.db'), local);
    assert.deepEqual(sectionServers(proxyOn('node-a'), 'listen mesh.db'), local);
    assert.doesNotMatch(proxyOn('node-a').spec.env[CONFIG_ENV], /remote\./);
  });

  it('gives db\'s replica its "-upstream" alias and policy.proxies for tcp.db and mesh.db on its host\'s proxy, port 5432', () => {
    const { proxyOn, db } = meshContainers();
    const [replica] = db;
    const onIngress = replica.spec.networks.find((n) => n.name === 'shop-edge-routes');
    assert.ok(onIngress, `${replica.id} is not on shop-edge-routes`);
    assert.deepEqual(onIngress.aliases, ['shop-db-1-upstream']);
    const proxy = proxyOn(replica.host).spec.name;
    assert.deepEqual(replica.policy.proxies, [
      { proxy, backend: 'tcp.db', server: 'shop-db-1', network: 'shop-edge-routes', port: 5432 },
      { proxy, backend: 'mesh.db', server: 'shop-db-1', network: 'shop-edge-routes', port: 5432 },
    ]);
  });

  it('with meshPort 15432: publishes host port 15432 and the remote servers use it; the proxies still listen for clients on 5432', () => {
    const { proxies, proxyOn } = meshContainers({ route: { meshPort: 15432 } });
    for (const proxy of proxies) {
      assert.deepEqual(proxy.spec.ports.map((p) => [p.hostIp, p.hostPort, p.containerPort, p.protocol]), [
        ['0.0.0.0', 80, 8080, 'tcp'],
        [ADDRESS.get(proxy.host), 15432, 19000, 'tcp'],
      ], `proxy on ${proxy.host}`);
      assert.ok(section(proxy.spec.env[CONFIG_ENV], 'listen tcp.db').includes('  bind :5432'), `proxy on ${proxy.host}`);
    }
    for (const host of ['node-b', 'node-c']) {
      assert.deepEqual(sectionServers(proxyOn(host), 'listen tcp.db'), [`  server remote.node-a 10.0.0.1:15432 ${REMOTE_CHECK}`]);
    }
  });

  it('with replicas on node-a and node-b: each of them reaches the other as a remote, node-c reaches both', () => {
    const { proxyOn, db } = meshContainers({ replicas: 2, dbHosts: ['node-a', 'node-b'] });
    assert.deepEqual(db.map((c) => c.host).sort(), ['node-a', 'node-b']);
    const remotes = (host: string) => sectionServers(proxyOn(host), 'listen tcp.db').filter((l) => l.includes('remote.'));
    assert.deepEqual(remotes('node-a'), [`  server remote.node-b 10.0.0.2:5432 ${REMOTE_CHECK}`]);
    assert.deepEqual(remotes('node-b'), [`  server remote.node-a 10.0.0.1:5432 ${REMOTE_CHECK}`]);
    assert.deepEqual(remotes('node-c'), [`  server remote.node-a 10.0.0.1:5432 ${REMOTE_CHECK}`, `  server remote.node-b 10.0.0.2:5432 ${REMOTE_CHECK}`]);
    for (const replica of db) {
      const local = sectionServers(proxyOn(replica.host), 'listen mesh.db');
      assert.deepEqual(local, [`  server ${replica.spec.name} ${replica.spec.name}-upstream:5432 ${LOCAL_CHECK}`, `  server ${replica.spec.name}.next 0.0.0.0:5432 disabled`]);
    }
  });

  it('synthesizes identical graphs twice', () => {
    assert.deepEqual(Testing.synth(meshApp().app), Testing.synth(meshApp().app));
  });
});

// ---------------------------------------------------------------------------------------------
// Problems: TCP routes

describe('Ingress problems: TCP routes', () => {
  const tcpBad: { name: string; route: Record<string, unknown>; expect: RegExp }[] = [
    { name: 'a TCP route with hostName', route: { protocol: RouteProtocol.TCP, port: 5432, hostName: 'db.example.com' }, expect: /^shop\/db: routes\[0\]: hostName apply to HTTP routes only/ },
    { name: 'a TCP route with pathPrefix', route: { protocol: RouteProtocol.TCP, port: 5432, pathPrefix: '/db' }, expect: /^shop\/db: routes\[0\]: pathPrefix apply to HTTP routes only/ },
    { name: 'a TCP route with healthCheckPath', route: { protocol: RouteProtocol.TCP, port: 5432, healthCheckPath: '/health' }, expect: /^shop\/db: routes\[0\]: healthCheckPath apply to HTTP routes only/ },
    { name: 'an HTTP route (protocol omitted) with meshPort', route: { port: 8080, meshPort: 15432 }, expect: /^shop\/db: routes\[0\]\.meshPort: applies to TCP routes only$/ },
    { name: 'a RouteProtocol.HTTP route with meshPort', route: { protocol: RouteProtocol.HTTP, port: 8080, meshPort: 15432 }, expect: /^shop\/db: routes\[0\]\.meshPort: applies to TCP routes only$/ },
    { name: 'a TCP route on port 8080 (the proxy\'s HTTP port)', route: { protocol: RouteProtocol.TCP, port: 8080 }, expect: /^shop\/db: routes\[0\]\.port: 8080 is one the proxy uses itself/ },
    { name: 'a TCP route on port 8443 (the proxy\'s HTTPS port)', route: { protocol: RouteProtocol.TCP, port: 8443 }, expect: /^shop\/db: routes\[0\]\.port: 8443 is one the proxy uses itself/ },
    { name: 'a TCP route on port 9999 (the runtime API)', route: { protocol: RouteProtocol.TCP, port: 9999 }, expect: /^shop\/db: routes\[0\]\.port: 9999 is one the proxy uses itself/ },
    { name: 'a TCP route on port 19001 (a mesh listener)', route: { protocol: RouteProtocol.TCP, port: 19001 }, expect: /^shop\/db: routes\[0\]\.port: 19001 is one the proxy uses itself/ },
  ];
  for (const { name, route, expect } of tcpBad) {
    it(`refuses ${name}, naming routes`, () => {
      // The route replaces db's own (protocol and port included).
      const { app } = meshApp({ route: { protocol: undefined, ...route } });
      const problems = Testing.validate(app);
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], expect);
      assert.match(problems[0], /routes/);
      assert.throws(() => Testing.synth(app), /shop\/db: routes\[0\]/);
    });
  }

  it('accepts TCP routes on ports next to the reserved ones (8079, 8081, 9998, 18999, 20000)', () => {
    for (const port of [8079, 8081, 9998, 18999, 20000]) {
      assert.deepEqual(Testing.validate(meshApp({ route: { port } }).app), [], `port ${port}`);
    }
  });

  it('refuses two services with TCP routes on the same port through one ingress, naming routes, the port and the other service', () => {
    const { app, stack, hosts, edge } = meshApp();
    new Service(stack, 'replica', {
      image: Image.fromRegistry('postgres:16'), placement: { hosts: [hosts[1]] },
      routes: [{ ingress: edge, port: 5432, protocol: RouteProtocol.TCP, meshPort: 15432 }],
    });
    const problems = Testing.validate(app);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^shop\/replica: routes: TCP port 5432 on ingress shop\/edge is also shop\/db's;/);
    assert.throws(() => Testing.synth(app), /TCP port 5432 on ingress shop\/edge/);
  });

  it('accepts two services with TCP routes on different ports through one ingress, each with its own mesh listener', () => {
    const { app, stack, hosts, edge } = meshApp();
    new Service(stack, 'redis', {
      image: Image.fromRegistry('redis:7'), placement: { hosts: [hosts[2]] },
      routes: [{ ingress: edge, port: 6379, protocol: RouteProtocol.TCP }],
    });
    assert.deepEqual(Testing.validate(app), []);
    const proxies = containers(onlyStack(Testing.synth(app))).filter((c) => c.source === 'shop/edge/proxy');
    for (const proxy of proxies) {
      assert.deepEqual(proxy.spec.ports.map((p) => [p.hostIp, p.hostPort, p.containerPort]), [
        ['0.0.0.0', 80, 8080], [ADDRESS.get(proxy.host), 5432, 19000], [ADDRESS.get(proxy.host), 6379, 19001],
      ], `proxy on ${proxy.host}`);
      assert.deepEqual(proxy.spec.networks.find((n) => n.name === 'shop-edge-routes')?.aliases.filter((a) => a === 'db' || a === 'redis'), ['db', 'redis']);
      assert.ok(section(proxy.spec.env[CONFIG_ENV], 'listen mesh.redis').includes('  bind :19001'), `proxy on ${proxy.host}`);
    }
  });

  it('refuses a TCP route when a replica host address is a DNS name, naming routes, the host and the address', () => {
    const { app } = meshApp({ addresses: { 'node-a': 'db.internal' } });
    const problems = Testing.validate(app);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^shop\/db: routes: a TCP route crosses hosts through each ingress host's private address, and host node-a's address "db\.internal" is not an IP address/);
    assert.throws(() => Testing.synth(app), /host node-a's address "db\.internal" is not an IP address/);
  });

  it('publishes mesh ports on a host\'s privateAddress when it has one (its address may then be a DNS name)', () => {
    const app = Testing.app();
    const stack = new Stack(app, 'shop');
    const hosts = [
      new Host(stack, 'node-a', { address: 'node-a.example.com', privateAddress: '10.1.0.1' }),
      new Host(stack, 'node-b', { address: '203.0.113.2', privateAddress: '10.1.0.2' }),
    ];
    const edge = new Ingress(stack, 'edge', { hosts });
    new Service(stack, 'db', { image: Image.fromRegistry('postgres:16'), placement: { hosts: [hosts[0]] }, routes: [{ ingress: edge, port: 5432, protocol: RouteProtocol.TCP }] });
    assert.deepEqual(Testing.validate(app), []);
    const proxies = containers(onlyStack(Testing.synth(app))).filter((c) => c.spec.service === 'edge');
    assert.deepEqual(proxies.map((p) => [p.host, p.spec.ports.filter((port) => port.containerPort === 19000).map((port) => port.hostIp)]).sort(), [['node-a', ['10.1.0.1']], ['node-b', ['10.1.0.2']]]);
    const onB = proxies.find((p) => p.host === 'node-b')!.spec.env.HOIST_INGRESS_CONFIG;
    assert.match(onB, /^  server remote\.node-a 10\.1\.0\.1:5432 /m, 'the other proxy is reached on its private address');
    assert.ok(Testing.validate((() => {
      const bad = Testing.app();
      const s = new Stack(bad, 'shop');
      new Host(s, 'h', { address: 'h.example.com', privateAddress: 'not-an-ip' });
      return bad;
    })()).some((p) => /privateAddress: "not-an-ip" is not an IP address/.test(p)), 'a privateAddress must be an IP address');
  });

  it('refuses a TCP route when a proxy host without replicas has a DNS name or a malformed IP as its address', () => {
    for (const bad of ['proxy.internal', '999.1.1.1']) {
      const { app } = meshApp({ addresses: { 'node-b': bad } });
      const problems = Testing.validate(app);
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], new RegExp(`host node-b's address "${bad.replace(/\./g, '\\.')}" is not an IP address`));
    }
  });

  it('accepts IPv6 host addresses for a TCP route', () => {
    const { app } = meshApp({ addresses: { 'node-a': 'fd00::1' } });
    assert.deepEqual(Testing.validate(app), []);
  });
});

// ---------------------------------------------------------------------------------------------
// TLS

const CERT_ENV = 'HOIST_INGRESS_SYNTH_TEST_CERTIFICATE';
const CERT_VALUE = '-----BEGIN CERTIFICATE-----\nMIIB-ingress-synth-test-7f3c9a\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nkey-ingress-synth-test-51d2e8\n-----END PRIVATE KEY-----\n';
const CERT_PATH = '/run/secrets/hoist-ingress/certificate.pem';

/** Runs `f` with the certificate's environment variable set to `value`, then restores it. */
function withCertificate<T>(value: string, f: () => T): T {
  const saved = process.env[CERT_ENV];
  process.env[CERT_ENV] = value;
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env[CERT_ENV]; else process.env[CERT_ENV] = saved;
  }
}

/** Two hosts, an ingress "edge" with TLS from the secret "cert" (from CERT_ENV), "web" routed through it. */
function tlsShop(tls: { httpsPort?: number; redirectHttp?: boolean } = {}, value = CERT_VALUE) {
  const app = Testing.app();
  const stack = new Stack(app, 'shop');
  const hosts = [new Host(stack, 'web-1', { address: '10.9.0.1' }), new Host(stack, 'web-2', { address: '10.9.0.2' })];
  const certificate = Secret.fromEnv(stack, 'cert', CERT_ENV);
  const edge = new Ingress(stack, 'edge', { hosts, tls: { certificate, ...tls } });
  new Service(stack, 'web', { image: Image.fromRegistry('busybox:1.36'), replicas: 2, routes: [{ ingress: edge, port: 8080, hostName: 'shop.example.com' }] });
  const graph = withCertificate(value, () => Testing.synth(app));
  const proxies = containers(onlyStack(graph)).filter((c) => c.source === 'shop/edge/proxy');
  assert.equal(proxies.length, 2);
  return { graph, proxies };
}

const SSL_BIND = `  bind :8443 ssl crt ${CERT_PATH}`;

describe('Ingress synth: TLS', () => {
  it('publishes the HTTPS port (httpsPort 8443) mapped to container port 8443, besides the HTTP port', () => {
    for (const proxy of tlsShop({ httpsPort: 8443 }).proxies) {
      assert.deepEqual(proxy.spec.ports.map((p) => [p.hostIp, p.hostPort, p.containerPort, p.protocol]), [['0.0.0.0', 80, 8080, 'tcp'], ['0.0.0.0', 8443, 8443, 'tcp']]);
    }
  });

  it('publishes host port 443 by default', () => {
    for (const proxy of tlsShop().proxies) {
      assert.deepEqual(proxy.spec.ports.map((p) => [p.hostPort, p.containerPort]), [[80, 8080], [443, 8443]]);
    }
  });

  it('delivers the certificate secret to each proxy as a file at /run/secrets/hoist-ingress/certificate.pem, never in its environment', () => {
    const { graph, proxies } = tlsShop({ httpsPort: 8443 });
    const stack = onlyStack(graph);
    for (const proxy of proxies) {
      assert.equal(proxy.spec.secrets.length, 1, JSON.stringify(proxy.spec.secrets));
      const [secret] = proxy.spec.secrets;
      assert.deepEqual({ ...secret, fingerprint: '' }, { resource: 'secret:shop/cert', name: 'cert', fingerprint: '', target: CERT_PATH, env: null });
      assert.ok(secret.fingerprint.length > 0, 'no fingerprint');
      // The secret is placed on the proxy's host and the proxy depends on it.
      const placed = stack.resources.find((r) => r.kind === 'secret' && r.host === proxy.host && r.source === 'shop/cert');
      assert.ok(placed, `no secret resource on ${proxy.host}`);
      assert.ok(proxy.dependsOn.some((d) => d.id === placed.id), `${proxy.id} does not depend on ${placed.id}`);
      assert.deepEqual(Object.keys(proxy.spec.env), [CONFIG_ENV]);
    }
    // The routed service gets no secret.
    for (const web of containers(stack).filter((c) => c.source === 'shop/web')) assert.deepEqual(web.spec.secrets, []);
  });

  it('never puts the certificate\'s value in the graph', () => {
    const { graph } = tlsShop({ httpsPort: 8443 });
    const json = JSON.stringify(graph);
    assert.ok(!json.includes(CERT_VALUE), 'the whole value is in the graph');
    for (const part of ['MIIB-ingress-synth-test-7f3c9a', 'key-ingress-synth-test-51d2e8']) {
      assert.ok(!json.includes(part), `${part} is in the graph`);
    }
  });

  it('changes the proxies\' secret fingerprint and hash, and nothing of the routed service, when the certificate changes', () => {
    const before = tlsShop({ httpsPort: 8443 });
    const after = tlsShop({ httpsPort: 8443 }, CERT_VALUE.replace('7f3c9a', '000000'));
    const byId = (list: ContainerResource[]) => new Map(list.map((c) => [c.id, c]));
    const old = byId(before.proxies);
    for (const proxy of after.proxies) {
      const was = old.get(proxy.id)!;
      assert.notEqual(proxy.spec.secrets[0].fingerprint, was.spec.secrets[0].fingerprint);
      assert.notEqual(proxy.hash, was.hash);
      assert.equal(proxy.spec.env[CONFIG_ENV], was.spec.env[CONFIG_ENV]);
    }
    const webHashes = (graph: any) => containers(onlyStack(graph)).filter((c) => c.source === 'shop/web').map((c) => c.hash).sort();
    assert.deepEqual(webHashes(after.graph), webHashes(before.graph));
  });

  it('configures the ssl bind, X-Forwarded-Proto and a redirect naming httpsPort 8443', () => {
    for (const proxy of tlsShop({ httpsPort: 8443 }).proxies) {
      const lines = proxy.spec.env[CONFIG_ENV].split('\n');
      const frontend = section(proxy.spec.env[CONFIG_ENV], 'frontend http');
      assert.ok(frontend.includes('  bind :8080'), frontend.join('\n'));
      assert.ok(frontend.includes(SSL_BIND), frontend.join('\n'));
      assert.ok(frontend.includes('  http-request set-header X-Forwarded-Proto https if { ssl_fc }'), frontend.join('\n'));
      assert.ok(frontend.includes('  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }'), frontend.join('\n'));
      const redirects = lines.filter((l) => l.includes('redirect'));
      assert.deepEqual(redirects, ['  http-request redirect code 301 location https://%[var(txn.host)]:8443%[capture.req.uri] if !{ ssl_fc }']);
      // The redirect comes before any routing, so no HTTP request reaches a backend.
      assert.ok(frontend.indexOf(redirects[0]) < frontend.findIndex((l) => l.startsWith('  use_backend ')), frontend.join('\n'));
    }
  });

  it('redirects without a port when httpsPort is 443 (the default)', () => {
    for (const tls of [{}, { httpsPort: 443 }]) {
      for (const proxy of tlsShop(tls).proxies) {
        const redirects = proxy.spec.env[CONFIG_ENV].split('\n').filter((l) => l.includes('redirect'));
        assert.deepEqual(redirects, ['  http-request redirect code 301 location https://%[var(txn.host)]%[capture.req.uri] if !{ ssl_fc }'], JSON.stringify(tls));
      }
    }
  });

  it('with redirectHttp false: still the ssl bind and X-Forwarded-Proto, but no redirect', () => {
    for (const proxy of tlsShop({ httpsPort: 8443, redirectHttp: false }).proxies) {
      const text = proxy.spec.env[CONFIG_ENV];
      assert.ok(text.split('\n').includes(SSL_BIND), text);
      assert.match(text, /X-Forwarded-Proto https if \{ ssl_fc \}/);
      assert.doesNotMatch(text, /redirect/);
    }
  });

  it('without tls: no ssl bind, no X-Forwarded-Proto, no redirect, no secret, HTTP port only', () => {
    for (const proxy of shopContainers().proxies) {
      const text = proxy.spec.env[CONFIG_ENV];
      assert.doesNotMatch(text, /ssl|X-Forwarded-Proto|redirect|8443/);
      assert.deepEqual(proxy.spec.secrets, []);
      assert.deepEqual(proxy.spec.ports.map((p) => p.containerPort), [8080]);
    }
  });
});
