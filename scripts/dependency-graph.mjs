#!/usr/bin/env node
// The folder dependency graph of lib/, drawn from the code.
//
//   node scripts/dependency-graph.mjs           prints the graph as a Mermaid flowchart
//   node scripts/dependency-graph.mjs --write   replaces the marked block in docs/architecture.md
//   node scripts/dependency-graph.mjs --check   exits 1 on a folder cycle, an import FOLDERS
//                                               does not allow, or a stale block
//
// Every relative import of every lib/**/*.ts counts: `import`, `export ... from`, `require()`,
// `import()` and `import('...')` types. Type-only imports count too, because a type shared
// across folders couples them as much as a function does (change it and both folders change);
// they are drawn dashed so that the run-time edges stand out. The files directly in lib/
// (index.ts and the public classes beside it) form the folder `(api)`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LIB = join(ROOT, 'lib');
const DOC = join(ROOT, 'docs', 'architecture.md');
const START = '<!-- dependency-graph:start -->';
const END = '<!-- dependency-graph:end -->';
const API = '(api)';

/**
 * What each folder is and which folders it may import, top to bottom; the one statement of
 * the layering. --check fails on an import outside it and on a folder missing from it, and
 * --write renders it as the folders table of docs/architecture.md. Planned folders may be
 * listed before they exist; the table shows only the ones that do.
 */
const FOLDERS = [
  { folder: 'cli', role: 'one file per command: flags, loading the program, output, exit codes', may: ['apply', 'deploy', 'drivers', 'engine', 'graph', 'images', 'import', 'kinds', 'lint', 'lock', 'operate', 'pipelines', 'plan', 'sandbox', 'schemas', 'secrets', 'status', 'synth', 'transport', 'values'] },
  { folder: API, role: 'the public construct API (jsii): index.ts, the App (which runs synth) and Testing', may: ['core', 'graph', 'secrets', 'synth', 'values'] },
  // synth: a deploy call takes an App as its source and synthesizes it in-process (through SynthRoot, not the App).
  { folder: 'deploy', role: 'the operations as a library (hoist/deploy): plan, apply, destroy, rollback, status; the change transaction, typed events and errors', may: ['apply', 'drivers', 'engine', 'graph', 'lint', 'lock', 'plan', 'secrets', 'status', 'synth', 'transport', 'values'] },
  { folder: 'pipelines', role: 'pipelines: rendering them as CI configuration and running them locally', may: ['drivers', 'graph', 'secrets', 'values'] },
  { folder: 'apply', role: 'carries out a plan: steps in order, hosts in parallel, parked versions, rollback, events; each action through its kind\'s executor', may: ['drivers', 'engine', 'graph', 'images', 'kinds', 'plan', 'secrets', 'transport', 'values'] },
  { folder: 'lock', role: 'the per-stack run lock on each host', may: ['drivers', 'engine', 'graph', 'transport', 'values'] },
  { folder: 'operate', role: 'day-2 operations on running stacks: a service\'s logs across hosts, resource use, commands in containers', may: ['drivers', 'engine', 'graph', 'secrets', 'values'] },
  { folder: 'status', role: 'hoist status: the graph and live state side by side', may: ['drivers', 'engine', 'graph', 'transport', 'values'] },
  { folder: 'lint', role: 'lint rules over the graph and the plan (the rule catalog is in graph/)', may: ['graph', 'plan', 'schemas', 'values'] },
  { folder: 'plan', role: 'pure planning: graph + observed state -> ordered actions (each kind planned by its definition); reading hosts for it', may: ['drivers', 'engine', 'graph', 'images', 'kinds', 'schemas', 'transport', 'values'] },
  { folder: 'kinds', role: 'one folder per resource kind: how it compares with a host, what counts as a change or a replacement, its engine steps; the registry and the action vocabulary', may: ['drivers', 'engine', 'graph', 'images', 'ingress', 'values'] },
  // Not core: an import writes a program's source text; it never builds constructs.
  { folder: 'import', role: 'hoist import: existing setups (Compose files, running hosts) into programs', may: ['drivers', 'engine', 'graph', 'schemas', 'values'] },
  { folder: 'sandbox', role: 'hoist sandbox: test hosts in network namespaces on this machine', may: ['graph', 'values'] },
  { folder: 'synth', role: 'construct tree -> graph, in phases', may: ['core', 'drivers', 'graph', 'images', 'ingress', 'schemas', 'secrets', 'values'] },
  { folder: 'ingress', role: 'ingress proxies: their configuration from the routes (pure) and their runtime API, driven through the EngineDriver', may: ['drivers', 'graph', 'values'] },
  { folder: 'engine', role: 'what Hoist keeps on an engine, through the EngineDriver interface: reading a stack\'s state, locks, history, secret files, owned removal', may: ['drivers', 'graph', 'images', 'ingress', 'transport', 'values'] },
  { folder: 'drivers', role: 'the EngineDriver interface, one folder per engine (the only code that talks to an engine API), the engine registry, the in-memory engine, opening hosts', may: ['graph', 'transport', 'values'] },
  { folder: 'transport', role: 'SSH and local connections; knows nothing of containers', may: ['graph', 'values'] },
  { folder: 'core', role: 'the constructs: they declare what should exist; no I/O', may: ['schemas', 'values'] },
  { folder: 'images', role: 'build contexts, their identity, image archives', may: ['graph', 'values'] },
  { folder: 'secrets', role: 'reading secret values, fingerprint keys and fingerprints', may: ['graph', 'values'] },
  { folder: 'graph', role: 'the desired-state graph: types, kinds, ids, canonical JSON, hashes, schema; the lint rule catalog', may: ['schemas', 'values'] },
  { folder: 'schemas', role: 'zod building blocks; the host and inventory file schemas', may: ['values'] },
  { folder: 'values', role: 'strict parsers and small shared values (sizes, durations, names, engine kinds)', may: [] },
];

/**
 * Imports allowed for now although FOLDERS forbids them, each with the work that removes it.
 * Delete an entry once that work has landed; --check fails while an entry names an edge that
 * no longer exists, so none outlives its reason.
 */
const KNOWN_EXCEPTIONS = [
];

/** Files under lib/, as paths relative to lib/ with forward slashes, sorted. */
function libFiles(dir = LIB) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return libFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative(LIB, full).split(sep).join('/')] : [];
  }).sort();
}

/** The folder a lib-relative path belongs to. */
function folderOf(path) {
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : API;
}

/** The relative imports of one file: `{ specifier, typeOnly }`. */
export function importsOf(fileName, text) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const add = (node, typeOnly) => {
    if (node && ts.isStringLiteralLike(node) && node.text.startsWith('.')) found.push({ specifier: node.text, typeOnly });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly
        || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument)) add(argument.literal, true);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The folder graph: `edges` maps "from -> to" to `{ typeOnly, files }`, where typeOnly is
 * true when every import along the edge is type-only.
 */
export function folderGraph() {
  const folders = new Set();
  const edges = new Map();
  for (const file of libFiles()) {
    const from = folderOf(file);
    folders.add(from);
    for (const { specifier, typeOnly } of importsOf(file, readFileSync(join(LIB, file), 'utf8'))) {
      const target = relative(LIB, resolve(LIB, dirname(file), specifier)).split(sep).join('/');
      if (target.startsWith('..')) continue; // outside lib/, e.g. package.json
      const to = folderOf(target);
      if (to === from) continue;
      const key = `${from} -> ${to}`;
      const edge = edges.get(key) ?? { from, to, typeOnly: true, files: new Set() };
      edge.typeOnly &&= typeOnly;
      edge.files.add(file);
      edges.set(key, edge);
    }
  }
  return { folders: [...folders].sort(), apiFiles: libFiles().filter((f) => !f.includes('/')), edges: [...edges.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to)) };
}

function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Strongly connected components with more than one folder (Tarjan), each sorted. */
export function folderCycles(folders, edges) {
  const next = new Map(folders.map((f) => [f, []]));
  for (const e of edges) next.get(e.from).push(e.to);
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const connect = (v) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const f of folders) if (!index.has(f)) connect(f);
  return cycles.sort((a, b) => compare(a[0], b[0]));
}

/** The Mermaid flowchart: solid arrows import at run time, dashed ones only types. */
export function mermaid({ folders, apiFiles, edges }) {
  const id = (folder) => (folder === API ? 'api' : folder);
  const lines = ['```mermaid', 'flowchart TD'];
  for (const folder of folders) lines.push(folder === API ? `  api["(api): ${apiFiles.join(', ')}"]` : `  ${folder}`);
  for (const e of edges) {
    const known = KNOWN_EXCEPTIONS.some((k) => k.from === e.from && k.to === e.to);
    const arrow = e.typeOnly ? '-.->' : '-->';
    lines.push(`  ${id(e.from)} ${arrow}${known ? '|exception|' : ''} ${id(e.to)}`);
  }
  lines.push('```');
  return lines.join('\n');
}

/** The folders table: each existing folder, what it is, what it may import and what it imports today. */
export function folderTable({ folders, edges }) {
  const name = (folder) => (folder === API ? '(api) `lib/*.ts`' : `\`${folder}/\``);
  const rows = FOLDERS.filter((f) => folders.includes(f.folder)).map((f) => {
    const exception = (e) => KNOWN_EXCEPTIONS.some((k) => k.from === e.from && k.to === e.to);
    const today = edges.filter((e) => e.from === f.folder)
      .map((e) => e.to + (e.typeOnly ? ' (types)' : '') + (exception(e) ? ' (exception, see below)' : '')).join(', ') || '-';
    return `| ${name(f.folder)} | ${f.role} | ${f.may.filter((m) => folders.includes(m)).join(', ') || '-'} | ${today} |`;
  });
  return ['| folder | what it is | may import | imports today |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Imports the FOLDERS table does not allow and no exception covers, and folders it lacks. */
export function layeringProblems({ folders, edges }, rules = FOLDERS, exceptions = KNOWN_EXCEPTIONS) {
  const problems = [];
  const ruleOf = new Map(rules.map((r) => [r.folder, r]));
  for (const folder of folders) {
    if (!ruleOf.has(folder)) problems.push(`lib/${folder === API ? '' : folder + '/'} has no entry in FOLDERS (scripts/dependency-graph.mjs); add one saying what it is and what it may import`);
  }
  for (const e of edges) {
    const rule = ruleOf.get(e.from);
    if (!rule || rule.may.includes(e.to) || exceptions.some((k) => k.from === e.from && k.to === e.to)) continue;
    problems.push(`${e.from} may not import ${e.to}${e.typeOnly ? ' (types only)' : ''}: ${[...e.files].sort().join(', ')}; move what it needs to a folder both may import, or change FOLDERS and say why`);
  }
  return problems;
}

/** The marked block of docs/architecture.md as --write would make it. */
function block(graph) {
  return [
    START,
    '<!-- generated by `node scripts/dependency-graph.mjs --write` from the imports and its FOLDERS table; do not edit by hand -->',
    mermaid(graph),
    '',
    folderTable(graph),
    END,
  ].join('\n');
}

function replaceBlock(doc, replacement) {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return doc.slice(0, start) + replacement + doc.slice(end + END.length);
}

function main(args) {
  const graph = folderGraph();
  if (args.includes('--write')) {
    const doc = readFileSync(DOC, 'utf8');
    const updated = replaceBlock(doc, block(graph));
    if (updated === undefined) {
      console.error(`dependency-graph: docs/architecture.md has no ${START} ... ${END} block; add one where the graph belongs`);
      return 1;
    }
    if (updated !== doc) writeFileSync(DOC, updated);
    console.log('dependency-graph: docs/architecture.md is up to date');
    return 0;
  }
  if (args.includes('--check')) {
    let ok = true;
    const checked = graph.edges.filter((e) => !KNOWN_EXCEPTIONS.some((k) => k.from === e.from && k.to === e.to));
    for (const cycle of folderCycles(graph.folders, checked)) {
      ok = false;
      const inside = checked.filter((e) => cycle.includes(e.from) && cycle.includes(e.to));
      console.error(`dependency-graph: folders ${cycle.join(', ')} import each other:`);
      for (const e of inside) console.error(`  ${e.from} -> ${e.to}${e.typeOnly ? ' (types only)' : ''}: ${[...e.files].sort().join(', ')}`);
    }
    for (const problem of layeringProblems(graph)) {
      ok = false;
      console.error(`dependency-graph: ${problem}`);
    }
    for (const known of KNOWN_EXCEPTIONS) {
      const edge = graph.edges.find((e) => e.from === known.from && e.to === known.to);
      if (!edge) {
        ok = false;
        console.error(`dependency-graph: the allowed edge ${known.from} -> ${known.to} no longer exists; delete it from KNOWN_EXCEPTIONS`);
      } else {
        console.log(`dependency-graph: allowed for now: ${known.from} -> ${known.to} (${known.why}): ${[...edge.files].sort().join(', ')}`);
      }
    }
    const doc = readFileSync(DOC, 'utf8');
    const expected = replaceBlock(doc, block(graph));
    if (expected === undefined) {
      ok = false;
      console.error(`dependency-graph: docs/architecture.md has no ${START} ... ${END} block`);
    } else if (expected !== doc) {
      ok = false;
      console.error('dependency-graph: the graph in docs/architecture.md is stale; run node scripts/dependency-graph.mjs --write');
    }
    if (ok) console.log(`dependency-graph: ${graph.folders.length} folders, ${graph.edges.length} edges, no cycles, every import allowed; docs/architecture.md is current`);
    return ok ? 0 : 1;
  }
  console.log(mermaid(graph));
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
