import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import ts from 'typescript';
import type { ContainerResource, GraphDocument } from '../../lib/graph/graph-document';
import { ComposeImportError } from '../../lib/import/compose/compose-import-error';
import { UNSUPPORTED_BUILD_KEYS, UNSUPPORTED_DEPLOY_KEYS, UNSUPPORTED_SERVICE_KEYS, UNSUPPORTED_TOP_LEVEL_KEYS } from '../../lib/import/compose/compose-keys';
import { formatUnsupported, importCompose, type ImportComposeOptions } from '../../lib/import/compose/import-compose';
import { interpolate } from '../../lib/import/compose/interpolate';
import { normalizeCompose } from '../../lib/import/compose/normalize-compose';
import { parseDotenv } from '../../lib/import/compose/parse-dotenv';
import { readComposeFile } from '../../lib/import/compose/read-compose';
import { splitShellWords } from '../../lib/import/compose/split-shell-words';
import { runHoist, REPO_ROOT } from '../helpers/cli';
import { containers, onlyStack } from '../helpers/graph';
import { tempProject } from '../helpers/project';
import { matchSnapshot } from '../helpers/snapshot';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'compose');
const FIXTURE_NAMES = ['shop', 'homelab', 'photos', 'unsupported'];
/** A fixed environment: none of the shell's variables leak into what the tests compare. */
const ENV = { SHOP_API_TOKEN: 'token-for-tests' };

function lookup(vars: Record<string, string>): (name: string) => string | undefined {
  return (name) => vars[name];
}

/** Imports a fixture as if the program were written beside its compose.yaml. */
function importFixture(name: string, options: Partial<ImportComposeOptions> = {}) {
  const dir = path.join(FIXTURES, name);
  return importCompose({ composeFile: path.join(dir, 'compose.yaml'), outputFile: path.join(dir, 'main.ts'), env: ENV, ...options });
}

const temporary: string[] = [];
after(() => {
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});

/** A Compose file (and files beside it) in a temporary directory; returns the file's path. */
function composeProject(files: Record<string, string>): string {
  const dir = tempProject(files, 'hoist-compose-');
  temporary.push(dir);
  return path.join(dir, 'compose.yaml');
}

/** Makes `dir` a project whose programs import hoist from this checkout. */
function linkHoist(dir: string): void {
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'hoist'));
}

function problemsOf(work: () => unknown): readonly string[] {
  try {
    work();
  } catch (error) {
    if (error instanceof ComposeImportError) return error.problems;
    throw error;
  }
  assert.fail('expected a ComposeImportError');
}

describe('Compose interpolation: interpolate()', () => {
  const vars = lookup({ SET: 'value', EMPTY: '' });

  it('substitutes $VAR and ${VAR}, and $$ is a literal $', () => {
    assert.equal(interpolate('a $SET b ${SET}c $$SET $${SET}', vars), 'a value b valuec $SET ${SET}');
  });

  it('${VAR:-d} defaults when unset or empty, ${VAR-d} only when unset', () => {
    assert.equal(interpolate('${UNSET:-d}|${EMPTY:-d}|${SET:-d}', vars), 'd|d|value');
    assert.equal(interpolate('${UNSET-d}|${EMPTY-d}|${SET-d}', vars), 'd||value');
  });

  it('${VAR:+r} replaces when set and non-empty, ${VAR+r} when set', () => {
    assert.equal(interpolate('${UNSET:+r}|${EMPTY:+r}|${SET:+r}', vars), '||r');
    assert.equal(interpolate('${UNSET+r}|${EMPTY+r}|${SET+r}', vars), '|r|r');
  });

  it('${VAR:?message} fails when unset or empty, ${VAR?message} only when unset, with the message', () => {
    assert.throws(() => interpolate('${EMPTY:?set EMPTY first}', vars), /required variable EMPTY is missing a value: set EMPTY first/);
    assert.throws(() => interpolate('${UNSET?needed}', vars), /required variable UNSET is missing a value: needed/);
    assert.equal(interpolate('${EMPTY?needed}|${SET:?x}', vars), '|value');
  });

  it('defaults are interpolated in turn: ${A:-${B:-c}}', () => {
    assert.equal(interpolate('${UNSET:-${ALSO_UNSET:-inner}}-${UNSET:-$SET}', vars), 'inner-value');
  });

  it('an unset variable without default is blank and reported', () => {
    const unset = new Set<string>();
    assert.equal(interpolate('[$UNSET][${OTHER}]', vars, unset), '[][]');
    assert.deepEqual([...unset].sort(), ['OTHER', 'UNSET']);
  });

  it('a $ that starts no variable is an error, as in Compose', () => {
    assert.throws(() => interpolate('echo $1', vars), /invalid interpolation format in "echo \$1": a "\$" must start a variable/);
    assert.throws(() => interpolate('${SET', vars), /"\$\{" without its closing "\}"/);
    assert.throws(() => interpolate('${SET!x}', vars), /after the name/);
  });
});

describe('.env files: parseDotenv()', () => {
  it('reads KEY=value lines with export, comments, quotes, escapes and interpolation', () => {
    const text = [
      '# a comment',
      'export PLAIN=value # an inline comment',
      'HASH=a#b',
      "SINGLE='kept $PLAIN \\n as is'",
      'DOUBLE="line1\\nline2 $PLAIN \\$x"',
      'MULTI="first',
      'second"',
      'YAML: style',
      'REF=${PLAIN}-${FROM_SHELL:-none}',
      'EMPTY=',
    ].join('\n');
    const values = parseDotenv(text, '.env', lookup({}));
    assert.deepEqual(Object.fromEntries(values), {
      PLAIN: 'value', HASH: 'a#b', SINGLE: 'kept $PLAIN \\n as is', DOUBLE: 'line1\nline2 value $x', MULTI: 'first\nsecond',
      YAML: 'style', REF: 'value-none', EMPTY: '',
    });
  });

  it('looks variables up in the shell first, then in earlier lines; a bare KEY takes the shell\'s value or is left out', () => {
    const values = parseDotenv('A=file\nB=$A\nINHERITED\nMISSING\n', '.env', lookup({ A: 'shell', INHERITED: 'from-shell' }));
    assert.deepEqual(Object.fromEntries(values), { A: 'file', B: 'shell', INHERITED: 'from-shell' });
  });

  it('reports bad lines with their line numbers', () => {
    assert.deepEqual(problemsOf(() => parseDotenv('OK=1\n\nnot a line\nQ="open\n', 'app.env', lookup({}))), [
      'app.env:3: "not a line": expected "=" after not',
      'app.env:4: the value of Q has no closing "',
    ]);
  });
});

describe('reading a Compose file: readComposeFile()', () => {
  it('interpolates from the shell over .env, and --env-file replaces .env', () => {
    const file = composeProject({
      'compose.yaml': 'services:\n  web:\n    image: "busybox:${TAG}"\n    environment:\n      WHO: ${WHO:-nobody}\n',
      '.env': 'TAG=from-dotenv\nWHO=dotenv\n',
      'other.env': 'TAG=from-other\n',
    });
    const read = (env: Record<string, string>, envFile?: string) => readComposeFile(file, { env, envFile }).data as { services: { web: { image: string; environment: { WHO: string } } } };
    assert.equal(read({}).services.web.image, 'busybox:from-dotenv');
    assert.equal(read({ TAG: 'from-shell' }).services.web.image, 'busybox:from-shell', 'the shell wins over .env');
    assert.equal(read({}).services.web.environment.WHO, 'dotenv');
    const other = read({}, path.join(path.dirname(file), 'other.env'));
    assert.equal(other.services.web.image, 'busybox:from-other');
    assert.equal(other.services.web.environment.WHO, 'nobody', '.env is not read when --env-file names another file');
  });

  it('resolves anchors and merge keys, keeping the explicit keys, and knows every key\'s line', () => {
    const file = composeProject({
      'compose.yaml': [
        'x-base: &base', //               1
        '  restart: always', //           2
        '  user: "1000"', //              3
        'services:', //                   4
        '  web:', //                      5
        '    <<: *base', //               6
        '    image: busybox', //          7
        '    user: "2000"', //            8
        '    ports:', //                  9
        '      - "80:80"', //            10
        '      - target: 81', //         11
      ].join('\n'),
    });
    const source = readComposeFile(file, { env: {} });
    const web = (source.data as { services: { web: Record<string, unknown> } }).services.web;
    assert.deepEqual(web, { image: 'busybox', user: '2000', ports: ['80:80', { target: 81 }], restart: 'always' });
    assert.equal(source.lineOf(['services', 'web', 'image']), 7);
    assert.equal(source.lineOf(['services', 'web', 'restart']), 2, 'a merged key is where the anchor writes it');
    assert.equal(source.lineOf(['services', 'web', 'ports', 1]), 11);
    assert.equal(source.lineOf(['services', 'web', 'ports', 1, 'target']), 11);
    assert.equal(source.lineOf(['services', 'web', 'nothing', 'here']), 5, 'a missing key falls back to its nearest ancestor');
  });

  it('fails with the line of a YAML error, of a bad template and of a required variable', () => {
    const bad = composeProject({ 'compose.yaml': 'services:\n  web:\n    image: [busybox\n' });
    assert.match(problemsOf(() => readComposeFile(bad, { env: {}, displayFile: 'compose.yaml' }))[0], /^compose\.yaml:\d+: not valid YAML: /);
    const templates = composeProject({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n    command: echo $1\n    environment:\n      A: ${NEEDED:?set NEEDED}\n' });
    assert.deepEqual(problemsOf(() => readComposeFile(templates, { env: {}, displayFile: 'compose.yaml' })), [
      'compose.yaml:4: services.web.command: invalid interpolation format in "echo $1": a "$" must start a variable ($VAR or ${VAR}); write "$$" for a literal "$"',
      'compose.yaml:6: services.web.environment.A: required variable NEEDED is missing a value: set NEEDED',
    ]);
  });

  it('notes each unset variable once, at its first use', () => {
    const file = composeProject({ 'compose.yaml': 'services:\n  web:\n    image: busybox:${TAG}\n    labels:\n      a: ${TAG}\n' });
    const source = readComposeFile(file, { env: {} });
    assert.deepEqual(source.notes.map((n) => `${n.line}: ${n.message}`), ['3: the variable TAG is not set; a blank string is used, as Compose does']);
  });
});

describe('command strings: splitShellWords()', () => {
  it('splits like a POSIX shell without running one', () => {
    assert.deepEqual(splitShellWords(`sh -c 'echo "a b" && exit 1'`), ['sh', '-c', 'echo "a b" && exit 1']);
    assert.deepEqual(splitShellWords('a\\ b "c \\"d\\"" e\'\'f \'\''), ['a b', 'c "d"', 'ef', '']);
    assert.equal(splitShellWords('unclosed "quote'), undefined);
  });
});

describe('normalizing Compose keys: normalizeCompose()', () => {
  function model(yaml: string, files: Record<string, string> = {}, env: Record<string, string> = {}) {
    return normalizeCompose(readComposeFile(composeProject({ 'compose.yaml': yaml, ...files }), { env }));
  }

  it('reads every short and long port syntax, ranges one mapping per port', () => {
    const m = model('services:\n  web:\n    image: x\n    ports:\n      - 80\n      - "8080:80"\n      - "127.0.0.1:8443:443/tcp"\n      - "[::1]:53:53/udp"\n      - "127.0.0.1::9000"\n      - "9000-9001:7000-7001"\n      - target: 81\n        published: "8081"\n        host_ip: 0.0.0.0\n        protocol: udp\n        mode: host\n');
    assert.deepEqual(m.services[0].ports.map(({ where, ...p }) => p), [
      { container: 80, host: undefined, protocol: 'tcp', hostIp: undefined },
      { container: 80, host: 8080, protocol: 'tcp', hostIp: undefined },
      { container: 443, host: 8443, protocol: 'tcp', hostIp: '127.0.0.1' },
      { container: 53, host: 53, protocol: 'udp', hostIp: '::1' },
      { container: 9000, host: undefined, protocol: 'tcp', hostIp: '127.0.0.1' },
      { container: 7000, host: 9000, protocol: 'tcp', hostIp: undefined },
      { container: 7001, host: 9001, protocol: 'tcp', hostIp: undefined },
      { container: 81, host: 8081, protocol: 'udp', hostIp: '0.0.0.0' },
    ]);
    assert.deepEqual(m.unsupported, []);
  });

  it('reads named volumes, binds (resolved against the file) and tmpfs in both syntaxes', () => {
    const file = composeProject({ 'compose.yaml': 'services:\n  web:\n    image: x\n    volumes:\n      - data:/data:ro\n      - ./conf:/conf\n      - /etc/ssl:/etc/ssl:ro,cached\n      - type: tmpfs\n        target: /cache\n        tmpfs:\n          size: 1048576\n      - type: bind\n        source: ./logs\n        target: /logs\n        read_only: true\n    tmpfs:\n      - /run:size=8m,noexec\nvolumes:\n  data:\n' });
    const m = normalizeCompose(readComposeFile(file, { env: {} }));
    const dir = path.dirname(file);
    assert.deepEqual(m.services[0].mounts.map(({ where, ...x }) => x), [
      { type: 'volume', volume: 'data', target: '/data', readOnly: true },
      { type: 'bind', source: path.join(dir, 'conf'), written: './conf', target: '/conf', readOnly: false },
      { type: 'bind', source: '/etc/ssl', written: '/etc/ssl', target: '/etc/ssl', readOnly: true },
      { type: 'tmpfs', target: '/cache', size: '1MiB' },
      { type: 'bind', source: path.join(dir, 'logs'), written: './logs', target: '/logs', readOnly: true },
      { type: 'tmpfs', target: '/run', size: '8m' },
    ]);
    assert.deepEqual(m.notes.map((n) => n.path), ['services.web.volumes[1]', 'services.web.volumes[2] mode cached', 'services.web.volumes[4]']);
  });

  it('reads depends_on, networks, secrets, healthcheck and restart in every syntax', () => {
    const m = model([
      'services:',
      '  db: { image: x }',
      '  web:',
      '    image: x',
      '    depends_on: [db]',
      '    networks: [front]',
      '    secrets: [pw]',
      '    healthcheck: { test: curl -f http://localhost }',
      '    restart: on-failure:5',
      '  job:',
      '    image: x',
      '    depends_on:',
      '      db: { condition: service_healthy, restart: true }',
      '      web: { condition: service_completed_successfully }',
      '      gone: { condition: service_started, required: false }',
      '    networks:',
      '      front: { aliases: [a, b] }',
      '      default:',
      '    secrets:',
      '      - source: pw',
      '        target: custom',
      '      - source: pw',
      '        target: /etc/pw',
      '    healthcheck: { test: ["CMD", "true"], interval: 1m30s, retries: 2 }',
      '    deploy: { restart_policy: { condition: any } }',
      'networks: { front: }',
      'secrets: { pw: { environment: PW } }',
    ].join('\n'));
    const [, web, job] = m.services;
    assert.deepEqual(web.dependsOn.map((d) => `${d.service}:${d.condition}`), ['db:started']);
    assert.deepEqual(job.dependsOn.map((d) => `${d.service}:${d.condition}`), ['db:healthy', 'web:completed']);
    assert.deepEqual(web.networks?.map((n) => `${n.network}:${n.aliases.join('+')}`), ['front:']);
    assert.deepEqual(job.networks?.map((n) => `${n.network}:${n.aliases.join('+')}`), ['front:a+b', 'default:']);
    assert.deepEqual(job.secrets.map((s) => s.target), ['/run/secrets/custom', '/etc/pw']);
    assert.deepEqual(web.healthcheck?.test, { kind: 'shell', script: 'curl -f http://localhost' });
    assert.deepEqual({ ...job.healthcheck, where: undefined }, { where: undefined, test: { kind: 'command', argv: ['true'] }, interval: '1m30s', timeout: undefined, retries: 2, startPeriod: undefined });
    assert.deepEqual({ ...web.restart, where: undefined }, { where: undefined, policy: 'on-failure', maxRetries: 5 });
    assert.equal(job.restart?.policy, 'always', 'deploy.restart_policy any is the engine\'s always, as Compose maps it');
    assert.deepEqual(m.notes.map((n) => n.reason), ['gone is not a service of the file and not required; ignored, as Compose does']);
  });

  it('environment wins over env_file; a name without a value passes the variable through or is left out', () => {
    const m = model('services:\n  web:\n    image: x\n    env_file: [a.env, { path: missing.env, required: false }]\n    environment:\n      - B=from-environment\n      - PASSED\n      - UNSET\n', { 'a.env': 'A=from-file\nB=from-file\nC=${FROM_SHELL}\n' }, { FROM_SHELL: 'shell', PASSED: 'passed' });
    assert.deepEqual(m.services[0].environment, { A: 'from-file', C: 'shell', B: 'from-environment', PASSED: 'passed' });
    assert.deepEqual(m.notes.map((n) => `${n.line}: ${n.reason}`), [
      '4: the env file missing.env does not exist and is not required; skipped, as Compose does',
      '7: PASSED takes its value from the environment; the program has the value it had when imported',
      '8: UNSET takes its value from the environment, where it is not set; left out, as Compose does',
    ]);
  });

  it('reads deploy and the service-level limits', () => {
    const m = model('services:\n  a:\n    image: x\n    deploy:\n      replicas: 3\n      resources:\n        limits: { cpus: "1.5", memory: 512M, pids: 64 }\n        reservations: { memory: 268435456 }\n      update_config: { parallelism: 2, order: start-first, failure_action: pause }\n  b:\n    image: x\n    scale: 2\n    cpus: 0.25\n    mem_limit: 1g\n    mem_reservation: 512m\n    pids_limit: -1\n');
    const [a, b] = m.services;
    assert.equal(a.replicas, 3);
    assert.deepEqual({ ...a.resources, where: undefined }, { cpus: 1.5, memory: '512M', memoryReservation: '256MiB', pids: 64, where: undefined });
    assert.deepEqual({ ...a.update, where: undefined }, { batchSize: 2, order: 'start-first', failureAction: 'pause', where: undefined });
    assert.equal(b.replicas, 2);
    assert.deepEqual({ ...b.resources, where: undefined }, { cpus: 0.25, memory: '1g', memoryReservation: '512m', where: undefined });
    assert.deepEqual(m.notes.map((n) => n.reason), ['-1 means no limit; none is set']);
  });

  it('refuses what Compose refuses, listing every problem with its line', () => {
    const yaml = 'services:\n  a:\n    command: x\n  b:\n    image: x\n    volumes: [nope:/data]\n    depends_on: [c]\n    ports: ["http"]\n    restart: sometimes\n';
    assert.deepEqual(problemsOf(() => model(yaml)).map((p) => p.replace(/^\S+compose\.yaml/, 'compose.yaml')), [
      'compose.yaml:2: services.a: the service has neither image nor build',
      'compose.yaml:8: services.b.ports[0]: "http" is not a port mapping ([HOST_IP:][HOST:]CONTAINER[/PROTOCOL])',
      'compose.yaml:6: services.b.volumes[0]: the volume "nope" is not declared under the top-level volumes',
      'compose.yaml:7: services.b.depends_on[0]: depends on "c", which is not a service of the file',
      'compose.yaml:9: services.b.restart: "sometimes" is not a restart policy (no, always, on-failure[:N] or unless-stopped)',
    ]);
  });
});

describe('hoist import compose: the program', () => {
  for (const name of FIXTURE_NAMES) {
    it(`importCompose() of the ${name} fixture matches its snapshot`, () => {
      // Bind sources are absolute, and a path's length decides where lines break: import a copy
      // in a directory whose path has the same length everywhere, then name it <fixture>.
      const dir = fs.mkdtempSync('/tmp/hoist-compose-');
      fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
      const result = importCompose({ composeFile: path.join(dir, 'compose.yaml'), outputFile: path.join(dir, 'main.ts'), env: ENV, stackName: name });
      matchSnapshot(`import-compose-${name}.main.ts.snap`, result.text.split(dir).join('<fixture>'));
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }

  it('the same file gives the same program, byte for byte, whatever the order of the environment', () => {
    const first = importFixture('shop').text;
    const second = importFixture('shop', { env: Object.fromEntries(Object.entries({ ...ENV, ZZZ: '1', AAA: '2' }).reverse()) }).text;
    assert.equal(second, first);
  });

  it('lists every key Hoist cannot express with its file and line, and as a comment above its construct', () => {
    const result = importFixture('unsupported');
    const lines = result.unsupported.map((f) => formatUnsupported('compose.yaml', f));
    const expected = [
      'compose.yaml:3: include: Hoist reads one Compose file; import the included files one by one, not imported',
      'compose.yaml:9: services.agent.privileged: Hoist never runs privileged containers (CIS Docker 5.4), not imported',
      'compose.yaml:10: services.agent.network_mode: services join the stack\'s own networks; Hoist never uses the host\'s network, none, or another container\'s (CIS Docker 5.9), not imported',
      'compose.yaml:11: services.agent.pid: Hoist never shares the host\'s or another container\'s PID namespace (CIS Docker 5.15), not imported',
      'compose.yaml:12: services.agent.devices: Hoist gives containers no host devices, not imported',
      'compose.yaml:14: services.agent.extra_hosts: Hoist adds no /etc/hosts entries, not imported',
      'compose.yaml:16: services.agent.ulimits: Hoist sets no ulimits (resources.pids limits processes), not imported',
      'compose.yaml:18: services.agent.sysctls: Hoist sets no namespaced kernel parameters, not imported',
      'compose.yaml:20: services.agent.stop_signal: Hoist stops containers with the image\'s STOPSIGNAL (SIGTERM unless the image sets one), not imported',
      'compose.yaml:21: services.agent.configs: Hoist has no configs; deliver the file as a Secret (`secret.asFile(path)`) or a bind mount, not imported',
      'compose.yaml:23: services.agent.init: Hoist runs no init process in containers; use an image whose entrypoint is one (tini, dumb-init), not imported',
      'compose.yaml:24: services.agent.hostname: Hoist leaves the container\'s host name to the engine (its id); other services reach it by service name, not imported',
      'compose.yaml:25: services.agent.expose: it only records ports in the image metadata; services on a shared network reach each other on every port, not imported',
      'compose.yaml:28: services.agent.security_opt[0]: Hoist keeps the engine\'s default AppArmor, seccomp and SELinux profiles, not imported',
      'compose.yaml:30: services.agent.logging: options for the engine\'s default log driver: Hoist needs the driver named (driver: json-file, say), not imported',
      'compose.yaml:34: services.agent.labels.hoist.owner: label keys starting with "hoist." are Hoist\'s own, not imported',
      'compose.yaml:35: services.agent.tty: Hoist runs services without a terminal, not imported',
      'compose.yaml:36: services.agent.not_a_key: not a key of the Compose specification, not imported',
      'compose.yaml:41: services.app.build.ssh: Hoist forwards no SSH agent into builds, not imported',
      'compose.yaml:42: services.app.build.cache_from: Hoist reuses the builder\'s own cache and never rebuilds unchanged inputs, not imported',
      'compose.yaml:43: services.app.links: services on a shared network reach each other by service name; give other names as network aliases, not imported',
      'compose.yaml:46: services.app.ports[0]: a range of host ports for one container port lets the engine pick one; Hoist publishes fixed ports or lets the engine pick any, not imported',
      'compose.yaml:47: services.app.ports[1]: Hoist publishes tcp and udp ports, not sctp, not imported',
      'compose.yaml:50: services.app.ports[2].app_protocol: Hoist ports carry no application protocol, not imported',
      'compose.yaml:52: services.app.volumes[0]: an anonymous volume: Hoist mounts named volumes, binds and tmpfs; declare a named volume for this path, not imported',
      'compose.yaml:53: services.app.volumes[1] mode nocopy: Hoist lets the engine copy the image\'s files into an empty volume, not imported',
      'compose.yaml:54: services.app.volumes[2] mode z: Hoist does not relabel bind mounts for SELinux, not imported',
      'compose.yaml:55: services.app.volumes[3]: the volume shared is external: Hoist mounts only volumes the stack creates (<stack>-<name>), not imported',
      'compose.yaml:58: services.app.secrets[0].uid: Hoist writes secret files owned by the container\'s user, not imported',
      'compose.yaml:59: services.app.secrets[0].gid: Hoist writes secret files owned by the container\'s user, not imported',
      'compose.yaml:60: services.app.secrets[0].mode: Hoist writes secret files with mode 0600, not imported',
      'compose.yaml:62: services.app.networks.outside: the network outside is external: Hoist attaches services only to networks the stack creates, not imported',
      'compose.yaml:63: services.app.networks.outside.ipv4_address: Hoist lets the engine assign addresses, not imported',
      'compose.yaml:66: services.app.healthcheck.start_interval: Hoist\'s health checks have no separate interval during the start period, not imported',
      'compose.yaml:68: services.app.deploy.mode: Hoist runs a number of replicas (replicated), not one per node (global), not imported',
      'compose.yaml:69: services.app.deploy.placement: the program places every service on the inventory\'s first host, not imported',
      'compose.yaml:73: services.app.deploy.restart_policy.delay: Hoist\'s restart policies wait as the engine does, not imported',
      'compose.yaml:77: volumes.data.labels: Hoist labels the volumes it creates itself, not imported',
      'compose.yaml:90: configs: Hoist has no configs; deliver files as Secrets (`secret.asFile(path)`) or bind mounts, not imported',
    ];
    assert.deepEqual(lines, expected);
    // The line numbers point at the keys themselves.
    const fileLines = fs.readFileSync(path.join(FIXTURES, 'unsupported', 'compose.yaml'), 'utf8').split('\n');
    for (const finding of result.unsupported) {
      const leaf = finding.path.replace(/ .*$/, '').replace(/\[\d+\]$/, '').split('.').pop()!;
      const line = fileLines[finding.line - 1];
      assert.ok(line.includes(leaf) || /^\s*- /.test(line), `line ${finding.line} (${JSON.stringify(line)}) is where ${finding.path} is`);
    }
    // And each is a comment above the construct it belongs to (or in the header).
    const comments = result.text.replace(/\n\/\/ /g, ' ').replace(/\n \* /g, ' ');
    for (const finding of result.unsupported) {
      assert.ok(comments.includes(`compose: ${finding.key} not imported (${finding.reason})`), `the program says ${finding.key} is not imported`);
    }
    assert.match(result.text, /\/\/ compose: privileged not imported \(Hoist never runs privileged containers \(CIS Docker 5\.4\)\)\n(\/\/ .*\n)*const agent = new Service/);
  });

  it('skips services whose profiles are not active, and imports them with --profile or COMPOSE_PROFILES', () => {
    const without = importFixture('shop');
    assert.deepEqual(without.imported.services, ['db', 'cache', 'migrate', 'web']);
    assert.deepEqual(without.skipped.map((f) => `${f.line}: ${f.path}: ${f.reason}`), ['101: services.debug: its profile (debug) is not active; pass --profile debug to import it']);
    assert.deepEqual(importFixture('shop', { profiles: ['debug'] }).imported.services, ['db', 'cache', 'migrate', 'web', 'debug']);
    assert.deepEqual(importFixture('shop', { env: { ...ENV, COMPOSE_PROFILES: 'other,debug' } }).imported.services, ['db', 'cache', 'migrate', 'web', 'debug']);
  });

  it('names the stack as Compose names the project: --stack, COMPOSE_PROJECT_NAME, name:, the directory', () => {
    assert.equal(importFixture('shop', { stackName: 'given' }).stackName, 'given');
    assert.equal(importFixture('shop', { env: { ...ENV, COMPOSE_PROJECT_NAME: 'From_Env' } }).stackName, 'from_env');
    assert.equal(importFixture('shop').stackName, 'shop');
    assert.equal(importFixture('homelab').stackName, 'homelab');
  });

  it('gives clashing names their own ids and variables, keeping the Compose names on the hosts', () => {
    const file = composeProject({
      'compose.yaml': 'services:\n  db:\n    image: x\n    volumes: [db:/data]\n    networks: [db]\n    secrets: [db]\n  hosts:\n    image: x\n    networks: [db]\n  default:\n    image: x\nvolumes: { db: }\nnetworks: { db: }\nsecrets: { db: { environment: DB } }\n',
    });
    const { text } = importCompose({ composeFile: file, outputFile: path.join(path.dirname(file), 'main.ts'), env: {} });
    assert.match(text, /const dbVolume = new Volume\(stack, 'db-volume', \{ volumeName: 'db' \}\);/);
    assert.match(text, /const dbNetwork = new Network\(stack, 'db-network', \{ networkName: 'db' \}\);/);
    assert.match(text, /const dbSecret = Secret\.fromEnv\(stack, 'db-secret', 'DB', \{ secretName: 'db' \}\);/);
    assert.match(text, /const defaultNetwork = new Network\(stack, 'default-network', \{ networkName: 'default' \}\);/);
    assert.match(text, /const db = new Service\(stack, 'db', \{/);
    assert.match(text, /const hostsService = new Service\(stack, 'hosts-service', \{\n  serviceName: 'hosts',/);
    assert.match(text, /const defaultService = new Service\(stack, 'default', \{\n  image/);
  });

  it('refuses a dependency cycle, as Compose does', () => {
    const file = composeProject({ 'compose.yaml': 'services:\n  a: { image: x, depends_on: [b] }\n  b: { image: x, depends_on: [a] }\n' });
    const problems = problemsOf(() => importCompose({ composeFile: file, outputFile: path.join(path.dirname(file), 'main.ts'), env: {} }));
    assert.equal(problems.length, 2);
    assert.match(problems[0], /compose\.yaml:2: services\.a: depends_on forms a cycle with b/);
  });
});

describe('hoist import compose: the generated programs compile and synthesize', () => {
  it('every fixture\'s program type-checks against the public API', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-compose-tsc-'));
    const files = FIXTURE_NAMES.map((name) => {
      const file = path.join(dir, `${name}.ts`);
      fs.writeFileSync(file, importFixture(name).text);
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true, noEmit: true, noUnusedLocals: false, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true, skipLibCheck: true, types: ['node'],
      typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')], baseUrl: REPO_ROOT, paths: { hoist: ['lib/index.ts'] },
      ignoreDeprecations: '6.0',
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || files.includes(path.resolve(d.file.fileName)));
    assert.deepEqual(diagnostics.map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`), []);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const name of FIXTURE_NAMES) {
    it(`hoist import compose then hoist synth: the ${name} fixture becomes a valid graph`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hoist-compose-${name}-`));
      fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
      linkHoist(dir);
      fs.writeFileSync(path.join(dir, 'inventory.json'), JSON.stringify({ hosts: [{ name: 'box', address: '203.0.113.7', engine: 'docker' }] }));
      const env = { ...ENV, HOIST_INVENTORY: undefined, HOIST_SANDBOX: undefined, HOIST_FINGERPRINT_KEY: 'compose-import-test', COMPOSE_PROFILES: undefined, COMPOSE_PROJECT_NAME: undefined };
      // The copy's directory has another name: keep the stack's.
      const imported = runHoist(['import', 'compose', 'compose.yaml', '--stack', name], { cwd: dir, env });
      assert.equal(imported.status, 0, imported.stderr);
      const synth = runHoist(['synth'], { cwd: dir, env });
      assert.equal(synth.status, 0, `${synth.stdout}\n${synth.stderr}`);
      const graph = JSON.parse(fs.readFileSync(path.join(dir, 'hoist.out', 'graph.json'), 'utf8')) as GraphDocument;
      const stack = onlyStack(graph);
      assert.deepEqual([...new Set(containers(stack).map((c) => c.host))], ['box'], 'every service on the first host');
      if (name === 'shop') checkShopGraph(containers(stack));
      if (name === 'homelab') checkHomelabGraph(containers(stack));
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }
});

/** What the shop's compose.yaml says, as the graph has it. */
function checkShopGraph(list: ContainerResource[]): void {
  const byName = new Map(list.map((c) => [c.spec.name, c.spec]));
  assert.deepEqual([...byName.keys()].sort(), ['shop-cache-1', 'shop-db-1', 'shop-migrate-1', 'shop-web-1']);
  const web = byName.get('shop-web-1')!;
  assert.deepEqual(web.ports, [{ hostIp: '0.0.0.0', hostPort: 18100, containerPort: 8080, protocol: 'tcp' }]);
  assert.deepEqual(web.env, { CACHE_URL: 'http://cache:6379/', CURRENCY: 'EUR', DATABASE_HOST: 'database', FEATURE_FLAGS: 'search', LOG_LEVEL: 'debug', SHOP_NAME: 'Busybox Shop' });
  assert.deepEqual(web.healthcheck, { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'], intervalMs: 5000, timeoutMs: 3000, retries: 5, startPeriodMs: 2000 });
  assert.deepEqual(web.restart, { policy: 'unless-stopped', maxRetries: 0 });
  assert.deepEqual(web.networks.map((n) => n.name), ['shop-backend', 'shop-frontend']);
  assert.deepEqual(web.logging, { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '2' } });
  const db = byName.get('shop-db-1')!;
  assert.deepEqual(db.command, ['sh', '-c', 'mkdir -p /data/www && echo ok > /data/www/index.html && exec httpd -f -p 5432 -h /data/www']);
  assert.deepEqual(db.networks.map((n) => n.aliases), [['database', 'db', 'postgres']]);
  assert.deepEqual(db.secrets.map((s) => s.target), ['/run/secrets/db_password']);
  assert.equal(db.env.POSTGRES_USER, 'shopper', 'from .env');
  const migrate = byName.get('shop-migrate-1')!;
  assert.deepEqual(migrate.restart, { policy: 'no', maxRetries: 0 }, 'Compose restarts nothing unless asked');
  assert.deepEqual(migrate.secrets.map((s) => s.target), ['/etc/shop/db-password']);
  const dependencies = list.find((c) => c.spec.name === 'shop-web-1')!.dependsOn.filter((d) => d.id.startsWith('container:')).map((d) => `${d.id.replace(/#.*$/, '')}:${d.condition}`).sort();
  assert.deepEqual(dependencies, ['container:shop/cache:started', 'container:shop/db:healthy', 'container:shop/migrate:completed']);
}

/** What the homelab's compose.yaml says, as the graph has it. */
function checkHomelabGraph(list: ContainerResource[]): void {
  const dashboard = list.find((c) => c.spec.name === 'homelab-dashboard-1')!.spec;
  assert.deepEqual(dashboard.resources, { nanoCpus: 500_000_000, memoryBytes: 64 * 1024 * 1024, memoryReservationBytes: 32 * 1024 * 1024, pidsLimit: 100 });
  assert.equal(dashboard.readOnlyRootFilesystem, true);
  assert.deepEqual([dashboard.capAdd, dashboard.capDrop, dashboard.noNewPrivileges], [['NET_BIND_SERVICE'], ['ALL'], true]);
  assert.deepEqual(dashboard.mounts.map((m) => `${m.type}:${m.target}`), ['bind:/config', 'bind:/etc/localtime', 'tmpfs:/run', 'tmpfs:/tmp']);
  assert.equal(dashboard.labels['traefik.http.routers.dashboard.rule'], 'Host(`dash.home.arpa`)');
  assert.equal(dashboard.stopTimeoutSeconds, 5);
  const syncers = list.filter((c) => c.spec.service === 'syncer').map((c) => c.spec);
  assert.equal(syncers.length, 2, 'scale: 2');
  assert.deepEqual(syncers[0].restart, { policy: 'on-failure', maxRetries: 3 });
  assert.deepEqual(syncers[0].entrypoint, ['/bin/sh', '-c']);
}

describe('hoist import compose: the command', () => {
  it('writes main.ts, says what it wrote and what it did not import, and refuses to overwrite without --force', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-compose-cli-'));
    fs.cpSync(path.join(FIXTURES, 'unsupported'), dir, { recursive: true });
    const first = runHoist(['import', 'compose', 'compose.yaml', '--stack', 'odd'], { cwd: dir, env: {} });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^Wrote main\.ts: stack "odd": 2 services \(agent, app\), 1 volume, 0 networks, 1 secret$/m);
    assert.match(first.stdout, /^Not imported \(39\):$/m);
    assert.match(first.stdout, /^ {2}compose\.yaml:9: services\.agent\.privileged: Hoist never runs privileged containers \(CIS Docker 5\.4\), not imported$/m);
    assert.match(first.stdout, /^Notes \(3\):$/m);
    assert.ok(fs.readFileSync(path.join(dir, 'main.ts'), 'utf8').includes("new Stack(app, 'odd'"));
    const again = runHoist(['import', 'compose', 'compose.yaml'], { cwd: dir, env: {} });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /error: main\.ts already exists; nothing was written \(pass --force to overwrite it, or -o to write another file\)/);
    const forced = runHoist(['import', 'compose', 'compose.yaml', '--force', '--stack', 'other'], { cwd: dir, env: {} });
    assert.equal(forced.status, 0, forced.stderr);
    assert.ok(fs.readFileSync(path.join(dir, 'main.ts'), 'utf8').includes("new Stack(app, 'other'"));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('-o - prints the program on stdout and everything else on stderr; --profile imports a profile\'s services', () => {
    const r = runHoist(['import', 'compose', path.join(FIXTURES, 'shop', 'compose.yaml'), '-o', '-', '--profile', 'debug'], { env: ENV });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\/\*\*\n \* Imported from /);
    assert.match(r.stdout, /const debug = new Service\(stack, 'debug', \{/);
    assert.match(r.stderr, /^Printed: stack "shop" with profiles debug: 5 services \(db, cache, migrate, web, debug\), 2 volumes, 2 networks, 2 secrets$/m);
  });

  it('without ts-morph (an optional dependency) it says how to install it and writes nothing', () => {
    // An installation of this checkout whose node_modules lacks ts-morph.
    const install = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-compose-no-ts-morph-'));
    temporary.push(install);
    for (const entry of ['bin', 'dist', 'package.json']) fs.symlinkSync(path.join(REPO_ROOT, entry), path.join(install, entry));
    fs.mkdirSync(path.join(install, 'node_modules'));
    for (const entry of fs.readdirSync(path.join(REPO_ROOT, 'node_modules'))) {
      if (entry !== 'ts-morph') fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', entry), path.join(install, 'node_modules', entry));
    }
    const out = path.join(install, 'main.ts');
    const r = spawnSync(process.execPath, ['--preserve-symlinks', '--preserve-symlinks-main', path.join(install, 'bin', 'hoist.js'), 'import', 'compose', path.join(FIXTURES, 'homelab', 'compose.yaml'), '-o', out], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: hoist import writes TypeScript through ts-morph, an optional dependency that is not installed here; run "npm install ts-morph" in the project/m);
    assert.equal(fs.existsSync(out), false);
  });

  it('a file Compose would refuse is an error naming each problem\'s line, and nothing is written', () => {
    const file = composeProject({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n    ports: ["80:http"]\n' });
    const r = runHoist(['import', 'compose', 'compose.yaml'], { cwd: path.dirname(file), env: {} });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error: cannot import compose\.yaml; nothing was written:\n {2}compose\.yaml:4: services\.web\.ports\[0\]: "80:http" is not a port mapping/);
    assert.equal(fs.existsSync(path.join(path.dirname(file), 'main.ts')), false);
  });
});

describe('docs/compose-import.md', () => {
  it('names every key the import reports as not imported', () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'compose-import.md'), 'utf8');
    const keys = [UNSUPPORTED_SERVICE_KEYS, UNSUPPORTED_BUILD_KEYS, UNSUPPORTED_DEPLOY_KEYS, UNSUPPORTED_TOP_LEVEL_KEYS].flatMap((table) => Object.keys(table));
    assert.deepEqual(keys.filter((key) => !doc.includes(`\`${key}\``)), []);
  });
});
