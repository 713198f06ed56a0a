import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Host, Image, Secret, Service, type ServiceProps, Stack, Testing, Volume } from '../../lib';
import type { ContainerResource } from '../../lib/graph/graph-document';
import { renderGraph } from '../../lib/synth/render-graph';
import { phaseContext, runPhases } from '../helpers/synth-phases';

const svc = (stack: Stack, id: string, props: Partial<ServiceProps> & Record<string, unknown> = {}) =>
  new Service(stack, id, { image: Image.fromRegistry('busybox'), ...props } as ServiceProps);

function render(stack: Stack) {
  const ctx = phaseContext(stack.node.root as any);
  const { model, placed } = runPhases(stack, ctx);
  const graph = renderGraph(model, placed, ctx.problems);
  return { graph, problems: ctx.problems.list() };
}

describe('renderGraph (synth phase 5)', () => {
  it('renderGraph places a shared volume, image and secret once per host, and each container depends on them', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    new Host(shop, 'web-1', { address: '10.0.0.1' });
    const data = new Volume(shop, 'data');
    const token = Secret.fromEnv(shop, 'token', 'PATH');
    svc(shop, 'a', { mounts: [data.mount('/a')], secrets: [token.asFile('/run/token')] });
    svc(shop, 'b', { mounts: [data.mount('/b')] });
    const { graph, problems } = render(shop);
    assert.deepEqual(problems, []);
    assert.deepEqual(graph.resources.map((r) => `${r.id} <- ${r.source}`), [
      'container:shop/a#1@web-1 <- shop/a',
      'container:shop/b#1@web-1 <- shop/b',
      // The first service to use an image is its source.
      'image:busybox:latest@web-1 <- shop/a',
      'secret:shop/token@web-1 <- shop/token',
      'volume:shop/data@web-1 <- shop/data',
    ]);
    const a = graph.resources[0] as ContainerResource;
    assert.deepEqual(a.dependsOn.map((d) => d.id), ['image:busybox:latest@web-1', 'secret:shop/token@web-1', 'volume:shop/data@web-1']);
    assert.match(a.spec.secrets[0].fingerprint, /^hmac-sha256:/);
  });

  it('renderGraph wires each container to every container of the services it depends on, with the condition', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    new Host(shop, 'h1', { address: '10.0.0.1' });
    new Host(shop, 'h2', { address: '10.0.0.2' });
    const db = svc(shop, 'db', { replicas: 2 });
    svc(shop, 'web', { dependsOn: [db.whenHealthy()] });
    const { graph } = render(shop);
    const web = graph.resources.find((r) => r.id.startsWith('container:shop/web'))!;
    assert.deepEqual(web.dependsOn.filter((d) => d.id.startsWith('container:')), [
      { id: 'container:shop/db#1@h1', condition: 'healthy' },
      { id: 'container:shop/db#1@h2', condition: 'healthy' },
    ]);
  });

  it('renderGraph lists only hosts that got a container, and a builder that runs nothing under builders', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    new Host(shop, 'used', { address: '10.0.0.1', roles: ['web'] });
    new Host(shop, 'idle', { address: '10.0.0.2' });
    svc(shop, 'web', { placement: { roles: ['web'] } });
    const { graph } = render(shop);
    assert.deepEqual(graph.hosts.map((h) => h.name), ['used']);
    assert.deepEqual(graph.builders, []);
  });

  it('renderGraph reports two services publishing one host port on one host', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    new Host(shop, 'web-1', { address: '10.0.0.1' });
    svc(shop, 'a', { ports: [{ host: 80, container: 8080 }] });
    svc(shop, 'b', { ports: [{ host: 80, container: 9090 }] });
    const { problems } = render(shop);
    assert.deepEqual(problems, ['shop/b: ports: host port 80/tcp on host web-1 is also published by shop/a (shop-a-1); use another host port, or placement to keep them apart']);
  });
});
