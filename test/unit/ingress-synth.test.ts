/**
 * Ingress: the HAProxy configuration renderer (lib/ingress/haproxy-config.ts, pure) and synth's
 * routing step (lib/synth/render-ingress.ts): each proxy's configuration lists the routed
 * replicas on its own host, routed replicas get their `-upstream` alias and `policy.proxies`,
 * and bad or clashing routes are refused with a problem naming the service.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Host, Image, Ingress, type IngressProps, Service, type ServiceProps, Stack, Testing } from '../../lib';
import type { ContainerResource } from '../../lib/graph/graph-document';
import { renderProxyConfig, type ProxyBackend, type ProxyConfig } from '../../lib/ingress/haproxy-config';
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

  it('binds the runtime API to the loopback address only, and listens on listenPort', () => {
    const text = renderProxyConfig({ ...config([]), listenPort: 8181 });
    const sockets = text.split('\n').filter((l) => l.includes('stats socket'));
    assert.deepEqual(sockets, ['  stats socket ipv4@127.0.0.1:9999 level admin']);
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
