import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EngineType, Host, Image, ImageDelivery, Secret, Service, Stack, Testing } from '../../lib';
import { layerSizes, type ObservedBuild } from '../../lib/engine/read-build-state';
import type { ObservedHostState } from '../../lib/engine/read-host-state';
import type { BuildImageSpec, GraphDocument, ImageResource } from '../../lib/graph/graph-document';
import { buildPlan } from '../../lib/plan/build-plan';
import type { HostObservation } from '../../lib/plan/plan-types';
import { renderPlanText } from '../../lib/plan/render-plan';
import { readsOnHost } from '../../lib/plan/collect-observations';
import { lintBlockers, lintLines, lintPlannedBuilds } from '../../lib/lint/plan-lint';

/** A project whose web image is built from `app/` on a builder host and runs on h1 and h2. */
function project(files: Record<string, string>, options: { builderRuns?: boolean; registry?: boolean; lintRules?: Record<string, string> } = {}): { graph: GraphDocument; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-image-plan-'));
  fs.mkdirSync(path.join(dir, 'app'));
  for (const [name, text] of Object.entries({ Dockerfile: 'FROM busybox:1.36\nCOPY . /app\n', '.dockerignore': 'notes/\n', ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, 'app', name)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'app', name), text);
  }
  process.env.HOIST_IMAGE_PLAN_TOKEN = 'token-value';
  const app = Testing.app({ projectDir: dir });
  const stack = new Stack(app, 'shop');
  const h1 = new Host(stack, 'h1', { address: '10.9.0.1' });
  const h2 = new Host(stack, 'h2', { address: '10.9.0.2' });
  const builder = options.builderRuns ? h1 : new Host(app, 'builder', { address: '10.9.0.9' });
  const token = Secret.fromEnv(stack, 'registry-token', 'HOIST_IMAGE_PLAN_TOKEN');
  new Service(stack, 'web', {
    image: Image.fromDockerfile('app', {
      imageName: 'web', builder, lintRules: options.lintRules,
      delivery: options.registry ? ImageDelivery.registry({ repository: 'registry.example:5000/shop/web', username: 'ci', password: token }) : undefined,
    }),
    replicas: 2,
    placement: { hosts: [h1, h2] },
  });
  return { graph: Testing.synth(app), dir };
}

const empty = (host: string): ObservedHostState => ({ host, engine: 'docker', containers: [], images: [], networks: [], volumes: [], foreign: [] });

function observe(graph: GraphDocument, extra: { builds?: ObservedBuild[]; layers?: Record<string, string[]>; images?: Record<string, string[]> } = {}): Map<string, HostObservation> {
  const observations = new Map<string, HostObservation>();
  for (const host of ['h1', 'h2']) {
    const state = empty(host);
    observations.set(host, {
      engine: 'docker',
      states: new Map([['shop', { ...state, images: (extra.images?.[host] ?? []).map((r) => ({ id: `sha256:${r}`, references: [r] })) }]]),
      ...(extra.layers?.[host] ? { layers: extra.layers[host] } : {}),
    });
  }
  const builderName = (graph.stacks[0].resources.find((r) => r.kind === 'image') as ImageResource).policy!.builder;
  const atBuilder = observations.get(builderName) ?? { engine: 'docker' as const, states: new Map() };
  observations.set(builderName, { ...atBuilder, builds: new Map([['shop', extra.builds ?? []]]) });
  return observations;
}

const brief = (doc: ReturnType<typeof buildPlan>) => doc.stacks[0].actions.map((a) => `${a.step} ${a.action} ${a.kind}@${a.host}`);
const imageOf = (graph: GraphDocument) => graph.stacks[0].resources.find((r): r is ImageResource => r.kind === 'image')!;
const reference = (graph: GraphDocument) => `hoist/shop/web:${(imageOf(graph).spec as BuildImageSpec).identity.slice(7, 23)}`;

describe('planning built images', () => {
  it('synth: a content tag from the inputs, the builder outside the stack listed as a builder, ignored files left out', () => {
    const { graph } = project({ 'app.py': 'print(1)\n', 'notes/todo.txt': 'x' });
    const stack = graph.stacks[0];
    assert.deepEqual(stack.builders!.map((b) => b.name), ['builder']);
    assert.deepEqual(stack.hosts.map((h) => h.name), ['h1', 'h2']);
    const spec = imageOf(graph).spec as BuildImageSpec;
    assert.ok('app.py' in spec.inputs && !('notes/todo.txt' in spec.inputs), 'inputs honour .dockerignore');
    const again = project({ 'app.py': 'print(1)\n', 'notes/todo.txt': 'changed' });
    assert.equal((imageOf(again.graph).spec as BuildImageSpec).identity, spec.identity, 'an ignored file does not change the identity');
    const changed = project({ 'app.py': 'print(2)\n' });
    assert.notEqual(reference(changed.graph), reference(graph), 'a changed file gives another tag');
  });

  it('nothing built yet: build on the builder, then send to both hosts, then create the containers', () => {
    const { graph } = project({ 'app.py': 'print(1)\n' });
    const doc = buildPlan(graph, observe(graph), { deleteVolumes: false });
    assert.deepEqual(brief(doc), ['1 build image@builder', '2 create image@h1', '2 create image@h2', '3 create container@h1', '3 create container@h2']);
    assert.equal(doc.summary.build, 1);
    const delivery = doc.stacks[0].actions[1].delivery!;
    assert.deepEqual(delivery, { mode: 'direct', from: 'builder', layers: null, bytes: null });
    const text = renderPlanText(doc, { color: false }).join('\n');
    assert.match(text, /\* +image hoist\/shop\/web:[0-9a-f]{16} will be built here/);
    assert.match(text, /\(not built with these inputs yet\)/);
    assert.match(text, /will be sent from builder \(directly; layers to send known once it is built\)/);
    assert.match(text, /Plan: 1 to build, 4 to create/);
  });

  it('names the inputs that changed since the builder last built the image', () => {
    const { graph } = project({ 'app.py': 'print(2)\n', 'lib/util.py': 'x = 1\n' });
    const previous = { ...(imageOf(project({ 'app.py': 'print(1)\n', 'old.py': '' }).graph).spec as BuildImageSpec).inputs };
    const doc = buildPlan(graph, observe(graph, { builds: [{ image: 'image:shop/web', reference: reference(graph), built: null, previousInputs: previous }] }), { deleteVolumes: false });
    const build = doc.stacks[0].actions.find((a) => a.action === 'build')!;
    assert.deepEqual(build.causes, [{ type: 'inputs-changed', changes: ['app.py changed', 'lib/util.py added', 'old.py removed'] }]);
    assert.match(renderPlanText(doc, { color: false }).join('\n'), /\(app\.py changed, lib\/util\.py added, old\.py removed\)/);
  });

  it('built already: no build; each host is sent only the layers it lacks, with their size', () => {
    const { graph } = project({ 'app.py': 'print(1)\n' });
    const built = { id: 'sha256:img', layers: [{ diffId: 'sha256:base', size: 2_000_000 }, { diffId: 'sha256:deps', size: 500_000 }, { diffId: 'sha256:app', size: 3_000 }] };
    const doc = buildPlan(graph, observe(graph, {
      builds: [{ image: 'image:shop/web', reference: reference(graph), built, previousInputs: null }],
      layers: { h1: ['sha256:base', 'sha256:deps', 'sha256:other'], h2: [] },
    }), { deleteVolumes: false });
    assert.deepEqual(brief(doc), ['1 create image@h1', '1 create image@h2', '2 create container@h1', '2 create container@h2']);
    const [h1, h2] = doc.stacks[0].actions;
    assert.deepEqual(h1.delivery, { mode: 'direct', from: 'builder', layers: { send: 1, total: 3 }, bytes: 3_000 });
    assert.deepEqual(h2.delivery, { mode: 'direct', from: 'builder', layers: { send: 3, total: 3 }, bytes: 2_503_000 });
    const text = renderPlanText(doc, { color: false }).join('\n');
    assert.match(text, /sent from builder \(directly: 1 of 3 layers, 3\.0 kB\)/);
    assert.match(text, /sent from builder \(directly: 3 of 3 layers, 2\.5 MB\)/);
  });

  it('hosts that have the image need nothing, even when the builder no longer has it', () => {
    const { graph } = project({ 'app.py': 'print(1)\n' });
    const doc = buildPlan(graph, observe(graph, { images: { h1: [reference(graph)], h2: [reference(graph)] } }), { deleteVolumes: false });
    assert.deepEqual(brief(doc), ['1 create container@h1', '1 create container@h2']);
  });

  it('a builder that runs the service builds it in place and sends it only to the others', () => {
    const { graph } = project({ 'app.py': 'print(1)\n' }, { builderRuns: true });
    assert.deepEqual(graph.stacks[0].builders, []);
    const doc = buildPlan(graph, observe(graph), { deleteVolumes: false });
    assert.deepEqual(brief(doc), ['1 build image@h1', '2 create image@h2', '3 create container@h1', '3 create container@h2']);
    assert.equal(readsOnHost(graph, 'h1').layers, false, 'the builder needs no layer list');
    assert.equal(readsOnHost(graph, 'h2').layers, true);
    assert.deepEqual(readsOnHost(graph, 'h1').builds.get('shop')!.map((r) => r.id), ['image:shop/web@h1']);
  });

  it('registry delivery: pulled by digest, the password a secret reference in the graph, never its value', () => {
    const { graph } = project({ 'app.py': 'print(1)\n' }, { registry: true });
    const text = JSON.stringify(graph);
    assert.ok(!text.includes('token-value'));
    const delivery = imageOf(graph).policy!.delivery;
    assert.equal(delivery.mode, 'registry');
    assert.equal(delivery.mode === 'registry' && delivery.password?.secret, 'secret:shop/registry-token');
    const doc = buildPlan(graph, observe(graph), { deleteVolumes: false });
    assert.match(renderPlanText(doc, { color: false }).join('\n'), /sent from builder \(pushed to its registry, pulled by digest\)/);
  });

  it('refuses bad build options with the construct path and the fix', () => {
    process.env.HOIST_IMAGE_PLAN_TOKEN = 'token-value';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-image-plan-'));
    fs.mkdirSync(path.join(dir, 'app'));
    fs.writeFileSync(path.join(dir, 'app', 'Dockerfile'), 'FROM busybox\n');
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, 'shop');
    new Host(stack, 'h1', { address: '10.9.0.1' });
    new Service(stack, 'web', {
      image: Image.fromDockerfile('app', {
        keepVersions: 0, lintRules: { 'no-such-rule': 'off', 'no-user': 'loud' },
        delivery: ImageDelivery.registry({ repository: 'shop/web:1', username: 'ci' }),
      }),
    });
    const elsewhere = Secret.fromEnv(new Stack(app, 'other'), 'token', 'HOIST_IMAGE_PLAN_TOKEN');
    const podman = new Host(stack, 'p1', { address: '10.9.0.5', engine: EngineType.PODMAN });
    new Service(stack, 'job', {
      image: Image.fromDockerfile('app', { imageName: 'job', builder: podman, buildSecrets: [Secret.fromEnv(stack, 'tok', 'HOIST_IMAGE_PLAN_TOKEN'), elsewhere] }),
      placement: { hosts: [stack.node.findChild('h1') as Host] },
    });
    const problems = Testing.validate(app).join('\n');
    assert.match(problems, /shop\/job: image: buildSecrets: each must be a Secret defined in this stack/);
    assert.match(problems, /shop\/job: image: buildSecrets: the builder p1 runs Podman, whose API cannot serve build secrets; build on a Docker Engine host/);
    assert.match(problems, /shop\/web: image: keepVersions: expected a whole number of at least 1/);
    assert.match(problems, /image: lintRules: no lint rule is called "no-such-rule"/);
    assert.match(problems, /image: lintRules\.no-user: "loud" is not a severity/);
    assert.match(problems, /image: delivery\.repository: "shop\/web:1" is not a repository with a registry address/);
    assert.match(problems, /image: delivery: set both username and password, or neither/);
  });
});

describe('lint in plan and apply', () => {
  const secretDockerfile = 'FROM busybox:1.36\nARG NPM_TOKEN\nCOPY . /app\n';

  it('lints only the images the plan builds; an error blocks the build unless the construct lowers the rule', () => {
    const { graph, dir } = project({ Dockerfile: secretDockerfile });
    const doc = buildPlan(graph, observe(graph), { deleteVolumes: false });
    const results = lintPlannedBuilds(doc, graph, dir);
    assert.deepEqual(results.map((r) => r.image), ['image:shop/web']);
    assert.ok(lintLines(results).some((l) => /^lint error: shop\/web \(app\/Dockerfile:2\) secret-in-build: /.test(l)), lintLines(results).join('\n'));
    assert.ok(lintLines(results).some((l) => /^lint warning: shop\/web \(app\/Dockerfile(:\d+)?\) no-user: /.test(l)));
    assert.match(lintBlockers(results).join('\n'), /^shop\/web: lint error\(s\) \(secret-in-build\); fix the Dockerfile, or lower the rule with lintRules/);

    const lowered = project({ Dockerfile: secretDockerfile }, { lintRules: { 'secret-in-build': 'warning', 'no-user': 'off' } });
    const again = lintPlannedBuilds(buildPlan(lowered.graph, observe(lowered.graph), { deleteVolumes: false }), lowered.graph, lowered.dir);
    assert.deepEqual(lintBlockers(again), []);
    assert.ok(lintLines(again).some((l) => l.startsWith('lint warning: shop/web') && l.includes('secret-in-build')));
    assert.ok(!lintLines(again).some((l) => l.includes('no-user')), 'a rule turned off on the construct is not reported');

    const built = buildPlan(graph, observe(graph, { images: { h1: [reference(graph)], h2: [reference(graph)] } }), { deleteVolumes: false });
    assert.deepEqual(lintPlannedBuilds(built, graph, dir), [], 'nothing to build, nothing to lint');
  });
});

describe('layer sizes from image history', () => {
  it('maps history entries that make layers onto the layers, oldest first', () => {
    const history = [
      { CreatedBy: '', Size: 2_000_000, Comment: 'Imported from -' },
      { CreatedBy: '/bin/sh -c mkdir /x', Size: 0 },
      { CreatedBy: '/bin/sh -c #(nop)  ENV A=1', Size: 0 },
      { CreatedBy: '/bin/sh -c #(nop) COPY file:abc in /x ', Size: 12 },
      { CreatedBy: '/bin/sh -c #(nop)  CMD ["sh"]', Size: 0 },
    ];
    assert.deepEqual(layerSizes(3, history), [2_000_000, 0, 12]);
    assert.equal(layerSizes(5, history), null, 'an unexplained count gives no sizes rather than wrong ones');
  });
});
