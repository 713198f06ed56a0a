import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { HealthCheck, Host, Image, Mount, Protocol, Service, type ServiceProps, Stack, Testing, Volume } from '../../lib';
import type { ObservedContainer, ObservedHostState } from '../../lib/engine/read-host-state';
import { buildCreateContainerRequest } from '../../lib/engine/container-create';
import type { ContainerResource, GraphDocument } from '../../lib/graph/graph-document';
import { LINT_RULES, SERVICE_LINT_RULES, type LintSeverity } from '../../lib/graph/lint-rule-catalog';
import { lintGraph, lintServices } from '../../lib/lint/lint-graph';
import { lintBlockers, lintLines, lintPlannedServices } from '../../lib/lint/plan-lint';
import { buildPlan } from '../../lib/plan/build-plan';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** Props that pass every service rule: the base each case changes one thing of. */
const CLEAN: Omit<ServiceProps, 'image'> = {
  user: '65534:65534',
  readOnlyRootFilesystem: true,
  noNewPrivileges: true,
  resources: { memory: '64MiB', cpus: 0.5, pids: 50 },
  ports: [{ container: 8080, host: 8080, bindAddress: '127.0.0.1' }],
};

interface Project {
  readonly graph: GraphDocument;
  readonly dir: string;
}

/**
 * A one-service stack on one host, synthesized like a user's program. `service` gets the
 * stack, so it can make Volumes; `dockerfile` is written to `app/Dockerfile` for built images.
 */
function project(service: (stack: Stack, dir: string) => ServiceProps, stackProps: ConstructorParameters<typeof Stack>[2] = {}): Project {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-lint-services-'));
  const app = Testing.app({ projectDir: dir });
  const stack = new Stack(app, 'shop', stackProps);
  new Host(stack, 'h1', { address: '10.9.0.1' });
  new Service(stack, 'web', service(stack, dir));
  return { graph: Testing.synth(app), dir };
}

/** A built image from a Dockerfile in the project. */
function built(dir: string, dockerfile: string): Image {
  fs.mkdirSync(path.join(dir, 'app'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'app', 'Dockerfile'), dockerfile);
  fs.writeFileSync(path.join(dir, 'app', '.dockerignore'), '.git\n');
  return Image.fromDockerfile('app', { imageName: 'web' });
}

const registry = () => Image.fromRegistry(`busybox:1.36@${DIGEST}`);

/** `rule:severity` of every service finding. */
function findings(p: Project, severities: Record<string, LintSeverity> = {}): string[] {
  return lintServices(p.graph, p.dir, severities).flatMap((r) => r.findings.map((f) => `${f.rule}:${f.severity}`));
}

function messages(p: Project): string[] {
  return lintServices(p.graph, p.dir).flatMap((r) => r.findings.map((f) => f.message));
}

describe('lintServices: each rule trips on its pitfall and not on the fix', () => {
  it('a hardened service on a pinned registry image passes every service rule', () => {
    assert.deepEqual(findings(project(() => ({ image: registry(), ...CLEAN }))), []);
  });

  const cases: { rule: string; severity: string; trips: (stack: Stack, dir: string) => ServiceProps; passes: (stack: Stack, dir: string) => ServiceProps; says: RegExp }[] = [
    {
      rule: 'engine-socket', severity: 'error', says: /^shop\/web bind-mounts the engine socket \/var\/run\/docker\.sock at \/var\/run\/docker\.sock: .*remove the mount/,
      trips: () => ({ image: registry(), ...CLEAN, mounts: [Mount.bind('/var/run/docker.sock', '/var/run/docker.sock', { readOnly: true })] }),
      passes: () => ({ image: registry(), ...CLEAN, mounts: [Mount.bind('/srv/shop/uploads', '/uploads')] }),
    },
    {
      rule: 'engine-socket', severity: 'error', says: /^shop\/web bind-mounts the engine socket \/run\/podman\/podman\.sock at \/engine\.sock/,
      trips: () => ({ image: registry(), ...CLEAN, mounts: [Mount.bind('/run/podman/podman.sock', '/engine.sock')] }),
      passes: () => ({ image: registry(), ...CLEAN, mounts: [Mount.bind('/run/shop', '/shop')] }),
    },
    {
      rule: 'engine-socket', severity: 'error', says: /^shop\/web bind-mounts \/var\/run, which holds the engine socket \/var\/run\/docker\.sock at \/host-run:/,
      trips: () => ({ image: registry(), ...CLEAN, mounts: [Mount.bind('/var/run/', '/host-run')] }),
      passes: () => ({ image: registry(), ...CLEAN, mounts: [Mount.tmpfs('/var/run')] }),
    },
    {
      rule: 'dangerous-capability', severity: 'warning', says: /^shop\/web adds NET_ADMIN \(.*\), SYS_ADMIN \(.*\) in capAdd; remove them/,
      trips: () => ({ image: registry(), ...CLEAN, capAdd: ['CAP_SYS_ADMIN', 'NET_ADMIN'] }),
      passes: () => ({ image: registry(), ...CLEAN, capAdd: ['NET_BIND_SERVICE'], capDrop: ['ALL'] }),
    },
    {
      rule: 'dangerous-capability', severity: 'warning', says: /^shop\/web adds ALL \(every capability\) in capAdd/,
      trips: () => ({ image: registry(), ...CLEAN, capAdd: ['ALL'] }),
      passes: () => ({ image: registry(), ...CLEAN, capDrop: ['ALL'] }),
    },
    {
      rule: 'sensitive-mount', severity: 'warning', says: /^shop\/web bind-mounts the host's \/etc at \/host-etc \(read-only\): the container can read the host's system files/,
      trips: () => ({ image: registry(), ...CLEAN, mounts: [Mount.bind('/etc', '/host-etc', { readOnly: true })] }),
      passes: () => ({ image: registry(), ...CLEAN, mounts: [Mount.bind('/etc/ssl/certs', '/etc/ssl/certs', { readOnly: true })] }),
    },
    {
      rule: 'sensitive-mount', severity: 'warning', says: /^shop\/web bind-mounts the host's \/proc\/sys at \/p: the container can read and change/,
      trips: () => ({ image: registry(), ...CLEAN, mounts: [Mount.bind('/proc/sys', '/p')] }),
      passes: () => ({ image: registry(), ...CLEAN, mounts: [Mount.bind('/srv/procedures', '/p')] }),
    },
    {
      rule: 'root-user', severity: 'warning', says: /^shop\/web sets user "0:0", which is root; set user to an unprivileged uid/,
      trips: () => ({ image: registry(), ...CLEAN, user: '0:0' }),
      passes: () => ({ image: registry(), ...CLEAN, user: 'app' }),
    },
    {
      rule: 'root-user', severity: 'info', says: /^shop\/web sets no user and the USER of busybox:1\.36@sha256:a+ is not known at synth/,
      trips: () => ({ image: registry(), ...CLEAN, user: undefined }),
      passes: (_stack, dir) => ({ image: built(dir, 'FROM busybox:1.36\nUSER 10001\n'), ...CLEAN, user: undefined }),
    },
    {
      rule: 'writable-rootfs', severity: 'warning', says: /^shop\/web has a writable root filesystem; set readOnlyRootFilesystem: true/,
      trips: () => ({ image: registry(), ...CLEAN, readOnlyRootFilesystem: false }),
      passes: () => ({ image: registry(), ...CLEAN, readOnlyRootFilesystem: true }),
    },
    {
      rule: 'no-memory-limit', severity: 'warning', says: /^shop\/web has no memory limit.*set resources\.memory/,
      trips: () => ({ image: registry(), ...CLEAN, resources: { cpus: 0.5, pids: 50 } }),
      passes: () => ({ image: registry(), ...CLEAN }),
    },
    {
      rule: 'no-cpu-limit', severity: 'info', says: /^shop\/web has no CPU limit.*set resources\.cpus/,
      trips: () => ({ image: registry(), ...CLEAN, resources: { memory: '64MiB', pids: 50 } }),
      passes: () => ({ image: registry(), ...CLEAN }),
    },
    {
      rule: 'no-pids-limit', severity: 'warning', says: /^shop\/web has no process limit.*set resources\.pids/,
      trips: () => ({ image: registry(), ...CLEAN, resources: { memory: '64MiB', cpus: 0.5 } }),
      passes: () => ({ image: registry(), ...CLEAN }),
    },
    {
      rule: 'new-privileges', severity: 'warning', says: /^shop\/web lets processes gain privileges through setuid binaries; set noNewPrivileges: true/,
      trips: () => ({ image: registry(), ...CLEAN, noNewPrivileges: false }),
      passes: () => ({ image: registry(), ...CLEAN }),
    },
    {
      rule: 'all-interfaces', severity: 'info', says: /^shop\/web publishes an engine-chosen port\/udp, 8080\/tcp on all of the host's interfaces;.*bindAddress: "127\.0\.0\.1"/,
      trips: () => ({ image: registry(), ...CLEAN, ports: [{ container: 8080, host: 8080 }, { container: 53, protocol: Protocol.UDP, bindAddress: '::' }] }),
      passes: () => ({ image: registry(), ...CLEAN, ports: [{ container: 8080, host: 8080, bindAddress: '10.9.0.1' }, { container: 53, protocol: Protocol.UDP, bindAddress: '::1' }] }),
    },
    {
      rule: 'floating-tag', severity: 'warning', says: /^shop\/web runs busybox:latest, a tag that can move.*pin its digest \(busybox:latest@sha256:\.\.\.\)/,
      trips: () => ({ image: Image.fromRegistry('busybox'), ...CLEAN }),
      passes: (_stack, dir) => ({ image: built(dir, 'FROM busybox:1.36\nUSER 10001\n'), ...CLEAN }),
    },
    {
      rule: 'anonymous-volume', severity: 'warning', says: /^shop\/web: its image declares VOLUME \/var\/lib\/app \(Dockerfile line 3\), which the service does not mount.*anonymous volume.*mount a named Volume at \/var\/lib\/app/,
      trips: (_stack, dir) => ({ image: built(dir, 'FROM busybox:1.36\nENV DATA=/var/lib/app\nVOLUME $DATA/\nUSER 10001\n'), ...CLEAN }),
      passes: (stack, dir) => ({ image: built(dir, 'FROM busybox:1.36\nENV DATA=/var/lib/app\nVOLUME $DATA/\nUSER 10001\n'), ...CLEAN, mounts: [new Volume(stack, 'data').mount('/var/lib/app')] }),
    },
    {
      rule: 'anonymous-volume', severity: 'warning', says: /declares VOLUME \/cache \(Dockerfile line 2\)/,
      trips: (_stack, dir) => ({ image: built(dir, 'FROM busybox:1.36 AS base\nVOLUME ["/cache"]\nFROM base AS runtime\nUSER 10001\n'), ...CLEAN }),
      passes: (_stack, dir) => ({ image: built(dir, 'FROM busybox:1.36 AS base\nVOLUME ["/cache"]\nFROM base AS runtime\nUSER 10001\n'), ...CLEAN, mounts: [Mount.tmpfs('/cache')] }),
    },
  ];
  for (const c of cases) {
    it(`${c.rule} (CIS ${SERVICE_LINT_RULES[c.rule].cis ?? '-'}): lintServices reports it as ${c.severity} with the construct path and the fix, and not after the fix`, () => {
      const tripped = project(c.trips);
      assert.deepEqual(findings(tripped), [`${c.rule}:${c.severity}`]);
      assert.match(messages(tripped)[0], c.says);
      assert.deepEqual(findings(project(c.passes)), []);
    });
  }

  it('anonymous-volume follows the build target: a VOLUME in a stage the target does not build on does not count', () => {
    const p = project((_stack, dir) => {
      fs.mkdirSync(path.join(dir, 'app'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'app', 'Dockerfile'), 'FROM busybox:1.36 AS runtime\nUSER 10001\nFROM busybox:1.36 AS debug\nVOLUME /debug\n');
      return { image: Image.fromDockerfile('app', { imageName: 'web', target: 'runtime' }), ...CLEAN };
    });
    assert.deepEqual(findings(p), []);
  });

  it('a built image without USER is reported once, by the image rule no-user (4.1), and not when the service sets a non-root user', () => {
    const rootImage = project((_stack, dir) => ({ image: built(dir, 'FROM busybox:1.36\n'), ...CLEAN, user: undefined }));
    assert.deepEqual(findings(rootImage), []);
    assert.deepEqual(lintGraph(rootImage.graph, rootImage.dir).flatMap((r) => r.findings.map((f) => f.rule)), ['floating-base', 'no-user', 'no-healthcheck']);
    const overridden = project((_stack, dir) => ({ image: built(dir, 'FROM busybox:1.36\n'), ...CLEAN, user: '10001' }));
    assert.ok(!lintGraph(overridden.graph, overridden.dir).some((r) => r.findings.some((f) => f.rule === 'no-user')));
  });

  it('no-healthcheck (4.6) is the image rule: it trips on a built image without HEALTHCHECK whose service has none, not when the service has one', () => {
    const rules = (p: Project) => lintGraph(p.graph, p.dir).flatMap((r) => r.findings.map((f) => f.rule));
    assert.ok(rules(project((_stack, dir) => ({ image: built(dir, 'FROM busybox:1.36\nUSER 1\n'), ...CLEAN }))).includes('no-healthcheck'));
    assert.ok(!rules(project((_stack, dir) => ({ image: built(dir, 'FROM busybox:1.36\nUSER 1\n'), ...CLEAN, healthCheck: HealthCheck.tcp(8080) }))).includes('no-healthcheck'));
  });

  it('secret-in-build (4.10) stays the image rule it was: lintGraph reports it on the Dockerfile line', () => {
    const p = project((_stack, dir) => ({ image: built(dir, 'FROM busybox:1.36\nARG NPM_TOKEN\nUSER 1\n'), ...CLEAN }));
    assert.ok(lintGraph(p.graph, p.dir).some((r) => r.findings.some((f) => f.rule === 'secret-in-build' && f.severity === 'error' && f.line === 2)));
  });

  it('the host\'s own engine socket, wherever the host spec puts it, trips engine-socket', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-lint-services-'));
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, 'shop');
    new Host(stack, 'h1', { address: '10.9.0.1', engineSocket: '/srv/engine/api' });
    new Service(stack, 'web', { image: registry(), ...CLEAN, mounts: [Mount.bind('/srv/engine', '/e')] });
    assert.deepEqual(findings({ graph: Testing.synth(app), dir }), ['engine-socket:error']);
  });

  it('every service rule has a default severity, a CIS number (or none for Hoist\'s own) and a summary; only engine-socket is an error by default', () => {
    assert.deepEqual(Object.keys(SERVICE_LINT_RULES), ['engine-socket', 'dangerous-capability', 'sensitive-mount', 'root-user', 'writable-rootfs', 'no-memory-limit', 'no-cpu-limit', 'no-pids-limit', 'new-privileges', 'all-interfaces', 'floating-tag', 'anonymous-volume']);
    assert.deepEqual(Object.entries(SERVICE_LINT_RULES).filter(([, r]) => r.severity === 'error').map(([id]) => id), ['engine-socket']);
    assert.deepEqual(Object.values(SERVICE_LINT_RULES).map((r) => r.cis), ['5.31', '5.3', '5.5', '4.1', '5.12', '5.10', '5.11', '5.28', '5.25', '5.13', '4.5', null]);
    assert.ok(Object.keys(SERVICE_LINT_RULES).every((id) => !(id in LINT_RULES)), 'image and service rule ids never collide');
  });
});

describe('privileged (5.4) and the host namespaces (5.9, 5.15, 5.16) cannot be expressed', () => {
  it('Service props refuse privileged, networkMode, pidMode and ipcMode, naming the construct path', () => {
    const app = Testing.app();
    const stack = new Stack(app, 'shop');
    new Host(stack, 'h1', { address: '10.9.0.1' });
    new Service(stack, 'web', { image: registry(), ...({ privileged: true, networkMode: 'host', pidMode: 'host', ipcMode: 'host' } as object) } as ServiceProps);
    const problems = Testing.validate(app).join('\n');
    for (const key of ['privileged', 'networkMode', 'pidMode', 'ipcMode']) assert.match(problems, new RegExp(`shop/web: .*${key}`));
  });

  it('buildCreateContainerRequest never sets Privileged, PidMode, IpcMode, UTSMode, Devices or the host network, even for the loosest service', () => {
    const p = project(() => ({ image: Image.fromRegistry('busybox'), capAdd: ['ALL'], mounts: [Mount.bind('/', '/host')], ports: [{ container: 80, host: 80 }] }));
    const container = p.graph.stacks[0].resources.find((r): r is ContainerResource => r.kind === 'container')!;
    const hostConfig = buildCreateContainerRequest(container.spec, {}).body.HostConfig as Record<string, unknown>;
    for (const key of ['Privileged', 'PidMode', 'IpcMode', 'UTSMode', 'UsernsMode', 'Devices', 'CgroupnsMode']) assert.ok(!(key in hostConfig), `${key} is never sent`);
    assert.ok(!('NetworkMode' in hostConfig) || !['host', 'none'].includes(String(hostConfig.NetworkMode)), 'never the host network');
  });
});

describe('service lint severities: the construct, the stack and the run', () => {
  const loose = (_stack: Stack): ServiceProps => ({ image: registry(), ...CLEAN, readOnlyRootFilesystem: false, mounts: [Mount.bind('/var/run/docker.sock', '/var/run/docker.sock')] });

  it('lintRules on the Service changes a rule\'s severity or turns it off', () => {
    const p = project((stack) => ({ ...loose(stack), lintRules: { 'writable-rootfs': 'error', 'engine-socket': 'off' } }));
    assert.deepEqual(findings(p), ['writable-rootfs:error']);
    const container = p.graph.stacks[0].resources.find((r): r is ContainerResource => r.kind === 'container')!;
    assert.deepEqual(container.policy.lint, { 'engine-socket': 'off', 'writable-rootfs': 'error' }, 'the settings travel in the container policy, outside the spec hash');
  });

  it('the stack\'s defaults.lintRules apply to every service; the service\'s own win rule by rule', () => {
    const p = project((stack) => ({ ...loose(stack), lintRules: { 'engine-socket': 'warning' } }), { defaults: { lintRules: { 'engine-socket': 'off', 'writable-rootfs': 'info' } } });
    assert.deepEqual(findings(p), ['engine-socket:warning', 'writable-rootfs:info']);
  });

  it('the run\'s severities (hoist lint --rule) win over the construct\'s', () => {
    const p = project((stack) => ({ ...loose(stack), lintRules: { 'writable-rootfs': 'off' } }));
    assert.deepEqual(findings(p, { 'writable-rootfs': 'warning', 'engine-socket': 'info' }), ['engine-socket:info', 'writable-rootfs:warning']);
  });

  it('a finding whose premise is unknown stays info, whatever severity the rule is given', () => {
    const p = project(() => ({ image: registry(), ...CLEAN, user: undefined, lintRules: { 'root-user': 'error' } }));
    assert.deepEqual(findings(p), ['root-user:info']);
    assert.deepEqual(findings(project(() => ({ image: registry(), ...CLEAN, user: undefined, lintRules: { 'root-user': 'off' } }))), []);
  });

  it('synth refuses unknown rules, bad severities and rules of the other scope, naming the construct path and where the rule belongs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-lint-services-'));
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, 'shop', { defaults: { lintRules: { 'no-such': 'off', 'no-cpu-limit': 'quiet' } } });
    new Host(stack, 'h1', { address: '10.9.0.1' });
    new Service(stack, 'web', { image: registry(), lintRules: { 'privileged-ish': 'off', 'writable-rootfs': 'loud', 'no-user': 'off' } });
    new Service(stack, 'api', { image: built(dir, 'FROM busybox:1.36\n'), lintRules: { 'no-memory-limit': 7 as unknown as string } });
    new Service(stack, 'worker', { image: Image.fromDockerfile('app', { imageName: 'worker', lintRules: { 'engine-socket': 'off' } }) });
    const problems = Testing.validate(app);
    const expected = [
      'shop: defaults.lintRules: no lint rule is called "no-such" (rules: engine-socket, dangerous-capability,',
      'shop: defaults.lintRules.no-cpu-limit: "quiet" is not a severity (error, warning, info or off)',
      'shop/web: lintRules: no lint rule is called "privileged-ish" (rules: engine-socket,',
      'shop/web: lintRules.writable-rootfs: "loud" is not a severity (error, warning, info or off)',
      'shop/web: lintRules: "no-user" is checked on the image\'s Dockerfile; set it in the image\'s lintRules',
      'shop/api: lintRules.no-memory-limit: 7 is not a severity (error, warning, info or off)',
      'shop/worker: image: lintRules: "engine-socket" is checked on services, not images; set it in the Service\'s lintRules',
    ];
    for (const line of expected) assert.ok(problems.some((p) => p.startsWith(line)), `missing: ${line}\nin:\n${problems.join('\n')}`);
  });
});

describe('service lint in plan and apply', () => {
  const agent = (_stack: Stack): ServiceProps => ({ image: registry(), ...CLEAN, readOnlyRootFilesystem: false, mounts: [Mount.bind('/var/run/docker.sock', '/var/run/docker.sock')] });
  const empty = (host: string): ObservedHostState => ({ host, engine: 'docker', containers: [], images: [], networks: [], volumes: [], foreign: [] });
  /** h1 running exactly the graph's containers. */
  const running = (graph: GraphDocument): ObservedHostState => ({
    ...empty('h1'),
    containers: graph.stacks[0].resources.filter((r): r is ContainerResource => r.kind === 'container').map((r): ObservedContainer => ({
      id: `id-${r.spec.name}`, name: r.spec.name, resourceId: r.id, specHash: r.hash, revision: 1, created: '2026-01-01T00:00:00.000Z',
      image: r.spec.image.reference, imageId: 'sha256:busybox', state: { status: 'running', exitCode: null, health: null }, rolloutCopy: false,
      spec: r.spec, imageDefaults: { entrypoint: null, command: null, env: {}, user: null, workingDir: null, healthcheck: null, labels: {}, volumes: [] },
    })),
    images: [{ id: 'sha256:busybox', references: [`busybox:1.36@${DIGEST}`] }],
  });

  it('lintPlannedServices lints the services a plan creates; lintLines prints the plan\'s line and lintBlockers stops apply on an error', () => {
    const p = project(agent);
    const plan = buildPlan(p.graph, new Map([['h1', { engine: 'docker' as const, states: new Map([['shop', empty('h1')]]) }]]), { deleteVolumes: false });
    const results = lintPlannedServices(plan, p.graph, p.dir);
    assert.deepEqual(results.map((r) => r.service), ['shop/web']);
    assert.deepEqual(lintLines(results), [
      'lint error: shop/web (service) engine-socket: shop/web bind-mounts the engine socket /var/run/docker.sock at /var/run/docker.sock: whoever controls the container controls the host\'s engine, so root on the host (read-only does not help); remove the mount, or if this is a trusted agent, lower engine-socket in the service\'s lintRules',
      'lint warning: shop/web (service) writable-rootfs: shop/web has a writable root filesystem; set readOnlyRootFilesystem: true (or the stack\'s defaults) and mount a Volume or Mount.tmpfs where the process writes',
    ]);
    assert.deepEqual(lintBlockers(results), ['shop/web (service): lint error(s) (engine-socket); fix the service, or lower the rule with lintRules on the service (hoist lint shows each finding)']);

    const lowered = project((stack) => ({ ...agent(stack), lintRules: { 'engine-socket': 'warning' } }));
    const again = lintPlannedServices(buildPlan(lowered.graph, new Map([['h1', { engine: 'docker' as const, states: new Map([['shop', empty('h1')]]) }]]), { deleteVolumes: false }), lowered.graph, lowered.dir);
    assert.deepEqual(lintBlockers(again), [], 'lowered on the construct, it no longer blocks');
  });

  it('a service whose containers the plan leaves alone is not linted in the plan', () => {
    const p = project(agent);
    const plan = buildPlan(p.graph, new Map([['h1', { engine: 'docker' as const, states: new Map([['shop', running(p.graph)]]) }]]), { deleteVolumes: false });
    assert.equal(plan.stacks[0].actions.length, 0, 'the host already runs the graph');
    assert.deepEqual(lintPlannedServices(plan, p.graph, p.dir), []);
  });
});
