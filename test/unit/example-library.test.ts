import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Host, Image, Network, Secret, Stack, Testing } from '../../lib';
import { RESOURCE_KINDS } from '../../lib/graph/resource-kind';
import { PostgresDatabase, WebService } from '../../examples/library/lib';
import { REPO_ROOT } from '../helpers/cli';

const LIBRARY = path.join(REPO_ROOT, 'examples', 'library');

/** A stack with the library's two constructs wired together, as the webapp example does. */
function stackWith(options: { backup?: boolean; publish?: boolean } = {}) {
  process.env.HOIST_LIBRARY_TEST_PASSWORD = 'library-test-password';
  const app = Testing.app({ projectDir: path.join(REPO_ROOT, 'examples', 'webapp') });
  const stack = new Stack(app, 'shop');
  const dbHost = new Host(stack, 'db-1', { address: '10.9.0.1' });
  const web = [new Host(stack, 'web-1', { address: '10.9.0.2' }), new Host(stack, 'web-2', { address: '10.9.0.3' })];
  const network = new Network(stack, 'backend');
  const password = Secret.fromEnv(stack, 'db-password', 'HOIST_LIBRARY_TEST_PASSWORD');
  const database = new PostgresDatabase(stack, 'postgres', { host: dbHost, network, password, ...(options.backup ? { backup: { intervalSeconds: 3600, keep: 3 } } : {}) });
  new WebService(stack, 'app', {
    image: Image.fromRegistry('busybox:1.36'), port: 5000, hosts: web, database: database.connection,
    ...(options.publish ? { publishPort: 8081 } : {}),
  });
  return { app, database };
}

const containersOf = (graph: any) => graph.stacks[0].resources.filter((r: any) => r.kind === 'container');

describe('examples/library: composite constructs users need (PostgresDatabase, WebService)', () => {
  it('synthesize to the graph kinds the planner knows, nothing new', () => {
    const graph = Testing.synth(stackWith({ backup: true }).app);
    const kinds = new Set<string>(graph.stacks[0].resources.map((r: any) => r.kind));
    assert.ok([...kinds].every((k) => (RESOURCE_KINDS as readonly string[]).includes(k)), [...kinds].join(', '));
  });

  it('PostgresDatabase: a data volume kept on delete, the password as a file, a pg_isready health check, stop-first', () => {
    const { app, database } = stackWith();
    const graph = Testing.synth(app);
    const db = containersOf(graph).find((c: any) => c.spec.service === 'db');
    assert.equal(db.policy.update.order, 'stop-first');
    assert.deepEqual(db.spec.healthcheck.test.slice(0, 2), ['CMD', '/usr/lib/postgresql/15/bin/pg_isready']);
    assert.deepEqual(db.spec.secrets.map((s: any) => [s.name, s.target]), [['db-password', '/run/secrets/db-password']]);
    assert.equal(db.spec.env.POSTGRES_PASSWORD_FILE, '/run/secrets/db-password');
    assert.deepEqual(db.spec.networks.map((n: any) => [n.name, n.aliases]), [['shop-backend', ['db', 'postgres']]]);
    const volume = graph.stacks[0].resources.find((r: any) => r.kind === 'volume');
    assert.deepEqual([volume.spec.name, volume.policy.retainOnDelete], ['shop-pgdata', true]);
    assert.deepEqual({ ...database.connection, password: undefined, network: undefined, service: undefined }, {
      host: 'postgres', port: 5432, user: 'postgres', database: 'postgres', passwordFile: '/run/secrets/db-password', password: undefined, network: undefined, service: undefined,
    });
    // Its image is built from the library's own context, named relative to the project.
    const image = graph.stacks[0].resources.find((r: any) => r.kind === 'image' && r.id.startsWith('image:shop/postgres@'));
    assert.equal(image.spec.context, '../library/postgres');
    assert.ok(fs.existsSync(path.join(LIBRARY, 'postgres', 'entrypoint.sh')));
  });

  it('PostgresDatabase backup: a dump service with a volume of its own, started after the database is healthy', () => {
    const graph = Testing.synth(stackWith({ backup: true }).app);
    const backup = containersOf(graph).find((c: any) => c.spec.service === 'backup');
    assert.ok(backup, 'a backup service');
    assert.deepEqual(backup.spec.mounts.map((m: any) => [m.source, m.target]), [['shop-backups', '/backups']]);
    assert.match(backup.spec.command[0], /pg_dump -h 'postgres' -U postgres -Fc/);
    assert.match(backup.spec.command[0], /tail -n \+4/, 'keeps 3 dumps');
    assert.match(backup.spec.command[0], /sleep 3600/);
    assert.ok(!backup.spec.command[0].includes('library-test-password'), 'the password is read from the secret file at run time');
    assert.deepEqual(backup.dependsOn.filter((d: any) => d.id.startsWith('container:')).map((d: any) => d.condition), ['healthy']);
  });

  it('WebService: health check, rolling update defaults, hardening, and the database wired from its connection', () => {
    const graph = Testing.synth(stackWith().app);
    const webs = containersOf(graph).filter((c: any) => c.spec.service === 'web');
    assert.equal(webs.length, 2, 'one replica per host by default');
    const [web] = webs;
    assert.equal(web.policy.update.order, 'start-first');
    assert.equal(web.policy.update.failureAction, 'rollback');
    assert.equal(web.spec.readOnlyRootFilesystem, true);
    assert.deepEqual(web.spec.capDrop, ['ALL']);
    assert.ok(web.spec.healthcheck.test.join(' ').includes('/health'));
    assert.deepEqual(web.spec.env, { DATABASE_HOST: 'postgres', DATABASE_NAME: 'postgres', DATABASE_PORT: '5432', DATABASE_USER: 'postgres', PASSWORD_FILE: '/run/secrets/db-password' });
    assert.deepEqual(web.spec.networks.map((n: any) => n.name), ['shop-backend']);
    assert.deepEqual(web.dependsOn.filter((d: any) => d.id.startsWith('container:')), [{ id: 'container:shop/postgres/db#1@db-1', condition: 'healthy' }]);
    const published = containersOf(Testing.synth(stackWith({ publish: true }).app)).find((c: any) => c.spec.service === 'web');
    assert.equal(published.policy.update.order, 'stop-first', 'two containers cannot hold one host port');
  });

  it('compiles with jsii into an assembly with the constructs and their typed connection', () => {
    const jsii = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'jsii', 'bin', 'jsii'), '--fail-on-warnings'], {
      cwd: LIBRARY, encoding: 'utf8', timeout: 120_000,
      env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1', JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '1' },
    });
    assert.equal(jsii.status, 0, `${jsii.stdout}${jsii.stderr}`);
    const assembly = JSON.parse(fs.readFileSync(path.join(LIBRARY, '.jsii'), 'utf8'));
    const types = Object.keys(assembly.types).map((t) => t.replace(/^@hoist-examples\/web-stack\./, '')).sort();
    assert.deepEqual(types, ['DatabaseConnection', 'PostgresBackupOptions', 'PostgresDatabase', 'PostgresDatabaseProps', 'WebService', 'WebServiceProps']);
    assert.deepEqual(Object.keys(assembly.targets).sort(), ['dotnet', 'go', 'java', 'js', 'python']);
    assert.equal(assembly.dependencies.hoist, '^0.1.0');
  });
});
