import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..');

describe('loadDockerode (lib/drivers/engine-api/load-dockerode.ts)', () => {
  it('gives a working dockerode without loading gRPC or a protobuf loader, and its session refuses', () => {
    const script = `
      const { loadDockerode } = require('./dist/drivers/engine-api/load-dockerode.js');
      const Docker = loadDockerode();
      const docker = new Docker({ protocol: 'http', host: 'engine', port: 80 });
      const loaded = Object.keys(require.cache);
      let refusal = '';
      try { require('dockerode/lib/session')(); } catch (error) { refusal = error.message; }
      process.stdout.write(JSON.stringify({
        container: typeof docker.getContainer('x').inspect,
        grpc: loaded.some((f) => f.includes('/@grpc/')),
        protobuf: loaded.some((f) => f.includes('/protobufjs/')),
        refusal,
      }));`;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.container, 'function');
    assert.equal(result.grpc, false, '@grpc/grpc-js is not loaded');
    assert.equal(result.protobuf, false, 'protobufjs is not loaded');
    assert.match(result.refusal, /not loaded by Hoist/);
  });
});
