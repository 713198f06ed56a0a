import type { BuildImageSpec, ImageResource } from '../../lib/graph/graph-document';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { GraphDocument } from '../../lib/graph/graph-document';
import { runHoist, REPO_ROOT } from '../helpers/cli';
import { containers, onlyStack, resourceById } from '../helpers/graph';
import { matchSnapshot } from '../helpers/snapshot';
import { githubWorkflowProblems, gitlabCiProblems } from '../helpers/ci-schemas';

// Fixed inputs, so the snapshots hold on every machine: a fingerprint key and the secret.
const ENV = { HOIST_FINGERPRINT_KEY: 'examples-test-key', SHOP_DB_PASSWORD: 'canary-Zx9$(reboot)`q"', HOIST_INVENTORY: undefined, SHOP_DB_PASSWORD_FILE: undefined };

function synthExample(name: string): { graph: GraphDocument; text: string; stdout: string } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `hoist-${name}-`));
  const result = runHoist(['synth', '-C', path.join(REPO_ROOT, 'examples', name), '-o', out], { env: ENV });
  assert.equal(result.status, 0, `hoist synth of ${name} failed:\n${result.stderr}`);
  const text = fs.readFileSync(path.join(out, 'graph.json'), 'utf8');
  fs.rmSync(out, { recursive: true, force: true });
  return { graph: JSON.parse(text), text, stdout: result.stdout };
}

describe('examples synthesize with hoist synth', () => {
  it('webapp: matches its snapshot and places web on web hosts, db on the db host', () => {
    const { graph, text, stdout } = synthExample('webapp');
    matchSnapshot('webapp.graph.json', text);
    const stack = onlyStack(graph);
    assert.deepEqual(containers(stack).map((c) => `${c.spec.name}@${c.host}`).sort(), ['shop-db-1@db-1', 'shop-edge-1@db-1', 'shop-edge-1@web-1', 'shop-edge-1@web-2', 'shop-web-1@web-1', 'shop-web-1@web-2']);
    // The database and the web service come from the construct library (examples/library);
    // an ingress proxy runs on every host.
    assert.deepEqual(containers(stack).filter((c) => c.spec.service !== 'edge').map((c) => c.source).sort(), ['shop/app/web', 'shop/app/web', 'shop/postgres/db']);
    const db = containers(stack).find((c) => c.spec.service === 'db')!;
    assert.equal(db.policy.update.order, 'stop-first');
    assert.equal(db.spec.resources.memoryBytes, 512 * 1024 * 1024);
    assert.deepEqual(db.spec.mounts, [{ type: 'volume', source: 'shop-pgdata', volume: 'volume:shop/postgres/pgdata', target: '/var/lib/postgresql/data', readOnly: false }]);
    const web = containers(stack).find((c) => c.spec.service === 'web')!;
    assert.deepEqual(web.spec.env, {
      DATABASE_HOST: 'db', DATABASE_NAME: 'postgres', DATABASE_PORT: '5432', DATABASE_USER: 'postgres', PASSWORD_FILE: '/run/secrets/db-password',
    }, 'the web service takes its settings from the database\'s typed connection: the database by name through the ingress');
    assert.equal(web.policy.update.order, 'start-first', 'routed through the ingress, not published, so the library replaces it start-first');
    assert.deepEqual(web.policy.proxies?.map((p) => p.backend), ['svc.web'], 'the web replicas are the proxy\'s upstreams on their host');
    for (const proxy of containers(stack).filter((c) => c.spec.service === 'edge')) {
      const config = proxy.spec.env.HOIST_INGRESS_CONFIG;
      assert.match(config, /^listen tcp\.db$/m, `the proxy on ${proxy.host} carries connections to the database`);
      if (proxy.host !== 'db-1') assert.match(config, /^  server remote\.db-1 203\.0\.113\.21:5432 /m, `the proxy on ${proxy.host} reaches it on db-1`);
    }
    assert.equal(web.spec.resources.memoryBytes, 256 * 1024 * 1024, 'stack default applies');
    assert.deepEqual(web.dependsOn.filter((d) => d.id.startsWith('container:')), [{ id: 'container:shop/postgres/db#1@db-1', condition: 'healthy' }]);
    const webImage = resourceById(stack, 'image:shop/web@web-1') as ImageResource;
    const { identity, inputs, ...rest } = webImage.spec as BuildImageSpec;
    assert.deepEqual(rest, {
      source: 'build', repository: 'hoist/shop/web', context: 'web', dockerfile: 'Dockerfile', dockerfileInline: null,
      buildArgs: {}, target: 'runtime', platform: null,
    });
    assert.match(identity, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(inputs).sort(), ['(arguments)', '(dockerfile)', '.dockerignore', 'Dockerfile', 'app/server.py', 'app/test_server.py']);
    assert.deepEqual(webImage.policy, { builder: 'db-1', delivery: { mode: 'direct' }, keepVersions: 3, lint: {} });
    assert.equal(web.spec.image.reference, `hoist/shop/web:${identity.slice(7, 23)}`, 'containers run the image by its content tag');
    assert.deepEqual(stack.builders, [], 'the builder also runs a service, so it is one of the hosts');
    const pgImage = resourceById(stack, 'image:shop/postgres@db-1').spec as { dockerfileInline: string };
    assert.match(pgImage.dockerfileInline, /^FROM debian:bookworm-slim$/m);
    assert.match(pgImage.dockerfileInline, /^COPY \["entrypoint.sh","\/usr\/local\/bin\/hoist-postgres-entrypoint"\]$/m);
    assert.ok(!text.includes('canary-Zx9'), 'the secret value never enters the graph');
    assert.match(stdout, /shop: 20 resources on 3 hosts \(db-1, web-1, web-2\): 6 containers, 6 images, 4 networks, 1 volume, 3 secrets/);
  });

  it('webapp: its pipeline is written as CI files that pass the published schemas and are the ones committed', () => {
    const dir = path.join(REPO_ROOT, 'examples', 'webapp');
    const files = ['.github/workflows/delivery.yml', '.gitlab-ci.yml'];
    const committed = files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
    const { stdout } = synthExample('webapp');
    assert.doesNotMatch(stdout, /Wrote|Removed/, 'the committed files are what synth writes');
    assert.deepEqual(files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')), committed);
    assert.deepEqual(githubWorkflowProblems(committed[0]), []);
    assert.deepEqual(gitlabCiProblems(committed[1]), []);
    for (const text of committed) {
      assert.match(text, /npx hoist pipeline run delivery --stage deploy --yes/);
      assert.ok(!text.includes('canary-Zx9'), 'no secret value in a CI file');
    }
  });

  it('multi-host: matches its snapshot and spreads replicas over every inventory host', () => {
    const { graph, text } = synthExample('multi-host');
    matchSnapshot('multi-host.graph.json', text);
    const stack = onlyStack(graph);
    assert.deepEqual(stack.hosts.map((h) => [h.name, h.engine]), [['node-1', 'docker'], ['node-2', 'docker'], ['node-3', 'podman']]);
    const web = containers(stack).filter((c) => c.spec.service === 'web');
    assert.deepEqual(web.map((c) => c.host), ['node-1', 'node-2', 'node-3']);
    const workers = containers(stack).filter((c) => c.spec.service === 'worker');
    assert.equal(workers.length, 4);
    assert.deepEqual(new Set(workers.map((c) => c.host)).size, 3);
    for (const c of containers(stack)) {
      assert.equal(c.spec.image.reference, 'busybox:latest');
      assert.deepEqual(c.spec.capDrop, ['ALL']);
      assert.equal(c.spec.resources.pidsLimit, 50);
    }
    // Inventory paths are recorded relative to the project, so the graph is the same on every checkout.
    assert.equal(stack.hosts[0].hostKey.knownHostsFile, 'known_hosts');
  });

  it('two synths of the same program are byte-identical', () => {
    assert.equal(synthExample('multi-host').text, synthExample('multi-host').text);
  });
});
