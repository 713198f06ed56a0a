import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { byteLimit } from './byte-limit';
import type { GraphResource, HostSpec } from '../graph/graph-document';
import type { EngineDriver } from '../drivers/engine-driver';
import { isNotFound } from '../drivers/engine-error';
import { tarArchive } from '../drivers/tar-archive';
import { ensureLockImage, LOCK_IMAGE } from './host-lock';
import { HELPER_LABEL, LABEL, MANAGED_BY } from './ownership-labels';

/**
 * The audit record of changes on a host, kept by the host's engine itself: a volume
 * (`hoist-history`) holding one JSON file per apply and stack, written through a
 * never-started helper container. Kept in the engine rather than in a file over SSH for the
 * same reasons as the lock: everyone who can change the host (any SSH user with engine
 * access, a local host) sees the same history, and nothing depends on the host's layout.
 * Records are only ever added (each a new file with a unique name), never rewritten.
 */
export const HISTORY_VOLUME = 'hoist-history';
const MOUNT = '/history';
/** A record is a few kilobytes (a few hundred with a large stack's resources); larger is not one Hoist wrote. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
/** All of a stack's records as one archive: far beyond any real history, short of filling memory. */
const MAX_HISTORY_BYTES = 512 * 1024 * 1024;

/** One apply (or destroy) of one stack as seen by one host. */
export interface HistoryRecord {
  /** The run's id: the lock id, the same on every host of the run. */
  readonly id: string;
  readonly stack: string;
  readonly host: string;
  readonly time: string;
  readonly user: string;
  readonly machine: string;
  readonly command: 'apply' | 'destroy' | 'rollback';
  readonly outcome: 'applied' | 'failed' | 'rolled-back' | 'interrupted';
  readonly revision: number;
  readonly graphHash: string;
  readonly hoistVersion: string;
  /** Actions carried out on this host, by type. */
  readonly done: { build?: number; create: number; update: number; replace: number; delete: number };
  /** Actions on this host that failed, as `action kind name`, with the error's first line. */
  readonly failed: string[];
  /**
   * What the run asked this host to hold for the stack (its graph resources, secret
   * fingerprints but never values), and how the host is reached: what `hoist rollback`
   * rebuilds an earlier revision from. Absent in records of older versions.
   */
  readonly desired?: { readonly host: HostSpec; readonly resources: GraphResource[] };
}

/** Adds a record to the host's history. */
export async function appendHistory(client: EngineDriver, record: HistoryRecord): Promise<void> {
  const file = `${record.stack}/${record.time.replace(/[:.]/g, '-')}-${record.id}.json`;
  const archive = await tarArchive([{ header: { name: file, mode: 0o644 }, content: JSON.stringify(record) + '\n' }]);
  await withHelper(client, (helper) => client.putArchive(helper, MOUNT, archive));
}

/** The host's records for a stack, oldest first. */
export async function readHistory(client: EngineDriver, stack: string): Promise<HistoryRecord[]> {
  const volumes = await client.listVolumes({ name: [HISTORY_VOLUME] });
  if (!volumes.some((v) => v.Name === HISTORY_VOLUME)) return [];
  return withHelper(client, async (helper) => {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await client.getArchive(helper, `${MOUNT}/${stack}`);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const tarStream = require('tar-stream') as typeof import('tar-stream');
    const extract = tarStream.extract();
    const records: HistoryRecord[] = [];
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c) => {
        size += (c as Buffer).length;
        if (size <= MAX_RECORD_BYTES) chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        // A damaged or oversized record is skipped, not fatal: the rest of the history still reads.
        if (header.type === 'file' && header.name.endsWith('.json') && size <= MAX_RECORD_BYTES) {
          try {
            records.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as HistoryRecord);
          } catch {
            // not JSON: skipped like an oversized one
          }
        }
        next();
      });
    });
    await pipeline(archive as Readable, byteLimit(MAX_HISTORY_BYTES, `the history of stack ${stack} on ${client.host}`), extract);
    return records.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  });
}

/** Runs `work` with a never-started helper container that mounts the history volume, then removes it. */
async function withHelper<T>(client: EngineDriver, work: (helper: string) => Promise<T>): Promise<T> {
  await ensureLockImage(client);
  const labels = { [LABEL.managedBy]: MANAGED_BY, [HELPER_LABEL]: 'history' };
  // Made on first use; a create of one that exists leaves it as it is.
  await client.createVolume({ Name: HISTORY_VOLUME, Labels: labels });
  const helper = await client.createContainer(`hoist-history-${randomBytes(4).toString('hex')}`, {
    Image: LOCK_IMAGE,
    Cmd: ['hoist-history'],
    Labels: labels,
    HostConfig: { Mounts: [{ Type: 'volume', Source: HISTORY_VOLUME, Target: MOUNT }] },
  });
  try {
    return await work(helper);
  } finally {
    await client.removeContainer(helper).catch(() => undefined);
  }
}
