import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { archiveForHost, spoolImageArchive } from '../../lib/images/image-archive';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A `docker save`-shaped archive of two layers (the second also linked, as engines do for duplicates). */
async function saveArchive(options: { corruptLayer?: boolean } = {}): Promise<{ bytes: Buffer; id: string; layers: Buffer[] }> {
  const tarStream = require('tar-stream') as typeof import('tar-stream');
  const layers = [Buffer.alloc(300_000, 1), Buffer.from('small layer')];
  const config = JSON.stringify({ rootfs: { type: 'layers', diff_ids: layers.map(sha) } });
  const id = sha(config);
  const pack = tarStream.pack();
  // Read while writing: pack.entry's callback waits until the entry has been read.
  const chunks: Buffer[] = [];
  const read = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  const add = (name: string, body: Buffer | string) => new Promise<void>((resolve, reject) => pack.entry({ name }, body, (e) => (e ? reject(e) : resolve())));
  await add('aaa/VERSION', '1.0');
  await add('aaa/layer.tar', layers[0]);
  await add('bbb/layer.tar', options.corruptLayer ? Buffer.from('tampered') : layers[1]);
  pack.entry({ name: 'ccc/layer.tar', type: 'symlink', linkname: '../bbb/layer.tar' });
  await add(`${id.slice(7)}.json`, config);
  await add('manifest.json', JSON.stringify([{ Config: `${id.slice(7)}.json`, RepoTags: ['hoist/shop/web:abc'], Layers: ['aaa/layer.tar', 'ccc/layer.tar'] }]));
  pack.finalize();
  await read;
  return { bytes: Buffer.concat(chunks), id, layers };
}

async function entriesOf(stream: Readable): Promise<Map<string, { size: number; type: string }>> {
  const tarStream = require('tar-stream') as typeof import('tar-stream');
  const extract = tarStream.extract();
  const entries = new Map<string, { size: number; type: string }>();
  extract.on('entry', (header, body, next) => {
    let size = 0;
    body.on('data', (c) => {
      size += (c as Buffer).length;
    });
    body.on('end', () => {
      entries.set(header.name, { size, type: header.type ?? 'file' });
      next();
    });
  });
  stream.pipe(extract);
  await new Promise<void>((resolve, reject) => extract.on('finish', () => resolve()).on('error', reject));
  return entries;
}

describe('image archives sent directly', () => {
  it('checks the image id and every layer digest, following linked layer entries', async () => {
    const { bytes, id, layers } = await saveArchive();
    const spool = await spoolImageArchive(Readable.from([bytes]), id, 'builder');
    try {
      assert.deepEqual(spool.layers, layers.map(sha));
      assert.equal(spool.layerBytes.get(sha(layers[0])), 300_000);
    } finally {
      spool.dispose();
    }
  });

  it('refuses an archive whose layer does not match its digest, or that is another image, and leaves no files', async () => {
    const before = fs.readdirSync(require('node:os').tmpdir()).filter((n) => n.startsWith('hoist-image-')).length;
    const corrupt = await saveArchive({ corruptLayer: true });
    await assert.rejects(spoolImageArchive(Readable.from([corrupt.bytes]), corrupt.id, 'builder'), /layer 2 \(ccc\/layer\.tar\) of the image archive from builder has digest sha256:[0-9a-f]+, expected sha256:/);
    const other = await saveArchive();
    await assert.rejects(spoolImageArchive(Readable.from([other.bytes]), 'sha256:0000', 'builder'), /is image sha256:[0-9a-f]+, not the built sha256:0000/);
    const after = fs.readdirSync(require('node:os').tmpdir()).filter((n) => n.startsWith('hoist-image-')).length;
    assert.equal(after, before);
  });

  it('sends the layers a host has as empty entries, and counts the bytes sent', async () => {
    const { bytes, id, layers } = await saveArchive();
    const spool = await spoolImageArchive(Readable.from([bytes]), id, 'builder');
    try {
      const full = archiveForHost(spool, new Set());
      const fullEntries = await entriesOf(full.stream);
      assert.equal(full.layersSent, 2);
      assert.equal(fullEntries.get('aaa/layer.tar')!.size, 300_000);
      assert.ok((await full.bytes) > 300_000);

      const partial = archiveForHost(spool, new Set([sha(layers[0])]));
      const chunks: Buffer[] = [];
      const collected = new Readable({ read() {} });
      partial.stream.on('data', (c: Buffer) => {
        chunks.push(c);
        collected.push(c);
      });
      partial.stream.on('end', () => collected.push(null));
      const entries = await entriesOf(collected);
      assert.equal(partial.layersSent, 1);
      assert.equal(entries.get('aaa/layer.tar')!.size, 0, 'the layer the host has goes as an empty file');
      assert.equal(entries.get('bbb/layer.tar')!.size, layers[1].length);
      assert.equal(entries.get('ccc/layer.tar')!.type, 'symlink');
      assert.ok(entries.has('manifest.json') && entries.has(`${id.slice(7)}.json`));
      assert.ok(!entries.has('aaa/VERSION'), 'legacy files the loaders do not read stay home');
      const sent = await partial.bytes;
      assert.equal(sent, Buffer.concat(chunks).length);
      assert.ok(sent < 20_000, `only the small layer and metadata are sent (${sent} bytes)`);
    } finally {
      spool.dispose();
    }
  });
});
