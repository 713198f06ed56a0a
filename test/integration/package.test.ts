import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/cli';
import { ensureSandbox, IT_SANDBOX, type SandboxInventory } from '../helpers/sandbox';

/** Filled by scripts/setup.sh (scripts/warm-package-cache.mjs): what the install fetches besides the tarball. */
const PACKAGE_CACHE = path.join(REPO_ROOT, '.hoist', 'package-cache');

function run(command: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}, timeoutMs = 180_000) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', output: `${result.stdout}\n${result.stderr}` };
}

/**
 * Hoist as a new user gets it: the packed tarball installed into a fresh project with npm,
 * from the local cache and never the network, then `npx hoist init`, `synth`, `plan` and
 * `apply` of the template's stack on the sandbox hosts, and `destroy`.
 */
describe('the packed tarball installs into a fresh project and works: init, synth, plan, apply (offline install)', () => {
  let inventory: SandboxInventory;
  let scratch: string;
  let project: string;
  let env: Record<string, string | undefined>;

  before(() => {
    inventory = ensureSandbox(IT_SANDBOX);
    assert.ok(fs.existsSync(path.join(PACKAGE_CACHE, 'warmed-for')), `${PACKAGE_CACHE} is not filled: run bash scripts/setup.sh`);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-package-'));
    project = path.join(scratch, 'app');
    fs.mkdirSync(project);
    env = { HOIST_INVENTORY: path.join(inventory.dir, 'inventory.json'), npm_config_cache: PACKAGE_CACHE, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  });

  after(() => {
    if (project && fs.existsSync(path.join(project, 'node_modules', '.bin', 'hoist'))) run('npx', ['--no-install', 'hoist', 'destroy', '--yes'], project, env);
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('npm pack, then npm install of the tarball with --offline: the CLI runs and tsx brings this platform\'s esbuild', () => {
    const pack = run('npm', ['pack', '--pack-destination', scratch], REPO_ROOT, { npm_config_offline: 'true' });
    assert.equal(pack.status, 0, pack.output);
    const tarball = fs.readdirSync(scratch).find((f) => /^hoist-.*\.tgz$/.test(f));
    assert.ok(tarball, `npm pack wrote no tarball:\n${pack.output}`);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }, null, 2));
    const install = run('npm', ['install', path.join(scratch, tarball)], project, env);
    assert.equal(install.status, 0, `npm install --offline of the tarball failed:\n${install.output}`);
    assert.ok(fs.existsSync(path.join(project, 'node_modules', 'constructs', 'package.json')), 'the peer dependency is installed');
    const esbuild = run(process.execPath, ['-e', 'console.log(require("esbuild").version)'], path.join(project, 'node_modules', 'tsx'));
    assert.equal(esbuild.status, 0, `esbuild does not load from tsx:\n${esbuild.output}`);
    const version = run('npx', ['--no-install', 'hoist', '--version'], project, env);
    assert.equal(version.status, 0, version.output);
    assert.equal(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });

  it('npx hoist init says the next step that works here, and the project synthesizes', () => {
    const init = run('npx', ['--no-install', 'hoist', 'init', '.', '--name', 'pkgtest'], project, env);
    assert.equal(init.status, 0, init.output);
    assert.match(init.stdout, /^Next: npx hoist synth$/m, 'hoist is installed in the project, so the next step is synth');
    // A port of its own on the shared sandbox (other tests use the template's 8080).
    const main = path.join(project, 'main.ts');
    fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replaceAll('8080', '18096'));
    const synth = run('npx', ['--no-install', 'hoist', 'synth'], project, env);
    assert.equal(synth.status, 0, synth.output);
    assert.match(synth.stdout, /pkgtest: \d+ resources on \d+ hosts?/);
    assert.ok(fs.existsSync(path.join(project, 'hoist.out', 'graph.json')));
    assert.match(synth.stdout, /Wrote .github\/workflows\/deploy.yml/);
  });

  it('plan and apply the template\'s stack on the sandbox from the installed package; the next plan is clean', () => {
    const plan = run('npx', ['--no-install', 'hoist', 'plan', '--out', 'plan.json'], project, env);
    assert.equal(plan.status, 0, plan.output);
    assert.match(plan.stdout, /pkgtest-hello-1/);
    const apply = run('npx', ['--no-install', 'hoist', 'apply', 'plan.json', '--yes'], project, env);
    assert.equal(apply.status, 0, apply.output);
    const again = run('npx', ['--no-install', 'hoist', 'plan', '--detailed-exitcode'], project, env);
    assert.equal(again.status, 0, `the hosts match the graph after apply:\n${again.output}`);
  });
});
