import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Host, Image, Service, type ServiceProps, Stack, Testing, Volume } from '../../lib';
import { buildModel } from '../../lib/synth/build-model';
import { readSecrets } from '../../lib/synth/read-secrets';
import { validateProps } from '../../lib/synth/validate-props';
import { tempProject } from '../helpers/project';
import { phaseContext } from '../helpers/synth-phases';

function model(stack: Stack) {
  const ctx = phaseContext(stack.node.root as any);
  const validated = validateProps(stack, ctx);
  return { ctx, model: buildModel(validated, readSecrets(validated, ctx), ctx) };
}

const svc = (stack: Stack, id: string, props: Partial<ServiceProps> & Record<string, unknown> = {}) =>
  new Service(stack, id, { image: Image.fromRegistry('busybox'), ...props } as ServiceProps);

describe('buildModel (synth phase 3: the unplaced model)', () => {
  it('buildModel renders services sorted by construct path, whatever the declaration order', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    new Host(shop, 'web-1', { address: '10.0.0.1' });
    svc(shop, 'worker');
    svc(shop, 'api');
    const { ctx, model: m } = model(shop);
    assert.deepEqual(ctx.problems.list(), []);
    assert.deepEqual(m.services.map((s) => s.rendered.service.node.path), ['shop/api', 'shop/worker']);
    assert.deepEqual(m.services.map((s) => s.image.reference), ['busybox:latest', 'busybox:latest']);
  });

  it('buildModel renders an image used by two services once, with the default build policy of a built image', () => {
    const dir = tempProject({ 'web/Dockerfile': 'FROM busybox\n', 'web/.dockerignore': '.git\n' });
    const app = Testing.app({ projectDir: dir });
    const shop = new Stack(app, 'shop');
    const image = Image.fromDockerfile(path.join(dir, 'web'));
    new Service(shop, 'a', { image });
    new Service(shop, 'b', { image });
    const { ctx, model: m } = model(shop);
    assert.deepEqual(ctx.problems.list(), []);
    assert.equal(m.services[0].image, m.services[1].image);
    assert.deepEqual(m.services[0].image.policy, { builder: 'local', delivery: { mode: 'direct' }, keepVersions: 3, lint: {} });
    assert.deepEqual([...m.builders.keys()], ['local']);
  });

  it('buildModel reports two services claiming one container name, on the later one', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    svc(shop, 'a', { serviceName: 'web' });
    svc(shop, 'b', { serviceName: 'web' });
    const { ctx } = model(shop);
    assert.deepEqual(ctx.problems.list(), ['shop/b: serviceName: the container name "shop-web-1" is also used by shop/a; give one of them another serviceName']);
  });

  it('buildModel still checks the image of a service whose props are invalid, and leaves the service out', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    svc(shop, 'web', { image: Image.fromRegistry('Not A Reference'), replicas: -1 });
    const { ctx, model: m } = model(shop);
    assert.equal(m.services.length, 0);
    const problems = ctx.problems.list();
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0], /^shop\/web: image: /);
    assert.equal(problems[1], 'shop/web: replicas: -1 is not a replica count (0 or more)');
  });

  it('buildModel reports a service using a volume of another stack, and a dependency cycle', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    const other = new Stack(app, 'other');
    const theirs = new Volume(other, 'data');
    const a = svc(shop, 'a', { mounts: [theirs.mount('/data')] });
    const b = svc(shop, 'b', { dependsOn: [a] });
    (a._props as any).dependsOn = [b];
    const { ctx } = model(shop);
    assert.deepEqual(ctx.problems.list(), [
      'shop/a: dependsOn: dependency cycle shop/a -> shop/b -> shop/a; break it by removing one dependsOn',
      'shop/a: mounts: volume other/data belongs to stack other; a service can only use resources of its own stack (shop)',
    ]);
  });

  it('buildModel merges the stack\'s checked defaults into each service', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop', { defaults: { noNewPrivileges: true, resources: { pids: 100 } } });
    svc(shop, 'web', { resources: { pids: 50 } });
    const { ctx, model: m } = model(shop);
    assert.deepEqual(ctx.problems.list(), []);
    assert.equal(m.services[0].rendered.template.noNewPrivileges, true);
    assert.equal(m.services[0].rendered.template.resources.pidsLimit, 50);
  });
});
