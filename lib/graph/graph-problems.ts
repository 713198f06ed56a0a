import { documentIssueMessage } from '../schemas/document-issue-message';
import { formatFieldPath, zodProblems } from '../schemas/zod-problems';
import { formatVersionProblem } from './format-version-problem';
import { GRAPH_FORMAT_VERSION, type GraphDocument, type GraphResource, type StackGraph } from './graph-document';
import { graphDocumentSchema } from './graph-schema';
import { resourceKeyOf } from './resource-id';
import { specHash } from './spec-hash';
import { hostsAndBuildersOf } from './stack-hosts';

/**
 * Everything wrong with a graph document as Hoist reads it, each `json.path: problem`, or
 * none: its format version (another major version is the only problem reported), its shape
 * and values (graphDocumentSchema), every resource's hash recomputed from its spec as synth
 * computes it, and, once the shape is right, its internal consistency (ids, hosts,
 * dependencies and the resources a container refers to). `at` prefixes every path, for a
 * graph inside another document. Pure.
 */
export function graphProblems(document: unknown, at = ''): string[] {
  const field = (...path: PropertyKey[]) => formatFieldPath(at, path);
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return [`${at || '(document)'}: expected a graph object`];
  }
  const version = formatVersionProblem((document as { formatVersion?: unknown }).formatVersion, GRAPH_FORMAT_VERSION);
  if (version) return [`${field('formatVersion')}: ${version}`];
  const parsed = graphDocumentSchema.safeParse(document, { error: documentIssueMessage });
  const hashes = hashProblems(document, field);
  if (!parsed.success) return [...zodProblems(parsed.error, at), ...hashes];
  // The document as read, not zod's copy: hashes cover members this reader does not know too.
  return [...hashes, ...consistencyProblems(document as GraphDocument, field)];
}

/**
 * Every resource's recorded hash against its spec, hashed as synth hashes it. Walks the
 * document defensively, so a hand-edited spec is reported even where the shape is broken too.
 */
function hashProblems(document: object, field: (...path: PropertyKey[]) => string): string[] {
  const problems: string[] = [];
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  list((document as { stacks?: unknown }).stacks).forEach((stack, s) => {
    list((stack as { resources?: unknown } | null)?.resources).forEach((resource, i) => {
      const r = resource as { id?: unknown; spec?: unknown; hash?: unknown } | null;
      if (r === null || typeof r !== 'object' || r.spec === undefined || typeof r.hash !== 'string') return;
      const actual = hashOf(r.spec);
      if (actual !== r.hash) {
        const found = actual ? `it hashes to ${short(actual)}` : 'it holds a number JSON cannot carry exactly';
        problems.push(`${field('stacks', s, 'resources', i, 'hash')}: the spec of ${typeof r.id === 'string' ? r.id : 'this resource'} does not match its recorded hash ${short(r.hash)} (${found}); the spec or the hash was changed after synth`);
      }
    });
  });
  return problems;
}

function consistencyProblems(graph: GraphDocument, field: (...path: PropertyKey[]) => string): string[] {
  const problems: string[] = [];
  const stackNames = new Set<string>();
  graph.stacks.forEach((stack, s) => {
    if (stackNames.has(stack.name)) problems.push(`${field('stacks', s, 'name')}: stack ${JSON.stringify(stack.name)} appears twice`);
    stackNames.add(stack.name);
    problems.push(...stackProblems(stack, (...path) => field('stacks', s, ...path)));
  });
  return problems;
}

function stackProblems(stack: StackGraph, field: (...path: PropertyKey[]) => string): string[] {
  const problems: string[] = [];
  const hostNames = new Set<string>();
  stack.hosts.forEach((host, h) => {
    if (hostNames.has(host.name)) problems.push(`${field('hosts', h, 'name')}: host ${JSON.stringify(host.name)} appears twice`);
    hostNames.add(host.name);
  });
  const hostList = [...hostNames].join(', ') || 'none';
  const buildersToo = new Set(hostsAndBuildersOf(stack).map((h) => h.name));
  const byId = new Map<string, GraphResource>();
  stack.resources.forEach((r, i) => {
    if (byId.has(r.id)) problems.push(`${field('resources', i, 'id')}: ${r.id} appears twice`);
    byId.set(r.id, r);
  });
  /** Resource keys (ids without their host) by kind, for what containers refer to. */
  const keys = new Set(stack.resources.map((r) => `${r.kind} ${resourceKeyOf(r.id)}`));

  stack.resources.forEach((r, i) => {
    const at = (...path: PropertyKey[]) => field('resources', i, ...path);
    if (!hostNames.has(r.host)) {
      problems.push(`${at('host')}: ${JSON.stringify(r.host)} is not a host of stack ${stack.name} (hosts: ${hostList})`);
    }
    if (!r.id.startsWith(`${r.kind}:`) || !r.id.endsWith(`@${r.host}`)) {
      problems.push(`${at('id')}: ${JSON.stringify(r.id)} is not the id of a ${r.kind} on ${r.host} (${r.kind}:<key>@${r.host})`);
    }
    r.dependsOn.forEach((d, j) => {
      if (!byId.has(d.id)) problems.push(`${at('dependsOn', j, 'id')}: ${r.id} depends on ${d.id}, which is not a resource of stack ${stack.name}`);
    });
    // An existing object (existingName) keeps its own name.
    if ((r.kind === 'network' || r.kind === 'volume') && !r.policy?.existing) {
      if (!r.spec.name.startsWith(`${stack.name}-`)) problems.push(`${at('spec', 'name')}: ${JSON.stringify(r.spec.name)} does not start with the stack name "${stack.name}-", as every name synth gives does`);
    }
    if (r.kind === 'image' && r.policy && !buildersToo.has(r.policy.builder)) {
      problems.push(`${at('policy', 'builder')}: builder ${JSON.stringify(r.policy.builder)} is neither a host nor a builder of stack ${stack.name}`);
    }
    if (r.kind === 'container') {
      const spec = r.spec;
      const expected = `${stack.name}-${spec.service}-${spec.slot}`;
      if (spec.name !== expected) problems.push(`${at('spec', 'name')}: ${JSON.stringify(spec.name)} is not <stack>-<service>-<slot> (${JSON.stringify(expected)})`);
      const refer = (key: string, kind: GraphResource['kind'], ...path: PropertyKey[]) => {
        if (!keys.has(`${kind} ${key}`)) problems.push(`${at('spec', ...path)}: ${r.id} uses ${kind} ${key}, which is not a resource of stack ${stack.name}`);
      };
      refer(spec.image.resource, 'image', 'image', 'resource');
      spec.networks.forEach((n, j) => refer(n.resource, 'network', 'networks', j, 'resource'));
      spec.mounts.forEach((m, j) => {
        if (m.type === 'volume') refer(m.volume, 'volume', 'mounts', j, 'volume');
      });
      spec.secrets.forEach((x, j) => refer(x.resource, 'secret', 'secrets', j, 'resource'));
      if (resourceKeyOf(r.id) !== `container:${r.source}#${spec.slot}`) {
        problems.push(`${at('id')}: ${JSON.stringify(r.id)} does not name slot ${spec.slot} of ${r.source}`);
      }
    }
  });
  return problems;
}

/** `specHash` of a spec, or undefined when it cannot be hashed (a number beyond JSON's range). */
function hashOf(spec: unknown): string | undefined {
  try {
    return specHash(spec);
  } catch {
    return undefined;
  }
}

/** A digest cut to what a person compares: `sha256:787a06aa2edd...`. */
function short(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}...` : digest;
}
