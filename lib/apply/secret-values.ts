import type { ContainerResource, ImageResource, SecretOrigin, SecretReference, SecretResource, StackGraph } from '../graph/graph-document';
import type { SecretValues } from '../kinds/kind-definition';
import type { StackPlan } from '../plan/plan-types';
import { fingerprintSecret, type FingerprintKey } from '../secrets/secret-fingerprint';
import { readSecretValue } from '../secrets/read-secret-value';

export type { SecretValues };

export interface SecretReadResult {
  readonly values: SecretValues;
  /** Why some secret cannot be delivered; never containing a value. */
  readonly problems: string[];
}

/**
 * Reads, before anything changes, the value of every secret a container the plan creates or
 * replaces needs, and checks each against the fingerprint in the graph: a value that changed
 * since synth (or a machine with another fingerprint key) would otherwise put content on the
 * hosts that the recorded spec does not describe, and the next plan could not see it.
 */
export function readSecretsForPlan(stackPlan: StackPlan, stack: StackGraph, projectDir: string, key: () => FingerprintKey): SecretReadResult {
  const needed = new Map<string, { env: boolean }>();
  for (const action of stackPlan.actions) {
    if (action.kind !== 'container' || (action.action !== 'create' && action.action !== 'replace')) continue;
    const resource = stack.resources.find((r): r is ContainerResource => r.id === action.resource && r.kind === 'container');
    for (const secret of resource?.spec.secrets ?? []) {
      const entry = needed.get(secret.resource) ?? { env: false };
      needed.set(secret.resource, { env: entry.env || secret.env !== null });
    }
  }
  const values = new Map<string, Buffer>();
  const problems: string[] = [];
  for (const [secretKey, { env }] of [...needed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const resource = stack.resources.find((r): r is SecretResource => r.kind === 'secret' && r.id.startsWith(`${secretKey}@`));
    const where = secretKey.slice('secret:'.length);
    if (!resource) {
      problems.push(`${where}: the graph has no secret resource for it; synthesize again`);
      continue;
    }
    const read = checkedSecretValue(where, stack.name, resource.spec.name, resource.spec.fingerprint, resource.policy.origin, projectDir, key);
    if (!read.ok) {
      problems.push(read.reason);
      continue;
    }
    if (env && (read.value.includes(0) || !isUtf8(read.value))) {
      problems.push(`${where}: the value is not text without NUL bytes, so it cannot be an environment variable; deliver it as a file (secret.asFile)`);
      continue;
    }
    values.set(secretKey, read.value);
  }
  return { values, problems };
}

/**
 * The secrets the plan's images need: build secrets of the images it builds, registry
 * passwords of the ones it pushes and pulls; each checked against its fingerprint like any
 * secret.
 */
export function readImageSecrets(stackPlan: StackPlan, stack: StackGraph, projectDir: string, key: () => FingerprintKey): SecretReadResult {
  const values = new Map<string, Buffer>();
  const problems: string[] = [];
  const read = (p: SecretReference) => {
    if (values.has(p.secret)) return;
    const value = checkedSecretValue(p.secret.slice('secret:'.length), stack.name, p.name, p.fingerprint, p.origin, projectDir, key);
    if (!value.ok) problems.push(value.reason);
    else values.set(p.secret, value.value);
  };
  for (const action of stackPlan.actions) {
    if (action.kind !== 'image') continue;
    const resource = stack.resources.find((r): r is ImageResource => r.kind === 'image' && (r.id === action.resource || r.id.startsWith(`${action.resource}@`)));
    const policy = resource?.policy;
    if (action.action === 'build') for (const secret of policy?.buildSecrets ?? []) read(secret);
    if (action.delivery?.mode === 'registry' && policy?.delivery.mode === 'registry' && policy.delivery.password) read(policy.delivery.password);
  }
  return { values, problems };
}

/** A secret's value, if it can be read and still has the fingerprint the graph recorded. */
function checkedSecretValue(where: string, stack: string, name: string, fingerprint: string, origin: SecretOrigin, projectDir: string, key: () => FingerprintKey): { ok: true; value: Buffer } | { ok: false; reason: string } {
  const read = readSecretValue(origin, projectDir);
  if (!read.ok) return { ok: false, reason: `${where}: ${read.reason}` };
  const [, keyId] = fingerprint.split(':');
  const current = key();
  if (keyId !== current.id) {
    return { ok: false, reason: `${where}: the graph was made with fingerprint key ${keyId}, but this machine's key is ${current.id}; set HOIST_FINGERPRINT_KEY to the key used when planning (or plan again here)` };
  }
  if (fingerprintSecret(current, stack, name, read.value) !== fingerprint) {
    return { ok: false, reason: `${where}: the value changed since the graph was made; run hoist plan again so the plan shows the change` };
  }
  return { ok: true, value: read.value };
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
