import { DOCKER_PROFILE } from '../../lib/drivers/docker/docker-profile';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Host, Image, Secret, Service, Stack, Testing } from '../../lib';
import { readSecretsForPlan } from '../../lib/apply/secret-values';
import { buildCreateContainerRequest } from '../../lib/engine/container-create';
import { normalizeContainer } from '../../lib/engine/normalize-container';
import { ownershipLabels } from '../../lib/engine/ownership-labels';
import { newSecretVolumes, secretArchive, secretDirectories, secretFileOwner, secretVolumeMounts } from '../../lib/engine/secret-files';
import type { ContainerResource, StackGraph } from '../../lib/graph/graph-document';
import type { StackPlan } from '../../lib/plan/plan-types';
import { fingerprintKeyOf } from '../../lib/secrets/secret-fingerprint';

/** The key Testing.synth fingerprints with. */
const TESTING_KEY = fingerprintKeyOf('hoist-testing-fingerprint-key');

function stackWithSecrets(dir: string, value: Buffer): StackGraph {
  fs.writeFileSync(path.join(dir, 'pw'), value);
  process.env.HOIST_DELIVERY_TOKEN = 'tok $x "y"\nz';
  const app = Testing.app({ projectDir: dir });
  const stack = new Stack(app, 'shop');
  new Host(stack, 'h1', { address: '10.9.0.1' });
  const pw = Secret.fromFile(stack, 'pw', 'pw');
  const token = Secret.fromEnv(stack, 'token', 'HOIST_DELIVERY_TOKEN');
  new Service(stack, 'app', {
    image: Image.fromRegistry('busybox'),
    secrets: [pw, pw.asFile('/etc/app/pw'), pw.asFile('/run/secrets/again'), token.asEnv('TOKEN')],
  });
  return Testing.synth(app).stacks[0];
}

function createPlan(stack: StackGraph): StackPlan {
  const c = stack.resources.find((r) => r.kind === 'container')!;
  return { stack: stack.name, conflicts: [], kept: [], actions: [{ step: 1, host: 'h1', kind: 'container', resource: c.id, name: 'shop-app-1', action: 'create', causes: [{ type: 'missing' }] }] };
}

describe('secret delivery', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-delivery-'));

  it('newSecretVolumes: one named volume per directory of file secrets, a new name each time, mounted by name', () => {
    const c = stackWithSecrets(dir, Buffer.from('pw')).resources.find((r): r is ContainerResource => r.kind === 'container')!;
    assert.deepEqual(secretDirectories(c.spec), ['/etc/app', '/run/secrets']);
    const volumes = newSecretVolumes(c.spec);
    assert.deepEqual(volumes.map((v) => v.directory), ['/etc/app', '/run/secrets']);
    for (const v of volumes) assert.match(v.name, /^hoist-secrets-[0-9a-f]{16}$/);
    assert.notEqual(newSecretVolumes(c.spec)[0].name, volumes[0].name, 'a replacement never shares its predecessor\'s secret volume');
    assert.deepEqual(secretVolumeMounts(volumes), volumes.map((v) => ({ Type: 'volume', Source: v.name, Target: v.directory })));
    assert.throws(() => buildCreateContainerRequest(c.spec, {}, new Map([['TOKEN', 'x']])), /secret volumes of shop-app-1 .* do not match its secret directories/);
  });

  it('file owners: numeric users as given, names looked up in the image\'s own account files, root by default', () => {
    assert.deepEqual(secretFileOwner(''), { uid: 0, gid: 0 });
    assert.deepEqual(secretFileOwner('1000'), { uid: 1000, gid: 0 });
    assert.deepEqual(secretFileOwner('1000:50'), { uid: 1000, gid: 50 });
    const accounts = { passwd: 'root:x:0:0:root:/root:/bin/sh\npostgres:x:100:102::/var/lib/postgresql:/bin/sh\n', group: 'root:x:0:\npostgres:x:102:\nssl-cert:x:101:postgres\n' };
    assert.deepEqual(secretFileOwner('postgres', accounts), { uid: 100, gid: 102 }, 'the image\'s uid and primary group, not the host\'s');
    assert.deepEqual(secretFileOwner('postgres:ssl-cert', accounts), { uid: 100, gid: 101 });
    assert.deepEqual(secretFileOwner('100:ssl-cert', accounts), { uid: 100, gid: 101 });
    assert.throws(() => secretFileOwner('app', accounts), /the container user "app" is not in the image's \/etc\/passwd/);
    assert.throws(() => secretFileOwner('postgres:nogroup', accounts), /the container group "nogroup" is not in the image's \/etc\/group/);
  });

  it('the archive holds each file byte for byte with mode 0600 and the owner', async () => {
    const value = Buffer.from([0x00, 0xff, 0x24, 0x28, 0x0a, 0x60, 0x22, 0x27]);
    const archive = await secretArchive([{ name: 'pw', value }, { name: 'again', value: Buffer.from('second') }], { uid: 1000, gid: 50 });
    const tarStream = require('tar-stream') as typeof import('tar-stream');
    const extract = tarStream.extract();
    const entries: { name: string; mode: number; uid: number; gid: number; body: Buffer }[] = [];
    await new Promise<void>((resolve, reject) => {
      extract.on('entry', (header, stream, next) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c) => chunks.push(c as Buffer));
        stream.on('end', () => {
          entries.push({ name: header.name, mode: header.mode!, uid: header.uid!, gid: header.gid!, body: Buffer.concat(chunks) });
          next();
        });
      });
      extract.on('finish', resolve);
      extract.on('error', reject);
      extract.end(archive);
    });
    assert.deepEqual(entries, [
      { name: 'pw', mode: 0o600, uid: 1000, gid: 50, body: value },
      { name: 'again', mode: 0o600, uid: 1000, gid: 50, body: Buffer.from('second') },
    ]);
  });

  it('env secrets go into the create request; reading back never shows them and hides the secret volumes', () => {
    const stack = stackWithSecrets(dir, Buffer.from('pw'));
    const c = stack.resources.find((r): r is ContainerResource => r.kind === 'container')!;
    const labels = ownershipLabels('shop', c, 1);
    const secret = newSecretVolumes(c.spec);
    const request = buildCreateContainerRequest(c.spec, labels, new Map([['TOKEN', 'tok $x "y"\nz']]), { secret });
    assert.ok((request.body.Env as string[]).includes('TOKEN=tok $x "y"\nz'));
    assert.ok(!labels['hoist.spec'].includes('tok $x'), 'the recorded spec has no value');
    assert.throws(() => buildCreateContainerRequest(c.spec, labels, new Map(), { secret }), /value for TOKEN .* was not read/);
    // What an engine reports for that container: the variable, its named secret volume and a legacy anonymous one.
    const inspect = {
      Id: 'a'.repeat(64), Name: '/shop-app-1',
      Config: { Image: 'busybox:latest', Env: ['TOKEN=tok $x "y"\nz'], Labels: labels, Cmd: null, Entrypoint: null, User: '', WorkingDir: '', StopTimeout: 10 },
      HostConfig: { RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 }, PortBindings: {}, Tmpfs: {}, CapAdd: null, CapDrop: null, SecurityOpt: null, LogConfig: { Type: 'json-file', Config: {} } },
      Mounts: [{ Type: 'volume', Name: secret[0].name, Destination: '/etc/app', RW: true }, { Type: 'volume', Name: '1'.repeat(64), Destination: '/run/secrets', RW: true }],
      NetworkSettings: { Networks: {} },
    };
    const spec = normalizeContainer(inspect, { entrypoint: null, command: ['sh'], env: {}, user: null, workingDir: null, healthcheck: null, labels: {}, volumes: [] },
      { profile: DOCKER_PROFILE, loggingDriver: 'json-file', networkResources: new Map(), volumeResources: new Map() });
    assert.deepEqual(spec.env, {});
    assert.deepEqual(spec.mounts, []);
    assert.ok(!JSON.stringify(spec).includes('tok $x'));
  });

  it('reads the values a plan needs and checks them against the graph before anything changes', () => {
    const value = Buffer.from('pa$$ "w"\n');
    const stack = stackWithSecrets(dir, value);
    const ok = readSecretsForPlan(createPlan(stack), stack, dir, () => TESTING_KEY);
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.values.get('secret:shop/pw'), value);
    assert.equal(ok.values.get('secret:shop/token')?.toString(), 'tok $x "y"\nz');

    fs.writeFileSync(path.join(dir, 'pw'), 'changed');
    const changed = readSecretsForPlan(createPlan(stack), stack, dir, () => TESTING_KEY);
    assert.deepEqual(changed.problems, ['shop/pw: the value changed since the graph was made; run hoist plan again so the plan shows the change']);
    assert.ok(!changed.problems.join().includes('changed\n') && !JSON.stringify(changed.problems).includes('pa$$'));

    const otherKey = readSecretsForPlan(createPlan(stack), stack, dir, () => fingerprintKeyOf('another key'));
    assert.match(otherKey.problems[0], /^shop\/pw: the graph was made with fingerprint key [0-9a-f]{8}, but this machine's key is [0-9a-f]{8}; set HOIST_FINGERPRINT_KEY/);

    delete process.env.HOIST_DELIVERY_TOKEN;
    const missing = readSecretsForPlan(createPlan(stack), stack, dir, () => TESTING_KEY);
    assert.ok(missing.problems.includes('shop/token: environment variable HOIST_DELIVERY_TOKEN is not set; export it before running hoist'));
  });

  it('refuses a binary value as an environment variable', () => {
    process.env.HOIST_DELIVERY_TOKEN = 'ok';
    const app = Testing.app({ projectDir: dir });
    const stack = new Stack(app, 'shop');
    new Host(stack, 'h1', { address: '10.9.0.1' });
    fs.writeFileSync(path.join(dir, 'bin'), Buffer.from([0x41, 0x00, 0xff]));
    const binary = Secret.fromFile(stack, 'bin', 'bin');
    new Service(stack, 'app', { image: Image.fromRegistry('busybox'), secrets: [binary.asEnv('BIN')] });
    const graph = Testing.synth(app).stacks[0];
    const result = readSecretsForPlan(createPlan(graph), graph, dir, () => TESTING_KEY);
    assert.deepEqual(result.problems, ['shop/bin: the value is not text without NUL bytes, so it cannot be an environment variable; deliver it as a file (secret.asFile)']);
  });
});
