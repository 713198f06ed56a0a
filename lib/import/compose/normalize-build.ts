import * as path from 'node:path';
import { NOT_A_COMPOSE_KEY, UNSUPPORTED_BUILD_KEYS } from './compose-keys';
import type { ComposeBuild, ComposeWhere } from './compose-model';
import { expandHome, type ComposeReader, type FindingOwner } from './compose-reader';
import { asEntries, asStringList, asText, isRecord } from './compose-values';
import type { KeyPath } from './read-compose';

/**
 * A service's `build`: a context directory, or `context`, `dockerfile`, `target`, `args`
 * (an argument without a value comes from the environment), one of `platforms` and
 * `secrets`. Git URLs as contexts and the builder's other options are reported.
 */
export function normalizeBuild(r: ComposeReader, value: unknown, at: KeyPath, owner: FindingOwner, secrets: Set<string>): ComposeBuild | undefined {
  if (typeof value === 'string') {
    return { where: r.where(at), context: contextPath(r, value), args: {}, secrets: [] };
  }
  if (!isRecord(value)) {
    r.error(at, 'expected a context directory or a mapping');
    return undefined;
  }
  for (const k of Object.keys(value)) {
    if (k.startsWith('x-') || ['context', 'dockerfile', 'target', 'args', 'platforms', 'secrets'].includes(k)) continue;
    r.skip([...at, k], UNSUPPORTED_BUILD_KEYS[k] ?? NOT_A_COMPOSE_KEY, owner);
  }
  const context = asText(value.context) ?? '.';
  if (/^(https?|git)(:\/\/|@)|\.git(#|$)/.test(context)) {
    r.skip([...at, 'context'], 'Hoist builds from a local directory, not from a Git URL', owner);
    return undefined;
  }
  const args: Record<string, string> = {};
  if (value.args !== undefined) {
    const entries = asEntries(value.args);
    if (entries === undefined) r.error([...at, 'args'], 'expected a mapping or a list of "NAME=value"');
    for (const entry of entries ?? []) {
      // An argument without a value takes it from the environment, and is left out when unset.
      const v = entry.value ?? r.source.environment.get(entry.key);
      if (v !== undefined) args[entry.key] = v;
    }
  }
  let platform: string | undefined;
  if (value.platforms !== undefined) {
    const platforms = asStringList(value.platforms) ?? [];
    if (platforms.length === 1) platform = platforms[0];
    else r.skip([...at, 'platforms'], 'Hoist builds each image for one platform', owner);
  }
  const buildSecrets: { where: ComposeWhere; secret: string }[] = [];
  if (value.secrets !== undefined) {
    const items = Array.isArray(value.secrets) ? value.secrets : [];
    items.forEach((item, i) => {
      const sat = [...at, 'secrets', i];
      const name = typeof item === 'string' ? item : isRecord(item) ? asText(item.source) : undefined;
      if (name === undefined) return r.error(sat, 'expected a secret name or { source }');
      if (!secrets.has(name)) return r.error(sat, `the secret ${JSON.stringify(name)} is not declared under the top-level secrets`);
      if (isRecord(item) && Object.keys(item).some((k) => k !== 'source' && k !== 'target')) {
        return r.skip(sat, 'Hoist serves build secrets at /run/secrets/<name>, with no uid, gid or mode of their own', owner);
      }
      if (isRecord(item) && item.target !== undefined && item.target !== name) {
        return r.skip(sat, 'Hoist serves a build secret under its own name (RUN --mount=type=secret,id=<name>)', owner);
      }
      buildSecrets.push({ where: r.where(sat), secret: name });
    });
  }
  return {
    where: r.where(at),
    context: contextPath(r, context),
    dockerfile: asText(value.dockerfile),
    target: asText(value.target),
    args,
    platform,
    secrets: buildSecrets,
  };
}

function contextPath(r: ComposeReader, context: string): string {
  return path.resolve(r.source.directory, expandHome(context));
}
