import { spawnSync } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { tempProject } from '../helpers/project';
import { runHoist } from '../helpers/cli';


const VALID_PROGRAM = `
import { App, Stack, Host, Service, Image } from 'hoist';
const app = new App();
const stack = new Stack(app, 'demo');
new Host(stack, 'h1', { address: '10.9.0.1' });
console.log('user output goes to stderr');
new Service(stack, 'web', { image: Image.fromRegistry('busybox'), replicas: 2 });
app.synth();
`;

// Programs outside the repository resolve 'hoist' through this link, as an installed package would.
/** Files under `dir`, relative, sorted, without node_modules. */
function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).filter((e) => e.name !== 'node_modules').flatMap((e) => {
    const relative = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, relative) : [relative];
  }).sort();
}

function linkHoist(dir: string): void {
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(path.resolve(__dirname, '..', '..'), path.join(dir, 'node_modules', 'hoist'));
}

describe('hoist CLI', () => {
  it('hoist --help lists synth and validate and exits 0', () => {
    const r = runHoist(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /synth \[options\]/);
    assert.match(r.stdout, /validate \[options\]/);
  });

  it('hoist synth --help describes its options and exits 0', () => {
    const r = runHoist(['synth', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--output <dir>/);
  });

  it('an unknown command exits 1 with a usage hint', () => {
    const r = runHoist(['deploy-everything']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unknown command 'deploy-everything'/);
  });

  it('hoist synth writes graph.json and prints a summary; program output goes to stderr', () => {
    const dir = tempProject({ 'main.ts': VALID_PROGRAM });
    linkHoist(dir);
    const r = runHoist(['synth'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Synthesized 1 stack to hoist.out\/graph.json$/m);
    assert.match(r.stdout, /demo: 3 resources on 1 host \(h1\): 2 containers, 1 image/);
    assert.match(r.stderr, /user output goes to stderr/);
    const graph = JSON.parse(fs.readFileSync(path.join(dir, 'hoist.out', 'graph.json'), 'utf8'));
    assert.equal(graph.formatVersion, '1.0');
  });

  it('hoist validate checks everything and writes nothing', () => {
    const dir = tempProject({ 'main.ts': VALID_PROGRAM });
    linkHoist(dir);
    const r = runHoist(['validate'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Valid: 1 stack, nothing written$/m);
    assert.equal(fs.existsSync(path.join(dir, 'hoist.out')), false);
  });

  it('a TypeScript program of a CommonJS project runs with tsx\'s CommonJS hooks alone; an ES module project with all of tsx', () => {
    const printMode = "console.log('node options: ' + process.execArgv.join(' '));\n";
    const commonJs = tempProject({ 'main.ts': printMode + VALID_PROGRAM });
    linkHoist(commonJs);
    const cjsRun = runHoist(['synth'], { cwd: commonJs });
    assert.equal(cjsRun.status, 0, cjsRun.stderr);
    assert.match(cjsRun.stderr, /node options: --require \S*tsx\/dist\/cjs\/index\.cjs/);

    const esm = tempProject({ 'package.json': '{ "name": "esm-project", "type": "module" }', 'main.ts': printMode + VALID_PROGRAM });
    linkHoist(esm);
    const esmRun = runHoist(['synth'], { cwd: esm });
    assert.equal(esmRun.status, 0, esmRun.stderr);
    assert.match(esmRun.stderr, /node options: --import \S*tsx\/dist\/loader\.mjs/);
    assert.match(esmRun.stdout, /demo: 3 resources/);

    const mts = tempProject({ 'main.mts': printMode + VALID_PROGRAM });
    linkHoist(mts);
    const mtsRun = runHoist(['synth', '--app', 'main.mts'], { cwd: mts });
    assert.equal(mtsRun.status, 0, mtsRun.stderr);
    assert.match(mtsRun.stderr, /node options: --import /);
  });

  it('a CommonJS program that loads an ES module only package, or imports a TypeScript file dynamically, still synthesizes', () => {
    const withEsmPackage = tempProject({
      'node_modules/esm-only/package.json': '{ "name": "esm-only", "type": "module", "exports": "./index.js" }',
      'node_modules/esm-only/index.js': 'export const replicas = 2;\n',
      'main.ts': VALID_PROGRAM.replace('import { App', "import { replicas } from 'esm-only';\nimport { App").replace('replicas: 2', 'replicas'),
    });
    linkHoist(withEsmPackage);
    const esmPackageRun = runHoist(['synth'], { cwd: withEsmPackage });
    assert.equal(esmPackageRun.status, 0, esmPackageRun.stderr);
    assert.match(esmPackageRun.stdout, /demo: 3 resources on 1 host \(h1\): 2 containers/);

    // tsx's CommonJS hooks cannot load a .ts file through import(): the program runs again with all of tsx.
    const dynamic = tempProject({
      'replicas.ts': 'export const replicas: number = 2;\n',
      'main.ts': `console.log('node options: ' + process.execArgv.join(' '));\nimport('./replicas.ts').then(({ replicas }) => {\n${VALID_PROGRAM.replace(/^import .*$/m, "const { App, Stack, Host, Service, Image } = require('hoist');").replace('replicas: 2', 'replicas')}\n});\n`,
    });
    linkHoist(dynamic);
    const dynamicRun = runHoist(['synth'], { cwd: dynamic });
    assert.equal(dynamicRun.status, 0, dynamicRun.stderr);
    assert.match(dynamicRun.stdout, /demo: 3 resources on 1 host \(h1\): 2 containers/);
    assert.match(dynamicRun.stderr, /node options: --import /, 'the run that synthesized had all of tsx');
    assert.doesNotMatch(dynamicRun.stderr, /ERR_UNKNOWN_FILE_EXTENSION/, 'the first run\'s failure is not shown');
  });

  it('hoist.json names the program and the output directory', () => {
    const dir = tempProject({ 'src/infra.ts': VALID_PROGRAM, 'hoist.json': '{ "app": "src/infra.ts", "output": "build/graph" }' });
    linkHoist(dir);
    const r = runHoist(['synth'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'build', 'graph', 'graph.json')));
  });

  it('a missing program is an error naming the file and what to do', () => {
    const dir = tempProject({});
    const r = runHoist(['synth'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error: program main.ts not found in .*; create main.ts, or a hoist.json naming your program/);
  });

  it('an invalid hoist.json is an error naming the file and the field', () => {
    const dir = tempProject({ 'hoist.json': '{ "app": 5, "colour": true }' });
    const r = runHoist(['synth'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /hoist.json: app: expected "app" to be a program file/);
    assert.match(r.stderr, /unknown key "colour"/);
  });

  it('a crashing program is an error naming the file, with its last output', () => {
    const dir = tempProject({ 'main.ts': 'console.error("about to fail");\nthrow new Error("boom in user code");\n' });
    const r = runHoist(['synth'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error: program main.ts crashed \(exit code 1\) before synth finished/);
    assert.match(r.stderr, /boom in user code/);
  });

  it('a program that never calls app.synth() is an error saying so', () => {
    const dir = tempProject({ 'main.ts': 'console.log("forgot");\n' });
    const r = runHoist(['synth'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /program main.ts finished without synthesizing; call app.synth\(\) at its end/);
  });

  it('validation problems are listed one per line with their paths, exit code 1, and no graph', () => {
    const dir = tempProject({ 'main.ts': VALID_PROGRAM.replace("replicas: 2", "replicas: -2, ports: [{ container: 70000 }]") });
    linkHoist(dir);
    const r = runHoist(['synth'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /synth found 2 problems; nothing was written:\n  demo\/web: ports\[0\]\.container: 70000 is not a port \(1-65535\)\n  demo\/web: replicas: -2 is not a replica count \(0 or more\)/);
    assert.doesNotMatch(r.stderr, /at runAppSynth/, 'no stack trace for validation errors');
    assert.equal(fs.existsSync(path.join(dir, 'hoist.out', 'graph.json')), false);
  });

  it('a failed synth leaves the previous graph in place', () => {
    const dir = tempProject({ 'main.ts': VALID_PROGRAM });
    linkHoist(dir);
    assert.equal(runHoist(['synth'], { cwd: dir }).status, 0);
    const before = fs.readFileSync(path.join(dir, 'hoist.out', 'graph.json'), 'utf8');
    fs.writeFileSync(path.join(dir, 'main.ts'), VALID_PROGRAM.replace("replicas: 2", "replicas: -2"));
    assert.equal(runHoist(['synth'], { cwd: dir }).status, 1);
    assert.equal(fs.readFileSync(path.join(dir, 'hoist.out', 'graph.json'), 'utf8'), before);
  });

  it('runs a program given as a command, for other languages', () => {
    const dir = tempProject({ 'prog.js': VALID_PROGRAM.replace("import { App, Stack, Host, Service, Image } from 'hoist';", "const { App, Stack, Host, Service, Image } = require('hoist');"), 'hoist.json': JSON.stringify({ app: [process.execPath, 'prog.js'] }) });
    linkHoist(dir);
    const r = runHoist(['synth'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
  });

  it('a command that does not exist is an error naming it', () => {
    const dir = tempProject({ 'hoist.json': JSON.stringify({ app: ['no-such-interpreter-xyz', 'main.py'] }) });
    const r = runHoist(['synth'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot run program "no-such-interpreter-xyz main.py": no-such-interpreter-xyz was not found/);
  });
});

describe('hoist init', () => {
  it('creates a project from the basic template that synthesizes as it is', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-init-'));
    const dir = path.join(parent, 'My Shop');
    const r = runHoist(['init', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /stack "my-shop"/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['.gitignore', 'hoist.json', 'inventory.json', 'main.ts']);
    linkHoist(dir);
    const synth = runHoist(['synth'], { cwd: dir, env: { HOIST_INVENTORY: undefined } });
    assert.equal(synth.status, 0, synth.stderr);
    assert.match(synth.stdout, /my-shop: 2 resources on 1 host \(host-1\): 1 container, 1 image/);
    // Its pipeline becomes a GitHub workflow: plan on pull requests, apply on main behind an approval.
    assert.match(synth.stdout, /Wrote .*\.github\/workflows\/deploy\.yml/);
    const workflow = fs.readFileSync(path.join(dir, '.github', 'workflows', 'deploy.yml'), 'utf8');
    assert.match(workflow, /^# Generated by hoist synth/);
    assert.match(workflow, /npx hoist pipeline run deploy --stage apply --yes/);
    assert.match(workflow, /environment: production/);
  });

  it('--template library starts a jsii construct library whose tests pass and which jsii compiles', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-init-lib-')), 'team-constructs');
    const r = runHoist(['init', dir, '--template', 'library']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(listFiles(dir), ['.gitignore', 'README.md', 'lib/index.ts', 'package.json', 'test/static-site.test.ts']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    assert.equal(manifest.name, 'team-constructs');
    assert.deepEqual(manifest.jsii.targets.python, { distName: 'team-constructs', module: 'team_constructs' });
    assert.deepEqual(Object.keys(manifest.peerDependencies).sort(), ['constructs', 'hoist']);
    // As after npm install: hoist (this checkout) and the dev dependencies.
    linkHoist(dir);
    for (const name of ['constructs', 'jsii', 'tsx', 'typescript']) fs.symlinkSync(path.resolve(__dirname, '..', '..', 'node_modules', name), path.join(dir, 'node_modules', name));
    // Not as a child of this test run: node:test would report to it instead of running as npm test does.
    const { NODE_TEST_CONTEXT: _child, ...env } = process.env;
    const test = spawnSync(process.execPath, ['--import', 'tsx', '--test', 'test/static-site.test.ts'], { cwd: dir, encoding: 'utf8', timeout: 60_000, env });
    assert.equal(test.status, 0, `${test.stdout}${test.stderr}`);
    assert.ok(fs.existsSync(path.join(dir, 'test', '__snapshots__', 'static-site.graph.json')), 'the first run writes the snapshot');
    const again = spawnSync(process.execPath, ['--import', 'tsx', '--test', 'test/static-site.test.ts'], { cwd: dir, encoding: 'utf8', timeout: 60_000, env });
    assert.equal(again.status, 0, `the second run compares with the snapshot:\n${again.stdout}${again.stderr}`);
    const jsii = spawnSync(process.execPath, [path.join(dir, 'node_modules', 'jsii', 'bin', 'jsii'), '--fail-on-warnings'], {
      cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1', JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '1' },
    });
    assert.equal(jsii.status, 0, `${jsii.stdout}${jsii.stderr}`);
    const assembly = JSON.parse(fs.readFileSync(path.join(dir, '.jsii'), 'utf8'));
    assert.deepEqual(Object.keys(assembly.types).sort(), ['team-constructs.StaticSite', 'team-constructs.StaticSiteProps']);
  });

  it('refuses to overwrite existing files and writes nothing', () => {
    const dir = tempProject({ 'main.ts': '// mine\n' });
    const r = runHoist(['init', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /already has main.ts; nothing was written/);
    assert.equal(fs.readFileSync(path.join(dir, 'main.ts'), 'utf8'), '// mine\n');
    assert.equal(fs.existsSync(path.join(dir, 'hoist.json')), false);
  });

  it('rejects an unknown template', () => {
    const r = runHoist(['init', fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-init-')), '--template', 'nope']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unknown template "nope"; choose one of: basic/);
  });
});
