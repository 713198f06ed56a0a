import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { type AtomicWriteFs, writeFileAtomic } from '../../lib/values/write-file-atomic';

function scratch(): { dir: string; outside: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-atomic-'));
  // The file an attacker wants overwritten lives in another directory.
  const outsideDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-atomic-outside-'));
  const outside = path.join(outsideDir, 'authorized_keys');
  fs.writeFileSync(outside, 'precious\n');
  return { dir, outside };
}

/** node:fs, with every path openSync creates recorded (and optionally a hook run before it). */
function recordingFs(beforeOpen?: (file: string) => void): AtomicWriteFs & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    openSync: (file, flags, mode) => {
      opened.push(file);
      beforeOpen?.(file);
      return fs.openSync(file, flags, mode);
    },
    fchmodSync: fs.fchmodSync,
    writeSync: (fd, data, offset, length) => fs.writeSync(fd, data, offset, length),
    fsyncSync: fs.fsyncSync,
    closeSync: fs.closeSync,
    renameSync: fs.renameSync,
    unlinkSync: fs.unlinkSync,
  };
}

describe('writeFileAtomic', () => {
  it('writeFileAtomic replaces the target with mode 0600 whatever the umask, and leaves no temporary file', () => {
    const { dir } = scratch();
    const target = path.join(dir, 'plan.json');
    fs.writeFileSync(target, 'old\n', { mode: 0o644 });
    const umask = process.umask(0);
    try {
      writeFileAtomic(target, '{"new":true}\n');
    } finally {
      process.umask(umask);
    }
    assert.equal(fs.readFileSync(target, 'utf8'), '{"new":true}\n');
    assert.equal(fs.statSync(target).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir), ['plan.json']);
  });

  it('writeFileAtomic ignores a symlink planted at the old predictable <target>.tmp path: the file it points to is unchanged', () => {
    const { dir, outside } = scratch();
    const target = path.join(dir, 'plan.json');
    fs.symlinkSync(outside, `${target}.tmp`);
    writeFileAtomic(target, 'plan\n');
    assert.equal(fs.readFileSync(outside, 'utf8'), 'precious\n');
    assert.equal(fs.readFileSync(target, 'utf8'), 'plan\n');
    assert.ok(!fs.lstatSync(target).isSymbolicLink());
  });

  it('writeFileAtomic creates its temporary file beside the target under a new random name each time', () => {
    const { dir } = scratch();
    const target = path.join(dir, 'graph.json');
    const io = recordingFs();
    writeFileAtomic(target, 'a', { fs: io });
    writeFileAtomic(target, 'b', { fs: io });
    assert.equal(io.opened.length, 2);
    for (const file of io.opened) {
      assert.equal(path.dirname(file), dir);
      assert.match(path.basename(file), /^\.graph\.json\.[0-9a-f]{24}\.tmp$/);
    }
    assert.notEqual(io.opened[0], io.opened[1]);
  });

  it('writeFileAtomic refuses to open a path someone planted (a symlink to a file elsewhere) instead of following it', () => {
    const { dir, outside } = scratch();
    const target = path.join(dir, 'plan.json');
    fs.writeFileSync(target, 'old\n');
    // The race an O_EXCL create closes: the name is taken between choosing and opening it.
    const io = recordingFs((file) => fs.symlinkSync(outside, file));
    assert.throws(() => writeFileAtomic(target, 'new\n', { fs: io }), { code: 'EEXIST' });
    assert.equal(fs.readFileSync(outside, 'utf8'), 'precious\n');
    assert.equal(fs.readFileSync(target, 'utf8'), 'old\n');
  });

  it('writeFileAtomic that fails mid-write leaves the old target intact and removes its temporary file', () => {
    const { dir } = scratch();
    const target = path.join(dir, 'plan.json');
    fs.writeFileSync(target, 'the plan that was reviewed\n');
    let writes = 0;
    const io: AtomicWriteFs = {
      ...recordingFs(),
      // The first write lands half the data; the second fails like a full disk.
      writeSync: (fd, data, offset, length) => {
        if (writes++ > 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return fs.writeSync(fd, data, offset, Math.ceil(length / 2));
      },
    };
    assert.throws(() => writeFileAtomic(target, 'x'.repeat(10_000), { fs: io }), /ENOSPC/);
    assert.equal(writes, 2, 'the write failed part-way, after some data was written');
    assert.equal(fs.readFileSync(target, 'utf8'), 'the plan that was reviewed\n');
    assert.deepEqual(fs.readdirSync(dir), ['plan.json']);
  });
});
