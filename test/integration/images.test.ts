import { rawEngine } from '../helpers/raw-engine';
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineType, Host, Image, ImageDelivery, Inventory, Secret, Service, Stack, Testing } from '../../lib';
import { IMAGE_LABEL } from '../../lib/engine/read-build-state';
import type { ContainerResource, GraphDocument } from '../../lib/graph/graph-document';
import { openAllHosts, OpenHost } from '../../lib/drivers/open-host';
import { runHoist } from '../helpers/cli';
import { removeStack } from '../helpers/roundtrip';
import { ensureSandbox, IT_SANDBOX, SandboxInventory, sshRun } from '../helpers/sandbox';

const STACK = 'rim';
const REGISTRY_STACK = 'rrg';
const SECRET_STACK = 'rbs';
const PODMAN_BUILD_STACK = 'rpb';
const LOCAL_BUILD_STACK = 'rlb';

/**
 * Built images on real hosts: host-1 (Docker) builds, host-2 (Podman) and host-3 (Docker)
 * run the service. No registry for the first stack; the second goes through the sandbox's.
 */
describe('built images: build on a builder host, deliver directly or through a registry, prune, roll back', () => {
  let inventory: SandboxInventory;
  let dir: string;
  let hosts: OpenHost[] = [];
  const byName = (name: string) => hosts.find((h) => h.spec.name === name)!;

  /** Synthesizes the project as it is on disk now; returns the graph file. */
  function synth(stackName: string, registry?: string): string {
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, stackName);
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    const builder = inv.hosts.find((h) => h.node.id === 'host-1')!;
    new Service(stack, 'web', {
      image: Image.fromDockerfile('app', {
        imageName: 'web', builder, keepVersions: 2,
        delivery: registry ? ImageDelivery.registry({ repository: `${registry}/${stackName}/web` }) : ImageDelivery.direct(),
      }),
      replicas: 2,
      placement: { hosts: inv.hosts.filter((h) => h.node.id !== 'host-1') },
      stopGracePeriod: '1s',
    });
    const graph: GraphDocument = Testing.synth(app);
    const file = path.join(dir, `${stackName}.graph.json`);
    fs.writeFileSync(file, JSON.stringify(graph));
    return file;
  }

  // Through the engine's own CLI over ssh: Podman 4.3's exec endpoint does not end its stream over a forwarded socket.
  const served = async (host: string, stackName = STACK) => {
    const engine = inventory.hosts.find((h) => h.name === host)!.engine;
    const r = sshRun(inventory, host, `${engine} exec ${stackName}-web-1 cat /www/index.html`);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const builtVersions = async (host: string, stackName = STACK) => (await rawEngine(byName(host).engine).listImages({ filters: JSON.stringify({ label: [`${IMAGE_LABEL.stack}=${stackName}`] }) })).length;
  /** Revisions of the direct stack's applies, in order (the hosts' history may hold older runs). */
  const revisions: number[] = [];
  const apply = (file: string, extra: string[] = []) => {
    const r = runHoist(['apply', '--graph', file, '--project', dir, '--yes', ...extra], { timeoutMs: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const revision = /stack rim: applying \d+ action\(s\) as revision (\d+)/.exec(r.stdout);
    if (revision) revisions.push(Number(revision[1]));
    return r.stdout;
  };

  before(async () => {
    inventory = ensureSandbox(IT_SANDBOX);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-images-'));
    fs.mkdirSync(path.join(dir, 'app'));
    fs.writeFileSync(path.join(dir, 'app', 'Dockerfile'), [
      'FROM busybox:latest',
      'RUN mkdir -p /www && echo base > /www/base.txt',
      'COPY big.bin /opt/big.bin',
      'COPY index.html /www/index.html',
      'USER 1000',
      'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]',
      '',
    ].join('\n'));
    // A megabyte that must travel once, and never again when only index.html changes.
    fs.writeFileSync(path.join(dir, 'app', 'big.bin'), randomBytes(1_000_000));
    fs.writeFileSync(path.join(dir, 'app', 'index.html'), 'v1\n');
    fs.writeFileSync(path.join(dir, 'app', '.dockerignore'), 'notes/\n');
    const file = synth(STACK);
    const graph = JSON.parse(fs.readFileSync(file, 'utf8')) as GraphDocument;
    hosts = await openAllHosts(graph.stacks[0].hosts.concat(graph.stacks[0].builders ?? []), { projectDir: dir, trustNewHosts: false });
    for (const open of hosts) {
      for (const stack of [STACK, REGISTRY_STACK, SECRET_STACK, PODMAN_BUILD_STACK, LOCAL_BUILD_STACK]) {
        await removeStack(open, stack);
        for (const image of await rawEngine(open.engine).listImages({ filters: JSON.stringify({ label: [`${IMAGE_LABEL.stack}=${stack}`] }) })) {
          await rawEngine(open.engine).getImage(image.Id).remove({ force: true }).catch(() => undefined);
        }
      }
    }
  });

  after(async () => {
    for (const open of hosts) {
      await removeStack(open, STACK).catch(() => undefined);
      await removeStack(open, REGISTRY_STACK).catch(() => undefined);
      await removeStack(open, SECRET_STACK).catch(() => undefined);
      await removeStack(open, PODMAN_BUILD_STACK).catch(() => undefined);
      await removeStack(open, LOCAL_BUILD_STACK).catch(() => undefined);
      open.close();
    }
  });

  it('builds on host-1 and sends the image to a Podman and a Docker host without a registry; the plan is then clean', async () => {
    const file = synth(STACK);
    const plan = runHoist(['plan', '--graph', file, '--project', dir]);
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(plan.stdout, /host host-1\n +\* +image hoist\/rim\/web:[0-9a-f]{16} will be built here/);
    assert.match(plan.stdout, /Plan: 1 to build, 4 to create/);
    const out = apply(file);
    for (const host of ['host-2', 'host-3']) assert.match(out, new RegExp(`${host}  done  create image hoist/rim/web:[0-9a-f]{16} \\(\\S+s, sent \\d of 4 layers, [\\d.]+ (kB|MB)\\)`));
    assert.equal(runHoist(['plan', '--graph', file, '--project', dir, '--detailed-exitcode']).status, 0, 'apply then plan: no changes');
    assert.equal(await served('host-2'), 'v1');
    assert.equal(await served('host-3'), 'v1');
    const reference = JSON.parse(fs.readFileSync(file, 'utf8')).stacks[0].resources.find((r: { kind: string }) => r.kind === 'container').spec.image.reference;
    const ids = await Promise.all(['host-1', 'host-2', 'host-3'].map(async (h) => (await rawEngine(byName(h).engine).getImage(reference).inspect()).Id));
    assert.equal(new Set(ids).size, 1, `the Podman host holds exactly the image Docker built (${ids.join(', ')})`);
  });

  it('one changed source file: the plan names it, and each host is sent only the changed layer', async () => {
    fs.writeFileSync(path.join(dir, 'app', 'index.html'), 'v2\n');
    const file = synth(STACK);
    const plan = runHoist(['plan', '--graph', file, '--project', dir]);
    assert.match(plan.stdout, /will be built here {2}\[step 1\]\n +\(index\.html changed\)/);
    assert.match(plan.stdout, /~ image\.reference: "hoist\/rim\/web:[0-9a-f]{16}" -> "hoist\/rim\/web:[0-9a-f]{16}"/);
    // hoist build first: then the plan knows exactly what each host will be sent.
    const build = runHoist(['build', '--graph', file, '--project', dir], { timeoutMs: 300_000 });
    assert.equal(build.status, 0, `${build.stdout}\n${build.stderr}`);
    assert.match(build.stdout, /Built 1 image\(s\)/);
    assert.match(runHoist(['build', '--graph', file, '--project', dir]).stdout, /Every image is built already/);
    const exact = runHoist(['plan', '--graph', file, '--project', dir]);
    for (const host of ['host-2', 'host-3']) assert.match(exact.stdout, new RegExp(`host ${host}\\n +\\+ +image hoist/rim/web:[0-9a-f]{16} will be sent from host-1 \\(directly: 1 of 4 layers, [\\d.]+ (B|kB)\\)`));
    assert.doesNotMatch(exact.stdout, /will be built here/);
    const out = apply(file);
    for (const host of ['host-2', 'host-3']) {
      const sent = new RegExp(`${host}  done  create image \\S+ \\(\\S+s, sent 1 of 4 layers, ([\\d.]+) kB\\)`).exec(out);
      assert.ok(sent, `${host} got one layer:\n${out}`);
      assert.ok(Number(sent[1]) < 100, `${host}: ${sent[1]} kB sent, not the megabyte layer again`);
    }
    assert.equal(await served('host-2'), 'v2');
    assert.equal(await served('host-3'), 'v2');
    assert.equal(runHoist(['plan', '--graph', file, '--project', dir, '--detailed-exitcode']).status, 0);
  });

  it('keeps exactly keepVersions built versions per host after each apply; hoist prune finds nothing more', async () => {
    fs.writeFileSync(path.join(dir, 'app', 'index.html'), 'v3\n');
    const out = apply(synth(STACK));
    assert.match(out, /Removed 3 old image version\(s\) beyond each image's keepVersions/);
    for (const host of ['host-1', 'host-2', 'host-3']) assert.equal(await builtVersions(host), 2, `${host} keeps 2 versions`);
    const prune = runHoist(['prune', '--graph', synth(STACK), '--project', dir]);
    assert.equal(prune.status, 0, prune.stderr);
    assert.match(prune.stdout, /Stack rim: removed 0 stopped container\(s\), 0 old image version\(s\)/);
  });

  it('rolls back to the previous revision without a build, refuses a revision whose image is gone', async () => {
    const file = synth(STACK);
    const r = runHoist(['rollback', '--graph', file, '--project', dir, '--yes'], { timeoutMs: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const [, v2, v3] = revisions;
    assert.ok(v3 > v2, `revisions grow: ${revisions.join(', ')}`);
    assert.match(r.stderr, new RegExp(`Rolling rim back to revision ${v2}\\.`));
    assert.match(r.stdout, new RegExp(`Rollback to revision ${v2} complete: 0 created, 0 updated, 2 replaced, 0 deleted`));
    assert.doesNotMatch(r.stdout, /build image/);
    assert.equal(await served('host-2'), 'v2');
    assert.equal(await served('host-3'), 'v2');
    const plan = runHoist(['plan', '--graph', file, '--project', dir, '--detailed-exitcode']);
    assert.equal(plan.status, 2, 'the program still says v3: plan shows the way forward again');

    const gone = runHoist(['rollback', '--graph', file, '--project', dir, '--yes', '--to', String(revisions[0])], { timeoutMs: 120_000 });
    assert.equal(gone.status, 1, gone.stdout);
    assert.match(gone.stderr, /revision \d+'s image hoist\/rim\/web:[0-9a-f]{16} is no longer on (host-2|host-3|its builder)/);
    assert.equal(await served('host-2'), 'v2', 'nothing changed');
    const history = runHoist(['history', '--graph', file, '--project', dir]);
    assert.match(history.stdout, new RegExp(`rollback revision ${v3 + 1} {2}applied`));
  });

  it('delivers through the sandbox registry: pushed once, pulled by digest on Docker and Podman', async () => {
    const registry = `${inventory.hosts[0].address.replace(/\.\d+$/, '.1')}:5000`;
    const file = synth(REGISTRY_STACK, registry);
    const out = apply(file);
    assert.match(out, /pushing 10\.213\.\d+\.1:5000\/rrg\/web:[0-9a-f]{16} from host-1/);
    for (const host of ['host-2', 'host-3']) assert.match(out, new RegExp(`${host}  done  create image hoist/rrg/web:[0-9a-f]{16} \\(\\S+s, pulled by digest, 4 layers\\)`));
    assert.equal(await served('host-2', REGISTRY_STACK), 'v3');
    assert.equal(runHoist(['plan', '--graph', file, '--project', dir, '--detailed-exitcode']).status, 0);
  });

  it('a build secret reaches the build step and no layer, history or output (BuildKit session on Docker Engine)', async () => {
    const canary = `canary-${randomBytes(8).toString('hex')}`;
    fs.mkdirSync(path.join(dir, 'secret-app'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'secret-app', 'Dockerfile'), [
      'FROM busybox:latest',
      // A step of its own each run: a build secret is part neither of an image's identity nor
      // of BuildKit's cache key, so a layer an earlier run left on the sandbox's builder would
      // hold that run's value.
      `RUN --mount=type=secret,id=build-token,required echo run-${randomBytes(8).toString('hex')} > /dev/null && sha256sum /run/secrets/build-token > /tmp/sum && cut -d" " -f1 /tmp/sum > /token.sha256 && rm /tmp/sum`,
      'USER 1000',
      'CMD ["sleep", "86400"]',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'secret-app', '.dockerignore'), '.git\n');
    fs.writeFileSync(path.join(dir, 'build-token'), canary);
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, SECRET_STACK);
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    const token = Secret.fromFile(stack, 'build-token', 'build-token');
    new Service(stack, 'job', {
      image: Image.fromDockerfile('secret-app', { imageName: 'job', builder: inv.hosts.find((h) => h.node.id === 'host-1')!, buildSecrets: [token] }),
      placement: { hosts: [inv.hosts.find((h) => h.node.id === 'host-3')!] },
      stopGracePeriod: '1s',
    });
    const graph: GraphDocument = Testing.synth(app);
    const file = path.join(dir, `${SECRET_STACK}.graph.json`);
    fs.writeFileSync(file, JSON.stringify(graph));
    assert.ok(!fs.readFileSync(file, 'utf8').includes(canary), 'the graph holds a fingerprint, not the value');
    // Testing.synth fingerprints secrets with its own key; the CLI must read them with it.
    const r = runHoist(['apply', '--graph', file, '--project', dir, '--yes'], { timeoutMs: 300_000, env: { HOIST_FINGERPRINT_KEY: 'hoist-testing-fingerprint-key' } });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.ok(!r.stdout.includes(canary) && !r.stderr.includes(canary), 'the value is never printed');
    const hash = sshRun(inventory, 'host-3', `docker exec ${SECRET_STACK}-job-1 cat /token.sha256`);
    assert.equal(hash.status, 0, hash.stderr);
    assert.equal(hash.stdout.trim(), createHash('sha256').update(canary).digest('hex'), 'the build read the secret');
    const reference = graph.stacks[0].resources.find((x): x is ContainerResource => x.kind === 'container')!.spec.image.reference;
    for (const host of ['host-1', 'host-3']) {
      const leak = sshRun(inventory, host, `docker save ${reference} | grep -a -c ${canary}; docker history --no-trunc ${reference} | grep -c ${canary}; docker inspect ${reference} | grep -c ${canary}`);
      assert.equal(leak.stdout.trim().split('\n').join(','), '0,0,0', `${host}: the value is in no layer, history entry or config`);
    }
  });

  it('a Podman builder: built on host-2 and sent to a Docker host, which runs exactly that image', async () => {
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, PODMAN_BUILD_STACK);
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    new Service(stack, 'web', {
      image: Image.fromDockerfile('app', { imageName: 'web', builder: inv.hosts.find((h) => h.node.id === 'host-2')! }),
      placement: { hosts: [inv.hosts.find((h) => h.node.id === 'host-3')!] },
      stopGracePeriod: '1s',
    });
    const graph: GraphDocument = Testing.synth(app);
    const file = path.join(dir, `${PODMAN_BUILD_STACK}.graph.json`);
    fs.writeFileSync(file, JSON.stringify(graph));
    const r = runHoist(['apply', '--graph', file, '--project', dir, '--yes'], { timeoutMs: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /host-2  done  build image hoist\/rpb\/web:[0-9a-f]{16}/);
    assert.match(r.stdout, /host-3  done  create image hoist\/rpb\/web:[0-9a-f]{16} \(\S+s, sent \d of 4 layers/);
    assert.equal(await served('host-3', PODMAN_BUILD_STACK), fs.readFileSync(path.join(dir, 'app', 'index.html'), 'utf8').trim());
    const reference = graph.stacks[0].resources.find((x): x is ContainerResource => x.kind === 'container')!.spec.image.reference;
    const [built, arrived] = await Promise.all(['host-2', 'host-3'].map(async (h) => (await rawEngine(byName(h).engine).getImage(reference).inspect()).Id));
    assert.equal(arrived, built);
    assert.equal(runHoist(['plan', '--graph', file, '--project', dir, '--detailed-exitcode']).status, 0);
  });

  it('a local builder: the engine socket on this machine, without SSH, builds and the image goes to a host over SSH', async () => {
    // This machine has no engine of its own; host-1's Docker socket, seen from outside its
    // namespace, stands in for one: Hoist reaches it as a local host (no SSH) either way.
    const socket = `/var/lib/hoist/sandboxes/${IT_SANDBOX}/hosts/host-1/run/docker.sock`;
    assert.ok(fs.existsSync(socket), socket);
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, LOCAL_BUILD_STACK);
    const inv = Inventory.fromFile(stack, 'hosts', `${inventory.dir}/inventory.json`);
    const local = new Host(app, 'workstation', { address: 'localhost', local: true, engine: EngineType.DOCKER, engineSocket: socket });
    new Service(stack, 'web', {
      image: Image.fromDockerfile('app', { imageName: 'web', builder: local }),
      placement: { hosts: [inv.hosts.find((h) => h.node.id === 'host-3')!] },
      stopGracePeriod: '1s',
    });
    const graph: GraphDocument = Testing.synth(app);
    assert.deepEqual(graph.stacks[0].builders!.map((b) => `${b.name}:${b.local}`), ['workstation:true']);
    const file = path.join(dir, `${LOCAL_BUILD_STACK}.graph.json`);
    fs.writeFileSync(file, JSON.stringify(graph));
    const r = runHoist(['apply', '--graph', file, '--project', dir, '--yes'], { timeoutMs: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /workstation  done  build image hoist\/rlb\/web:[0-9a-f]{16}/);
    assert.match(r.stdout, /host-3  done  create image hoist\/rlb\/web:[0-9a-f]{16} \(\S+s, sent \d of 4 layers/);
    assert.equal(runHoist(['plan', '--graph', file, '--project', dir, '--detailed-exitcode']).status, 0);
  });
});
