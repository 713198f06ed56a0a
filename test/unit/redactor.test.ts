import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIN_REDACTED_LENGTH, REDACTED, Redactor } from '../../lib/values/redactor';
import { redactedError, redactingIo } from '../../lib/cli/redacting-io';
import { CliError } from '../../lib/cli/cli-error';

describe('Redactor', () => {
  it('redact() replaces a value wherever it occurs, as raw text and as JSON would escape it', () => {
    const r = new Redactor();
    r.add([Buffer.from('s3cr3t "quoted" $(x)')]);
    assert.equal(r.redact('a s3cr3t "quoted" $(x) b s3cr3t "quoted" $(x)'), `a ${REDACTED} b ${REDACTED}`);
    const json = JSON.stringify({ log: 'printed s3cr3t "quoted" $(x)\n' });
    assert.ok(!r.redact(json).includes('s3cr3t'), r.redact(json));
  });

  it('redact() replaces each line of a multi-line value, since logs are shown line by line and indented', () => {
    const r = new Redactor();
    r.add(['-----BEGIN KEY-----\nAAAAbbbbCCCC\n-----END KEY-----\n']);
    const shown = '; last log lines:\n    -----BEGIN KEY-----\n    AAAAbbbbCCCC\n    -----END KEY-----';
    const out = r.redact(shown);
    assert.ok(!out.includes('AAAAbbbbCCCC') && !out.includes('BEGIN KEY'), out);
  });

  it(`leaves values shorter than ${MIN_REDACTED_LENGTH} characters alone and is a no-op while empty`, () => {
    const r = new Redactor();
    assert.equal(r.empty, true);
    r.add(['ok']);
    assert.equal(r.redact('ok ok'), 'ok ok');
    assert.equal(r.empty, true);
  });

  it('redactingIo and redactedError cover what the CLI prints, keeping exit codes', () => {
    const r = new Redactor();
    const lines: string[] = [];
    const io = redactingIo({ out: (l) => lines.push(`out:${l}`), err: (l) => lines.push(`err:${l}`) }, r);
    r.add(['canary-1234']);
    io.out('x canary-1234');
    io.err('canary-1234 y');
    assert.deepEqual(lines, [`out:x ${REDACTED}`, `err:${REDACTED} y`]);
    const e = redactedError(new CliError('apply failed: canary-1234', 130), r) as CliError;
    assert.equal(e.message, `apply failed: ${REDACTED}`);
    assert.equal(e.exitCode, 130);
  });
});
