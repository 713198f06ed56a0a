/**
 * Reliability item 15: a start-first rollout never leaves a service without a ready replica,
 * seen from where it matters most, a client in the same network that reaches it by its
 * network alias. A poller container asks `http://api:8080/` every 50 ms (a fresh DNS lookup
 * each time) while `hoist apply` replaces the service start-first; every answer
 * must be a version, never a failure, and the new version must answer at the end.
 */
import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HostSpec } from '../../lib/graph/graph-document';
import { openAllHosts, OpenHost } from '../../lib/drivers/open-host';
import { runHoist, REPO_ROOT } from '../helpers/cli';
import { readContainerFiles } from '../helpers/container-files';
import { tempProject } from '../helpers/project';
import { removeStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory, sshRun } from '../helpers/sandbox';

const STACK = 'rra';
/** The poller stops after this many requests or this many seconds: bounded even if the test dies. */
const MAX_POLLS = 5000;
const MAX_POLL_SECONDS = 600;

/**
 * The poller's loop: one line per request (when, which address, the answer or FAIL and why),
 * until MAX_POLLS requests were made or MAX_POLL_SECONDS passed. The image's busybox is static
 * glibc, whose getaddrinfo needs NSS libraries the image lacks (wget by name crashes), so the
 * name is looked up with busybox's own resolver (nslookup, a fresh query each time, nothing
 * cached) and the request goes to the first address, as a client library would. (This
 * busybox's `wget -T` crashes too, hence `timeout`.) Fixed text; nothing comes from data.
 */
const POLLER = `read up rest < /proc/uptime; end=$((\${up%.*} + ${MAX_POLL_SECONDS})); n=0; ` +
  `while [ $n -lt ${MAX_POLLS} ] && [ \${up%.*} -lt $end ]; do ` +
  'read up rest < /proc/uptime; ' +
  'ip=$(nslookup -type=a api 2>/dev/null | sed -n "s/^Address: *\\([0-9.]*\\)$/\\1/p" | head -n 1); ' +
  'if [ -z "$ip" ]; then echo "$up - FAIL no address" >> /tmp/polls; ' +
  'elif out=$(timeout 2 wget -q -O - "http://$ip:8080/" 2>&1); then echo "$up $ip $out" >> /tmp/polls; ' +
  'else echo "$up $ip FAIL $(echo $out)" >> /tmp/polls; fi; ' +
  'n=$((n+1)); sleep 0.05; done; exec sleep 3600';

/** One request of the poller: when (seconds since the machine booted: containers share its kernel), where, what came back. */
interface Poll {
  readonly at: number;
  readonly ip: string;
  readonly answer: string;
}

function parsePoll(line: string): Poll {
  const [at, ip, ...answer] = line.split(' ');
  return { at: Number(at), ip, answer: answer.join(' ') };
}

/** The user's program: the api service answers its VERSION; the poller asks it by alias. */
function program(inventoryFile: string, version: string): string {
  return `import { App, FailureAction, HealthCheck, Image, Inventory, Mount, Network, Service, Stack, UpdateOrder } from 'hoist';
const app = new App();
const stack = new Stack(app, '${STACK}');
const inventory = Inventory.fromFile(stack, 'hosts', ${JSON.stringify(inventoryFile)});
const hosts = inventory.hostsNamed('host-1', 'host-2');
const net = new Network(stack, 'net');
const api = new Service(stack, 'api', {
  image: Image.fromRegistry('busybox:latest'),
  command: ['sh', '-c', 'mkdir -p /tmp/w && echo "$VERSION" > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w'],
  environment: { VERSION: ${JSON.stringify(version)} },
  networks: [net.withAliases('api')],
  replicas: 2,
  placement: { hosts, maxPerHost: 1 },
  // A version can be made to fail its health check on one host: /run/${STACK}-flags/fail-<version>
  // there (a directory of its own: binding all of /run would expose the engine socket).
  mounts: [Mount.bind('/run/${STACK}-flags', '/flags', { readOnly: true })],
  healthCheck: HealthCheck.shell('test ! -e /flags/fail-$VERSION && wget -q -O /dev/null http://127.0.0.1:8080/', { interval: '1s', timeout: '1s', retries: 3 }),
  update: { order: UpdateOrder.START_FIRST, healthTimeout: '10s', failureAction: FailureAction.ROLLBACK },
  stopGracePeriod: '2s',
});
new Service(stack, 'poller', {
  image: Image.fromRegistry('busybox:latest'),
  command: ['sh', '-c', ${JSON.stringify(POLLER)}],
  networks: [net],
  // Polling starts once api is healthy: every request it makes must succeed.
  dependsOn: [api.whenHealthy()],
  replicas: 2,
  placement: { hosts, maxPerHost: 1 },
  stopGracePeriod: '1s',
});
app.synth();
`;
}

describe('start-first rollout behind a network alias: a client in the network never sees a failed request (Docker and Podman)', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let hosts: OpenHost[] = [];

  function writeProgram(version: string): void {
    fs.writeFileSync(path.join(dir, 'main.ts'), program(path.join(inventory.dir, 'inventory.json'), version));
  }

  async function pollerOf(open: OpenHost): Promise<string> {
    const [c] = await rawEngine(open.engine).listContainers({ filters: JSON.stringify({ label: [`hoist.stack=${STACK}`], name: [`${STACK}-poller-`] }) });
    assert.ok(c, `a poller runs on ${open.spec.name}`);
    return c.Id;
  }

  async function polls(open: OpenHost): Promise<Poll[]> {
    const files = await readContainerFiles(rawEngine(open.engine), await pollerOf(open), '/tmp/polls');
    return (files?.get('polls')?.toString('utf8') ?? '').split('\n').filter(Boolean).map(parsePoll);
  }

  /** Waits (bounded) until the poller's requests on `open` satisfy `done`. */
  async function waitPolls(open: OpenHost, done: (polls: Poll[]) => boolean, what: string): Promise<Poll[]> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const lines = await polls(open);
      if (done(lines)) return lines;
      assert.ok(Date.now() < deadline, `${open.spec.name}: ${what}; the poller logged:\n${lines.slice(-20).map(formatPoll).join('\n')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * What the engine did to the api containers and the network between two times, on the
   * poller's clock, to show beside a failed request.
   */
  async function engineEvents(open: OpenHost, since: number, until: number): Promise<string[]> {
    const bootSeconds = Date.now() / 1000 - Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const stream = await rawEngine(open.engine).getEvents({ since: Math.floor(since), until: Math.ceil(until) }) as unknown as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { timeNano?: number; time: number; Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> } })
      .filter((e) => (e.Actor.Attributes.name ?? '').startsWith(`${STACK}-api`) || (e.Type === 'network' && (e.Actor.Attributes.name ?? '').startsWith(STACK)))
      .map((e) => {
        const at = (e.timeNano ? e.timeNano / 1e9 : e.time) - bootSeconds;
        const who = e.Type === 'network' ? `network ${e.Actor.Attributes.name} container ${e.Actor.Attributes.container?.slice(0, 12)}` : e.Actor.Attributes.name;
        return `${at.toFixed(2)} engine: ${e.Type} ${e.Action} ${who}`;
      })
      .filter((e) => !/ exec_(create|start|die)/.test(e));
  }

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = tempProject({}, 'hoist-rollout-alias-');
    // The program imports 'hoist' as an installed package would.
    fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    fs.symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'hoist'));
    const specs = inventory.hosts.filter((h) => h.name === 'host-1' || h.name === 'host-2');
    writeProgram('v1');
    const synth = runHoist(['synth'], { cwd: dir });
    assert.equal(synth.status, 0, synth.stderr);
    const graph = JSON.parse(fs.readFileSync(path.join(dir, 'hoist.out', 'graph.json'), 'utf8'));
    hosts = await openAllHosts(graph.stacks[0].hosts as HostSpec[], { projectDir: dir, trustNewHosts: false });
    assert.deepEqual(hosts.map((h) => h.spec.name), specs.map((h) => h.name));
    for (const open of hosts) {
      await removeStack(open, STACK);
      assert.equal(sshRun(inventory, open.spec.name, `mkdir -p /run/${STACK}-flags`).status, 0);
    }
    const first = runHoist(['apply', '--yes'], { cwd: dir, timeoutMs: 300_000 });
    assert.equal(first.status, 0, `${first.stdout}\n${first.stderr}`);
  });

  after(async () => {
    for (const open of hosts) {
      sshRun(inventory, open.spec.name, `rm -rf /run/${STACK}-flags`);
      await removeStack(open, STACK).catch(() => undefined);
      open.close();
    }
  });

  /**
   * Applies `version` (a start-first replacement of api on both hosts) while the pollers ask
   * by alias, and returns every problem: a failed request from the apply on, too few requests
   * to mean anything, or another version than `version` answering at the end.
   */
  async function rollOut(previous: string, version: string): Promise<string[]> {
    const start = await Promise.all(hosts.map(async (open) => (await polls(open)).length));
    writeProgram(version);
    const applyStarted = Date.now() / 1000;
    const apply = runHoist(['apply', '--yes'], { cwd: dir, timeoutMs: 300_000 });
    assert.equal(apply.status, 0, `${apply.stdout}\n${apply.stderr}`);
    assert.match(apply.stdout, /replace container rra-api-\d \(start-first, batch 1\)/);
    assert.match(apply.stdout, /replace container rra-api-\d \(start-first, batch 2\)/);
    assert.doesNotMatch(apply.stdout, /poller/, 'the poller itself is not touched');
    const end = await Promise.all(hosts.map(async (open) => (await polls(open)).length));

    // After the apply, the new version answers by the alias (a few times in a row: no old replica left).
    const afterPolls = await Promise.all(hosts.map((open) => waitPolls(open, (p) => p.length >= 5 && p.slice(-5).every((x) => x.answer === version), `${version} never answered alone by its alias`)));
    const problems: string[] = [];
    for (const [i, open] of hosts.entries()) {
      const all = afterPolls[i].slice(start[i]);
      const where = `${open.spec.name} (${open.engine.info.kind})`;
      if (end[i] - start[i] < 20) problems.push(`${where}: only ${end[i] - start[i]} requests while apply ran`);
      const failed = all.filter((p) => p.answer !== previous && p.answer !== version);
      if (failed.length > 0) {
        // The requests around each failure beside what the engine did then.
        const events = await engineEvents(open, applyStarted, Date.now() / 1000);
        const near = (at: number) => (p: { at: number }) => Math.abs(p.at - at) < 1.5;
        const timeline = [...new Set(failed.flatMap((f) => [...all.filter(near(f.at)).map(formatPoll), ...events.filter((e) => near(f.at)({ at: Number(e.split(' ')[0]) }))]))]
          .sort((a, b) => Number(a.split(' ')[0]) - Number(b.split(' ')[0]));
        problems.push(`${where}: ${failed.length} of ${all.length} requests by alias failed; around them:\n${timeline.join('\n')}`);
      }
      if (all.at(-1)?.answer !== version) problems.push(`${where}: the last answer was ${all.at(-1)?.answer}, not ${version}`);
    }
    return problems;
  }

  it('hoist apply replaces api start-first on Docker and Podman while the poller, asking by alias every 50 ms, never fails and ends on the new version', async () => {
    // Polling has begun and v1 answers by its alias on both engines before anything changes.
    await Promise.all(hosts.map((open) => waitPolls(open, (p) => p.filter((x) => x.answer === 'v1').length >= 5, 'v1 never answered by its alias')));
    const problems = await rollOut('v1', 'v2');
    assert.deepEqual(problems, [], problems.join('\n\n'));
    const plan = runHoist(['plan', '--detailed-exitcode'], { cwd: dir });
    assert.equal(plan.status, 0, `the rollout converged:\n${plan.stdout}\n${plan.stderr}`);
  });

  it('hoist apply of a version never healthy on host-2 keeps it out of the alias there, and the rollback on host-1 gives the previous version its alias back', async () => {
    const [docker, podman] = hosts;
    assert.equal(sshRun(inventory, podman.spec.name, `touch /run/${STACK}-flags/fail-v3`).status, 0);
    const start = await Promise.all(hosts.map(async (open) => (await polls(open)).length));
    writeProgram('v3');
    const apply = runHoist(['apply', '--yes'], { cwd: dir, timeoutMs: 300_000 });
    assert.equal(apply.status, 1, `${apply.stdout}\n${apply.stderr}`);
    assert.match(apply.stdout, /host-2 +FAILED replace container rra-api-\d \(start-first, batch 2\): container rra-api-\d-hoist-next was not healthy within 10s/);
    assert.match(apply.stdout, /host-1 +rolled back rra-api-\d/);
    const during = await polls(podman);

    // host-2: v3 ran for 10 s but never answered by the alias; v2 answered every request.
    const onPodman = during.slice(start[1]);
    assert.ok(onPodman.length >= 20, `host-2: only ${onPodman.length} requests while apply ran`);
    assert.deepEqual([...new Set(onPodman.map((p) => p.answer))], ['v2'], `host-2 answered only v2:\n${onPodman.filter((p) => p.answer !== 'v2').slice(0, 10).map(formatPoll).join('\n')}`);

    // host-1: after the rollback the alias answers with the restored v2 container alone.
    const onDocker = await waitPolls(docker, (p) => p.length >= start[0] + 5 && p.slice(-5).every((x) => x.answer === 'v2'), 'the restored v2 never answered alone by its alias');
    assert.ok(onDocker.slice(start[0]).some((p) => p.answer === 'v3'), 'host-1 ran v3 before the rollback');
    const [restored] = await rawEngine(docker.engine).listContainers({ filters: JSON.stringify({ label: [`hoist.stack=${STACK}`], name: [`${STACK}-api-`] }) });
    const aliases = (await rawEngine(docker.engine).getContainer(restored.Id).inspect()).NetworkSettings.Networks[`${STACK}-net`]?.Aliases ?? [];
    assert.ok(aliases.includes('api'), `the restored container has its alias again: ${JSON.stringify(aliases)}`);
    assert.equal(sshRun(inventory, podman.spec.name, `rm -f /run/${STACK}-flags/fail-v3`).status, 0);
  });

  it('hoist apply of one more start-first rollout after those (v4) again never fails a request by alias, on Docker and Podman', async () => {
    // On Podman the replaced containers are now ones that joined the alias in earlier rollouts.
    const problems = await rollOut('v2', 'v4');
    assert.deepEqual(problems, [], problems.join('\n\n'));
    const plan = runHoist(['plan', '--detailed-exitcode'], { cwd: dir });
    assert.equal(plan.status, 0, `the rollout converged:\n${plan.stdout}\n${plan.stderr}`);
  });
});

function formatPoll(p: Poll): string {
  return `${p.at.toFixed(2)} poller: ${p.ip} ${p.answer}`;
}
