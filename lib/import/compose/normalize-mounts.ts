import * as path from 'node:path';
import { NOT_A_COMPOSE_KEY } from './compose-keys';
import type { ComposeMount } from './compose-model';
import { expandHome, type ComposeReader, type FindingOwner } from './compose-reader';
import { asBoolean, asText, isRecord } from './compose-values';
import type { KeyPath } from './read-compose';

/**
 * A service's `volumes` in both syntaxes: named volumes (declared at the top level), bind
 * mounts (relative sources resolved against the Compose file's directory, `~` against the
 * home directory, as Compose does) and tmpfs; `ro`/`rw` and `read_only`. Anonymous volumes,
 * SELinux relabelling, propagation and `nocopy` go to the unsupported list.
 */
export function normalizeMounts(r: ComposeReader, value: unknown, at: KeyPath, owner: FindingOwner, declared: Set<string>): ComposeMount[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    r.error(at, 'expected a list');
    return [];
  }
  const out: ComposeMount[] = [];
  value.forEach((item, i) => {
    const vat: KeyPath = [...at, i];
    const where = r.where(vat);
    let type: string;
    let sourceText: string | undefined;
    let target: string | undefined;
    let readOnly = false;
    let size: string | undefined;
    if (isRecord(item)) {
      r.otherKeys(item, vat, ['type', 'source', 'target', 'read_only', 'bind', 'volume', 'tmpfs', 'consistency'], {}, owner);
      type = asText(item.type) ?? '';
      sourceText = asText(item.source);
      target = asText(item.target);
      readOnly = asBoolean(item.read_only) ?? false;
      if (isRecord(item.bind)) {
        for (const k of Object.keys(item.bind)) {
          if (k === 'create_host_path') continue;
          r.skip([...vat, 'bind', k], k === 'propagation' ? 'Hoist keeps the engine\'s default mount propagation' : k === 'selinux' ? 'Hoist does not relabel bind mounts for SELinux' : NOT_A_COMPOSE_KEY, owner);
        }
      }
      if (isRecord(item.volume)) {
        for (const k of Object.keys(item.volume)) {
          r.skip([...vat, 'volume', k], k === 'nocopy' ? 'Hoist lets the engine copy the image\'s files into an empty volume' : k === 'subpath' ? 'Hoist mounts whole volumes' : NOT_A_COMPOSE_KEY, owner);
        }
      }
      if (isRecord(item.tmpfs)) {
        for (const k of Object.keys(item.tmpfs)) {
          if (k === 'size') {
            size = r.size(item.tmpfs.size, [...vat, 'tmpfs', 'size'], owner);
          } else {
            r.skip([...vat, 'tmpfs', k], k === 'mode' ? 'Hoist mounts tmpfs with the engine\'s default mode (1777)' : NOT_A_COMPOSE_KEY, owner);
          }
        }
      }
      if (item.consistency !== undefined) r.note([...vat, 'consistency'], 'has no effect on Linux hosts; ignored, as Compose does', owner);
    } else {
      const text = asText(item);
      if (text === undefined) return r.error(vat, 'expected a volume mount');
      const parts = text.split(':');
      if (parts.length === 1) {
        target = parts[0];
        type = 'volume';
      } else {
        [sourceText, target] = parts;
        type = /^[./~]/.test(sourceText) ? 'bind' : 'volume';
        for (const mode of (parts[2] ?? '').split(',').filter((m) => m !== '')) {
          if (mode === 'ro') readOnly = true;
          else if (mode === 'rw') readOnly = false;
          else if (['cached', 'delegated', 'consistent'].includes(mode)) r.note(vat, 'has no effect on Linux hosts; ignored, as Compose does', owner, `mode ${mode}`);
          else if (mode === 'z' || mode === 'Z') r.skip(vat, 'Hoist does not relabel bind mounts for SELinux', owner, `mode ${mode}`);
          else if (mode === 'nocopy') r.skip(vat, 'Hoist lets the engine copy the image\'s files into an empty volume', owner, `mode ${mode}`);
          else if (/^r?(shared|slave|private)$/.test(mode)) r.skip(vat, 'Hoist keeps the engine\'s default mount propagation', owner, `mode ${mode}`);
          else return r.error(vat, `${JSON.stringify(mode)} is not a volume mode`);
        }
        if (parts.length > 3) return r.error(vat, `${JSON.stringify(text)} is not SOURCE:TARGET[:MODE]`);
      }
    }
    if (target === undefined || !target.startsWith('/')) return r.error(vat, `${JSON.stringify(target ?? '')} is not an absolute path in the container`);
    if (type === 'volume') {
      if (sourceText === undefined || sourceText === '') {
        return r.skip(vat, 'an anonymous volume: Hoist mounts named volumes, binds and tmpfs; declare a named volume for this path', owner);
      }
      if (!declared.has(sourceText)) return r.error(vat, `the volume ${JSON.stringify(sourceText)} is not declared under the top-level volumes`);
      out.push({ where, type: 'volume', volume: sourceText, target, readOnly });
    } else if (type === 'bind') {
      if (sourceText === undefined || sourceText === '') return r.error(vat, 'a bind mount needs a source');
      const source = path.resolve(r.source.directory, expandHome(sourceText));
      if (!path.isAbsolute(sourceText)) {
        r.note(vat, `${sourceText} is resolved against the Compose file's directory, as Compose does; the directory must exist on the host (Hoist does not create it)`, owner);
      }
      out.push({ where, type: 'bind', source, written: sourceText, target, readOnly });
    } else if (type === 'tmpfs') {
      out.push({ where, type: 'tmpfs', target, size });
    } else {
      r.skip(vat, `a ${type || 'typeless'} mount: Hoist mounts named volumes, binds and tmpfs`, owner);
    }
  });
  return out;
}

/** The service-level `tmpfs` key: paths, each with an optional `size=` (the engine's other defaults kept). */
export function normalizeTmpfs(r: ComposeReader, value: unknown, at: KeyPath, owner: FindingOwner): ComposeMount[] {
  if (value === undefined || value === null) return [];
  const items = typeof value === 'string' ? [{ at, value }] : r.list(value, at);
  const out: ComposeMount[] = [];
  for (const item of items) {
    const colon = item.value.indexOf(':');
    const target = colon < 0 ? item.value : item.value.slice(0, colon);
    const options = colon < 0 ? [] : item.value.slice(colon + 1).split(',').filter((o) => o !== '');
    if (!target.startsWith('/')) {
      r.error(item.at, `${JSON.stringify(target)} is not an absolute path in the container`);
      continue;
    }
    let size: string | undefined;
    for (const option of options) {
      if (option.startsWith('size=')) size = r.size(option.slice(5), item.at, owner);
      // The engine mounts tmpfs rw,noexec,nosuid,nodev unless told otherwise.
      else if (!['rw', 'noexec', 'nosuid', 'nodev'].includes(option)) r.skip(item.at, 'Hoist mounts tmpfs with the engine\'s defaults (rw, noexec, nosuid, nodev) and a size', owner, `option ${option}`);
    }
    out.push({ where: r.where(item.at), type: 'tmpfs', target, size });
  }
  return out;
}
