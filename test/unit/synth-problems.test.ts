import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  App, BuildStage, HealthCheck, Host, Image, Inventory, Mount, Network, Secret, Service, ServiceProps, Stack, Testing, UpdateOrder, Volume,
} from '../../lib';

/** A valid one-host stack that each case breaks in one way. */
function base(): { app: App; stack: Stack; host: Host } {
  const app = Testing.app();
  const stack = new Stack(app, 'shop');
  const host = new Host(stack, 'web-1', { address: '10.9.0.1' });
  return { app, stack, host };
}

function svc(stack: Stack, id: string, props: Partial<ServiceProps> & Record<string, unknown> = {}): Service {
  return new Service(stack, id, { image: Image.fromRegistry('busybox'), ...props } as ServiceProps);
}

interface Case {
  readonly name: string;
  readonly build: (b: ReturnType<typeof base>) => void;
  readonly expect: string | RegExp;
}

const cases: Case[] = [
  { name: 'a host port out of range', build: ({ stack }) => svc(stack, 'web', { ports: [{ host: 70000, container: 80 }] }), expect: 'shop/web: ports[0].host: 70000 is not a port (1-65535)' },
  { name: 'a container port of 0', build: ({ stack }) => svc(stack, 'web', { ports: [{ container: 0 }] }), expect: 'shop/web: ports[0].container: 0 is not a port (1-65535)' },
  { name: 'an unknown protocol', build: ({ stack }) => svc(stack, 'web', { ports: [{ container: 53, protocol: 'sctp' as any }] }), expect: 'shop/web: ports[0].protocol: "sctp" is not a protocol (tcp or udp)' },
  { name: 'a bind address that is not an IP', build: ({ stack }) => svc(stack, 'web', { ports: [{ container: 80, bindAddress: 'localhost' }] }), expect: 'shop/web: ports[0].bindAddress: "localhost" is not an IP address' },
  { name: 'a memory size with an unknown unit', build: ({ stack }) => svc(stack, 'web', { resources: { memory: '512XB' } }), expect: 'shop/web: resources.memory: "512XB" has an unknown unit "XB" (use b, k/KiB, m/MiB, g/GiB or t/TiB)' },
  { name: 'a memory reservation above the limit', build: ({ stack }) => svc(stack, 'web', { resources: { memory: '64m', memoryReservation: '128m' } }), expect: 'shop/web: resources.memoryReservation: 128m is more than resources.memory (64m)' },
  { name: 'a memory limit below what engines accept', build: ({ stack }) => svc(stack, 'web', { resources: { memory: '1m' } }), expect: 'shop/web: resources.memory: 1m is below the 6MiB the engines accept' },
  { name: 'zero CPUs', build: ({ stack }) => svc(stack, 'web', { resources: { cpus: 0 } }), expect: 'shop/web: resources.cpus: 0 is not a number of CPUs (more than 0)' },
  { name: 'negative replicas', build: ({ stack }) => svc(stack, 'web', { replicas: -1 }), expect: 'shop/web: replicas: -1 is not a replica count (0 or more)' },
  { name: 'an unknown key from plain JavaScript', build: ({ stack }) => svc(stack, 'web', { replica: 2 }), expect: 'shop/web: unknown key "replica"' },
  { name: 'an unknown nested key', build: ({ stack }) => svc(stack, 'web', { update: { order: UpdateOrder.STOP_FIRST, batch: 2 } as any }), expect: 'shop/web: update: unknown key "batch"' },
  { name: 'a duration without a unit', build: ({ stack }) => svc(stack, 'web', { stopGracePeriod: '10' }), expect: 'shop/web: stopGracePeriod: "10" is not a duration (use e.g. "500ms", "30s", "1m30s" or "2h")' },
  { name: 'a dependency cycle', build: ({ stack }) => {
    const a = svc(stack, 'a');
    const b = svc(stack, 'b', { dependsOn: [a] });
    (a._props as any).dependsOn = [b.whenHealthy()];
  }, expect: 'shop/a: dependsOn: dependency cycle shop/a -> shop/b -> shop/a; break it by removing one dependsOn' },
  { name: 'a service depending on itself', build: ({ stack }) => { const s = svc(stack, 'a'); (s._props as any).dependsOn = [s]; }, expect: 'shop/a: dependsOn[0]: a service cannot depend on itself' },
  { name: 'a service name with a newline', build: ({ stack }) => svc(stack, 'web', { serviceName: 'web\nrm -rf' }), expect: 'shop/web: serviceName: "web\\nrm -rf" is not a valid name (letters, digits, "_", "." or "-", starting with a letter or digit)' },
  { name: 'a service name with $(...)', build: ({ stack }) => svc(stack, 'web', { serviceName: 'web$(id)' }), expect: 'shop/web: serviceName: "web$(id)" is not a valid name (letters, digits, "_", "." or "-", starting with a letter or digit)' },
  { name: 'a volume name with a leading dash', build: ({ stack }) => new Volume(stack, 'data', { volumeName: '-data' }), expect: 'shop/data: volumeName: "-data" is not a valid name (letters, digits, "_", "." or "-", starting with a letter or digit)' },
  { name: 'a network name with a slash', build: ({ stack }) => new Network(stack, 'net', { networkName: 'a/b' }), expect: 'shop/net: networkName: "a/b" is not a valid name (letters, digits, "_", "." or "-", starting with a letter or digit)' },
  { name: 'a network name with a semicolon', build: ({ stack }) => new Network(stack, 'net', { networkName: 'a;b' }), expect: 'shop/net: networkName: "a;b" is not a valid name (letters, digits, "_", "." or "-", starting with a letter or digit)' },
  { name: 'a volume mounted twice at one path', build: ({ stack }) => {
    const v = new Volume(stack, 'data');
    svc(stack, 'web', { mounts: [v.mount('/data'), Mount.tmpfs('/data')] });
  }, expect: 'shop/web: mounts[1]: "/data" is already mounted by mounts[0]' },
  { name: 'a relative mount target', build: ({ stack }) => svc(stack, 'web', { mounts: [Mount.tmpfs('data')] }), expect: 'shop/web: mounts[0].target: "data" is not an absolute path inside the container' },
  { name: 'a relative bind source', build: ({ stack }) => svc(stack, 'web', { mounts: [Mount.bind('./conf', '/conf')] }), expect: 'shop/web: mounts[0].source: "./conf" is not an absolute host path' },
  { name: 'two services on one host port', build: ({ stack }) => {
    svc(stack, 'a', { ports: [{ host: 80, container: 8080 }] });
    svc(stack, 'b', { ports: [{ host: 80, container: 9090 }] });
  }, expect: 'shop/b: ports: host port 80/tcp on host web-1 is also published by shop/a (shop-a-1); use another host port, or placement to keep them apart' },
  { name: 'replicas that cannot be placed', build: ({ stack }) => svc(stack, 'web', { replicas: 3, ports: [{ host: 80, container: 80 }] }), expect: 'shop/web: replicas: cannot place 3 replicas on 1 host (web-1) (it publishes a fixed host port, so at most one replica fits per host); add hosts or lower replicas' },
  { name: 'a role no host has', build: ({ stack }) => svc(stack, 'web', { placement: { roles: ['gpu'] } }), expect: 'shop/web: placement: no host has role "gpu" (hosts: web-1)' },
  { name: 'a stack without hosts', build: ({ app }) => { const s = new Stack(app, 'empty'); svc(s, 'web'); }, expect: 'empty/web: placement: the stack has no hosts; add a Host or an Inventory to the stack (or to the App)' },
  { name: 'a missing secret source', build: ({ stack }) => {
    delete process.env.HOIST_TEST_UNSET_SECRET;
    svc(stack, 'web', { secrets: [Secret.fromEnv(stack, 'token', 'HOIST_TEST_UNSET_SECRET')] });
  }, expect: 'shop/token: missing secret: environment variable HOIST_TEST_UNSET_SECRET is not set; export it before running hoist' },
  { name: 'a secret file directly under /', build: ({ stack }) => {
    process.env.HOIST_TEST_SET_SECRET = 'x';
    svc(stack, 'web', { secrets: [Secret.fromEnv(stack, 'token', 'HOIST_TEST_SET_SECRET').asFile('/token')] });
  }, expect: 'shop/web: secrets[0]: "/token" is directly under /; put secret files in a directory of their own, e.g. /run/secrets/token' },
  { name: 'a secret file in a directory a volume is mounted on', build: ({ stack }) => {
    process.env.HOIST_TEST_SET_SECRET = 'x';
    svc(stack, 'web', { mounts: [new Volume(stack, 'conf').mount('/etc/app')], secrets: [Secret.fromEnv(stack, 'token', 'HOIST_TEST_SET_SECRET').asFile('/etc/app/token')] });
  }, expect: 'shop/web: secrets[0]: the directory /etc/app of "/etc/app/token" is also mounted by mounts[0]; put secret files in a directory no mount uses' },
  { name: 'a secret with two sources', build: ({ stack }) => new Secret(stack, 'token', { fromEnv: 'A', fromFile: 'b' }), expect: 'shop/token: needs exactly one source: fromEnv, fromFile or fromCommand (use Secret.fromEnv / fromFile / fromCommand)' },
  { name: 'a volume of another stack', build: ({ app, stack }) => {
    const other = new Stack(app, 'other');
    svc(stack, 'web', { mounts: [new Volume(other, 'data').mount('/data')] });
  }, expect: 'shop/web: mounts: volume other/data belongs to stack other; a service can only use resources of its own stack (shop)' },
  { name: 'a dependency on a service of another stack', build: ({ app, stack }) => {
    const other = new Stack(app, 'other');
    new Host(other, 'h', { address: '10.9.9.9' });
    svc(stack, 'web', { dependsOn: [svc(other, 'db')] });
  }, expect: 'shop/web: dependsOn: service other/db belongs to stack other; a service can only use resources of its own stack (shop)' },
  { name: 'a host of another stack in placement', build: ({ app, stack }) => {
    const other = new Stack(app, 'other');
    svc(stack, 'web', { placement: { hosts: [new Host(other, 'h', { address: '10.9.9.9' })] } });
  }, expect: 'shop/web: placement.hosts: host other/h belongs to stack other; define shared hosts outside any stack (in the App) or in this stack' },
  { name: 'an invalid image reference', build: ({ stack }) => svc(stack, 'web', { image: Image.fromRegistry('Bad Image') }), expect: 'shop/web: image: "Bad Image" is not an image reference (expected e.g. "postgres:15", "busybox" or "registry:5000/team/app@sha256:<digest>")' },
  { name: 'a Dockerfile directory that does not exist', build: ({ stack }) => svc(stack, 'web', { image: Image.fromDockerfile('no-such-dir') }), expect: 'shop/web: image: build context no-such-dir is not a directory' },
  { name: 'a typed build step copying from an unknown stage', build: ({ stack }) => svc(stack, 'web', {
    image: Image.fromBuildSteps({ imageName: 'web', stages: [BuildStage.fromImage('busybox').copyFromStage('biuld', ['/app'], '/app')] }),
  }), expect: 'shop/web: image.stages[0].steps[0] (copy): copies from stage "biuld", which is not an earlier stage (known: none)' },
  { name: 'a build step ENV value with a newline', build: ({ stack }) => svc(stack, 'web', {
    image: Image.fromBuildSteps({ imageName: 'web', stages: [BuildStage.fromImage('busybox').env('X', 'a\nRUN rm -rf /')] }),
  }), expect: 'shop/web: image.stages[0].steps[0] (env): the value must be one line' },
  { name: 'a host address starting with a dash', build: ({ stack }) => new Host(stack, 'evil', { address: '-oProxyCommand=sh' }), expect: 'shop/evil: address: "-oProxyCommand=sh" is not a host address (no spaces, not starting with "-")' },
  { name: 'a malformed host key fingerprint', build: ({ stack }) => new Host(stack, 'h2', { address: '10.9.0.2', hostKeyFingerprint: 'MD5:aa:bb' }), expect: 'shop/h2: hostKeyFingerprint: "MD5:aa:bb" is not a host key fingerprint (expected "SHA256:" and 43 base64 characters, as ssh-keygen -lf prints)' },
  { name: 'an unknown capability', build: ({ stack }) => svc(stack, 'web', { capAdd: ['NET_BIND'] }), expect: 'shop/web: capAdd[0]: "NET_BIND" is not a Linux capability (e.g. "NET_BIND_SERVICE", "CHOWN" or "ALL")' },
  { name: 'an HTTP health check path with a quote', build: ({ stack }) => svc(stack, 'web', { healthCheck: HealthCheck.http(80, { path: "/'; reboot; '" }) }), expect: 'shop/web: healthCheck.path: "/\'; reboot; \'" is not a URL path (starts with "/", no spaces or quotes)' },
  { name: 'start-first with a fixed host port', build: ({ stack }) => svc(stack, 'web', { ports: [{ host: 80, container: 80 }], update: { order: UpdateOrder.START_FIRST } }), expect: 'shop/web: update.order: start-first needs the old and new container up at once, but both would publish host port 80/tcp; use UpdateOrder.STOP_FIRST or drop the fixed host port' },
  { name: 'a reserved label key', build: ({ stack }) => svc(stack, 'web', { labels: { 'hoist.stack': 'other' } }), expect: 'shop/web: labels["hoist.stack"]: label keys starting with "hoist." are reserved for ownership labels' },
  { name: 'two services with one engine name', build: ({ stack }) => { svc(stack, 'a', { serviceName: 'web' }); svc(stack, 'b', { serviceName: 'web' }); }, expect: 'shop/b: serviceName: the container name "shop-web-1" is also used by shop/a; give one of them another serviceName' },
  { name: 'two hosts with one name', build: ({ stack }) => new Host(stack, 'other', { address: '10.9.0.9', hostName: 'web-1' }), expect: 'shop/other: hostName: "web-1" is also the name of shop/web-1; host names must be unique' },
  { name: 'a host whose construct id is no valid host name (readers of the graph would refuse it)', build: ({ stack }) => new Host(stack, 'web;3', { address: '10.9.0.3' }), expect: 'shop/web;3: hostName: the construct id "web;3" is not a valid host name (letters, digits, "_", "." or "-", starting with a letter or digit); set hostName' },
  { name: 'a service outside every stack', build: ({ app }) => svc(app as unknown as Stack, 'loose'), expect: 'loose: is not inside a Stack; create it with a Stack (or a construct inside one) as scope' },
  { name: 'a props value of the wrong type', build: ({ stack }) => svc(stack, 'web', { environment: { A: 1 as unknown as string } }), expect: 'shop/web: environment.A: expected a string value, got 1' },
  { name: 'an image that is not an Image', build: ({ stack }) => svc(stack, 'web', { image: 'busybox' as unknown as Image }), expect: 'shop/web: image: expected an Image (Image.fromRegistry, Image.fromDockerfile or Image.fromBuildSteps), got "busybox"' },
];

describe('synth rejects bad input with the construct path, the field and the next step', () => {
  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const b = base();
      c.build(b);
      const problems = Testing.validate(b.app);
      if (typeof c.expect === 'string') {
        assert.ok(problems.includes(c.expect), `expected:\n  ${c.expect}\ngot:\n  ${problems.join('\n  ')}`);
      } else {
        assert.ok(problems.some((p) => (c.expect as RegExp).test(p)), `got:\n  ${problems.join('\n  ')}`);
      }
    });
  }

  it('has at least 25 cases', () => assert.ok(cases.length >= 25));

  it('collects every problem of the tree in one run, sorted by path', () => {
    const b = base();
    svc(b.stack, 'zeta', { replicas: -2 });
    svc(b.stack, 'alpha', { ports: [{ container: 99999 }] });
    new Volume(b.stack, 'vol', { volumeName: 'a b' });
    const problems = Testing.validate(b.app);
    assert.deepEqual(problems.map((p) => p.split(':')[0]), ['shop/alpha', 'shop/vol', 'shop/zeta']);
  });

  it('App.synth() throws listing every problem and writes no graph', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-bad-'));
    const app = new App({ projectDir: dir, outdir: 'out' });
    const stack = new Stack(app, 'shop');
    new Host(stack, 'h', { address: '10.9.0.1' });
    svc(stack, 'web', { replicas: -1, ports: [{ container: 0 }] });
    assert.throws(() => app.synth(), (error: Error & { problems?: string[] }) => {
      assert.equal(error.problems?.length, 2);
      assert.match(error.message, /synth found 2 problems/);
      return true;
    });
    assert.equal(fs.existsSync(path.join(dir, 'out', 'graph.json')), false);
  });

  it('reports problems in an inventory file with the file name and field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-inv-'));
    fs.writeFileSync(path.join(dir, 'inv.yaml'), 'hosts:\n  - name: a\n    address: 10.0.0.1\n    port: 0\n  - name: b\n');
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, 'shop');
    Inventory.fromFile(stack, 'hosts', 'inv.yaml');
    assert.deepEqual(Testing.validate(app).filter((p) => p.startsWith('shop/hosts')), [
      'shop/hosts: inventory file inv.yaml: hosts[0].port: 0 is not a port (1-65535)',
      'shop/hosts: inventory file inv.yaml: hosts[1].address: expected a string, got undefined',
    ]);
  });
});
