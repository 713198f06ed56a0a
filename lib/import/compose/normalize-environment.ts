import * as fs from 'node:fs';
import * as path from 'node:path';
import { ComposeImportError } from './compose-import-error';
import type { ComposeService } from './compose-model';
import { expandHome, type ComposeReader, type FindingOwner } from './compose-reader';
import { asBoolean, asEntries, asText, isRecord } from './compose-values';
import { readEnvFile, type KeyPath } from './read-compose';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A service's variables as Compose computes them: each `env_file` in order (its values
 * interpolated from the project's environment), then `environment` on top; a name without
 * a value takes the project environment's, and is left out when that has none.
 */
export function normalizeEnvironment(r: ComposeReader, s: Record<string, unknown>, at: KeyPath, service: Mutable<ComposeService>, owner: FindingOwner): void {
  const set = (name: string, value: string, where: KeyPath) => {
    delete service.environment[name];
    service.environment[name] = value;
    service.environmentWhere[name] = r.where(where);
  };
  if (s.env_file !== undefined) {
    const items = typeof s.env_file === 'string' ? [s.env_file] : Array.isArray(s.env_file) ? s.env_file : undefined;
    if (items === undefined) r.error([...at, 'env_file'], 'expected a file or a list of files');
    (items ?? []).forEach((item, i) => {
      const iat: KeyPath = typeof s.env_file === 'string' ? [...at, 'env_file'] : [...at, 'env_file', i];
      const written = typeof item === 'string' ? item : isRecord(item) ? asText(item.path) : undefined;
      if (written === undefined) return r.error(iat, 'expected a file, or { path, required }');
      const required = isRecord(item) && item.required !== undefined ? asBoolean(item.required) ?? true : true;
      if (isRecord(item) && item.format !== undefined) r.skip([...iat, 'format'], 'Hoist reads env files in Compose\'s own format only', owner);
      const file = path.resolve(r.source.directory, expandHome(written));
      const shown = path.join(path.dirname(r.source.displayFile), written);
      if (!fs.existsSync(file)) {
        if (required) r.error(iat, `the env file ${written} does not exist`);
        else r.note(iat, `the env file ${written} does not exist and is not required; skipped, as Compose does`, owner);
        return;
      }
      try {
        for (const [name, value] of readEnvFile(file, shown, r.source.environment)) set(name, value, iat);
      } catch (error) {
        if (error instanceof ComposeImportError) r.errors.push(...error.problems); else throw error;
      }
    });
  }
  if (s.environment !== undefined) {
    const entries = asEntries(s.environment);
    if (entries === undefined) r.error([...at, 'environment'], 'expected a mapping or a list of "NAME=value"');
    for (const entry of entries ?? []) {
      const eat: KeyPath = [...at, 'environment', entry.index];
      if (entry.value !== undefined) {
        set(entry.key, entry.value, eat);
        continue;
      }
      // A name without a value passes the variable through from where Compose runs.
      const inherited = r.source.environment.get(entry.key);
      if (inherited === undefined) {
        delete service.environment[entry.key];
        r.note(eat, `${entry.key} takes its value from the environment, where it is not set; left out, as Compose does`, owner);
      } else {
        set(entry.key, inherited, eat);
        r.note(eat, `${entry.key} takes its value from the environment; the program has the value it had when imported`, owner);
      }
    }
  }
}
