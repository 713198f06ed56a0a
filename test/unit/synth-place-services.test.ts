import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Host, Image, Service, type ServiceProps, Stack, Testing } from '../../lib';
import { phaseContext, runPhases } from '../helpers/synth-phases';

const svc = (stack: Stack, id: string, props: Partial<ServiceProps> & Record<string, unknown> = {}) =>
  new Service(stack, id, { image: Image.fromRegistry('busybox'), ...props } as ServiceProps);

function placements(stack: Stack) {
  const ctx = phaseContext(stack.node.root as any);
  const { placed } = runPhases(stack, ctx);
  return { problems: ctx.problems.list(), placed: Object.fromEntries(placed.map((p) => [p.service.rendered.service.node.id, p.replicas.map((r) => `${r.host}#${r.slot}`)])) };
}

describe('placeServices (synth phase 4)', () => {
  it('placeServices puts replicas only on hosts with one of the service\'s roles', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    new Host(shop, 'db-1', { address: '10.0.0.1', roles: ['db'] });
    new Host(shop, 'web-1', { address: '10.0.0.2', roles: ['web'] });
    new Host(shop, 'web-2', { address: '10.0.0.3', roles: ['web'] });
    svc(shop, 'web', { replicas: 2, placement: { roles: ['web'] } });
    svc(shop, 'db', { placement: { roles: ['db'] } });
    assert.deepEqual(placements(shop), { problems: [], placed: { db: ['db-1#1'], web: ['web-1#1', 'web-2#1'] } });
  });

  it('placeServices refuses more replicas than hosts for a fixed host port, leaving that service out and placing the rest', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    new Host(shop, 'web-1', { address: '10.0.0.1' });
    svc(shop, 'web', { replicas: 2, ports: [{ host: 80, container: 8080 }] });
    svc(shop, 'worker', { replicas: 2 });
    assert.deepEqual(placements(shop), {
      problems: ['shop/web: replicas: cannot place 2 replicas on 1 host (web-1) (it publishes a fixed host port, so at most one replica fits per host); add hosts or lower replicas'],
      placed: { worker: ['web-1#1', 'web-1#2'] },
    });
  });

  it('placeServices keeps a service of 0 replicas, placed nowhere, even on a stack without hosts', () => {
    const app = Testing.app();
    const shop = new Stack(app, 'shop');
    svc(shop, 'batch', { replicas: 0 });
    assert.deepEqual(placements(shop), { problems: [], placed: { batch: [] } });
  });

  it('placeServices reports a stack without hosts, a role no host has, and a host of another stack', () => {
    const app = Testing.app();
    const empty = new Stack(app, 'empty');
    svc(empty, 'web');
    assert.deepEqual(placements(empty).problems, ['empty/web: placement: the stack has no hosts; add a Host or an Inventory to the stack (or to the App)']);

    const shop = new Stack(app, 'shop');
    new Host(shop, 'web-1', { address: '10.0.0.1', roles: ['web'] });
    const other = new Stack(app, 'other');
    const theirs = new Host(other, 'theirs', { address: '10.0.0.2' });
    svc(shop, 'db', { placement: { roles: ['db'] } });
    svc(shop, 'api', { placement: { hosts: [theirs] } });
    assert.deepEqual(placements(shop).problems, [
      'shop/api: placement.hosts: host other/theirs belongs to stack other; define shared hosts outside any stack (in the App) or in this stack',
      'shop/db: placement: no host has role "db" (hosts: web-1)',
    ]);
  });
});
