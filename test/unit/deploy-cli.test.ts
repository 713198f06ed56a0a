import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Host, Image, Service, Stack, Testing } from '../../lib';
import { runHoist } from '../helpers/cli';

/**
 * The commands built on lib/deploy keep their messages and exit codes: flag errors, stack
 * choice, and hosts that refuse the connection (a port on loopback nobody listens on).
 */
describe('hoist apply, destroy, rollback, plan and status through the deploy API: messages and exit codes', () => {
  let dir: string;
  let port: number;

  before(async () => {
    // A port that was free a moment ago: connections to it are refused at once.
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-deploy-cli-'));
    for (const [file, stacks] of [['one.json', ['demo']], ['two.json', ['a', 'b']]] as const) {
      const app = Testing.app({ projectDir: dir });
      for (const name of stacks) {
        const stack = new Stack(app, name);
        const host = new Host(stack, 'h1', { address: '127.0.0.1', port, knownHostsFile: path.join(dir, 'known_hosts') });
        new Service(stack, 'web', { image: Image.fromRegistry('busybox:latest'), placement: { hosts: [host] } });
      }
      fs.writeFileSync(path.join(dir, file), JSON.stringify(Testing.synth(app)));
    }
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const hoist = (args: string[]) => runHoist(args, { cwd: dir });

  it('hoist apply --lock-timeout and --parallelism refuse bad values before anything else, exit 1', () => {
    const lock = hoist(['apply', '--graph', 'one.json', '--yes', '--lock-timeout', 'soon']);
    assert.equal(lock.status, 1);
    assert.match(lock.stderr, /^error: --lock-timeout: /m);
    const parallel = hoist(['destroy', '--graph', 'one.json', '--yes', '--parallelism', '0']);
    assert.equal(parallel.status, 1);
    assert.equal(parallel.stderr, 'error: --parallelism 0: must be a whole number of 1 or more\n');
  });

  it('hoist apply and destroy of an unreachable host: the library\'s DeployError printed as it always was, exit 1', () => {
    for (const verb of ['apply', 'destroy']) {
      const r = hoist([verb, '--graph', 'one.json', '--yes']);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^error: cannot ${verb}: not every host can be reached; nothing was changed:\\n  host h1: `, 'm'));
      assert.equal(r.stdout, '');
    }
  });

  it('hoist rollback names the stack to choose, checks --to, then reads the history', () => {
    const two = hoist(['rollback', '--graph', 'two.json', '--yes']);
    assert.equal(two.status, 1);
    assert.equal(two.stderr, 'error: the program has 2 stacks (a, b); name one with --stack\n');
    const none = hoist(['rollback', '--graph', 'two.json', '--stack', 'c', '--yes']);
    assert.equal(none.stderr, 'error: no stack named c; stacks: a, b\n');
    const to = hoist(['rollback', '--graph', 'one.json', '--to', 'last', '--yes']);
    assert.equal(to.stderr, 'error: --to: expected a revision number (see hoist history), got "last"\n');
    const unreachable = hoist(['rollback', '--graph', 'one.json', '--yes']);
    assert.equal(unreachable.status, 1);
    assert.match(unreachable.stderr, /^error: cannot roll back demo: the history of h1 \(.*\) cannot be read; nothing was changed$/m);
  });

  it('hoist plan and hoist status of an unreachable host: plan fails naming it, status shows it and exits 1', () => {
    const plan = hoist(['plan', '--graph', 'one.json']);
    assert.equal(plan.status, 1);
    assert.match(plan.stderr, /^error: cannot plan: 1 host\(s\) could not be read, and a plan needs every host:\n {2}host h1: /m);
    const status = hoist(['status', '--graph', 'one.json']);
    assert.equal(status.status, 1);
    assert.match(status.stderr, /error: 1 host\(s\) unreachable: h1$/m);
    const json = hoist(['status', '--graph', 'one.json', '--json']);
    assert.equal(json.status, 1);
    assert.equal(JSON.parse(json.stdout).stacks[0].hosts[0].reachable, false);
    const missing = hoist(['status', '--graph', 'two.json', '--stack', 'c']);
    assert.equal(missing.stderr, 'error: no stack named c; stacks: a, b\n');
  });
});
