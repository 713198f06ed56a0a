import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Command, Help } from 'commander';
import { COMMANDS } from '../../lib/cli/command-index';
import type { CliIo } from '../../lib/cli/cli-io';
import { runHoist } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '..', '..');
const silent: CliIo = { out: () => undefined, err: () => undefined } as unknown as CliIo;

/** The compiled CLI's command modules that one run of main(argv) loaded, in a fresh process. */
function commandModulesLoaded(argv: string[]): string[] {
  const script = `require('./dist/cli/main.js').main(${JSON.stringify(argv)}, { out: () => {}, err: () => {} }).then(() => {
    process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('/dist/cli/commands/')).map((f) => f.replace(/.*\\/commands\\//, '')).sort()));
  });`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as string[];
}

describe('the command index (lib/cli/command-index.ts)', () => {
  it('lists every command with the arguments and summary its full registration shows', () => {
    const full = new Command('hoist');
    for (const command of COMMANDS) command.register(full, silent);
    const help = new Help();
    assert.deepEqual(full.commands.map((c) => c.name()), COMMANDS.map((c) => c.name), 'each entry registers exactly its own command');
    for (const command of full.commands) {
      const entry = COMMANDS.find((e) => e.name === command.name())!;
      assert.equal([entry.name, entry.arguments].filter(Boolean).join(' '), help.subcommandTerm(command), `${entry.name}: arguments`);
      assert.equal(command.description(), entry.summary, `${entry.name}: summary`);
    }
  });

  it('the root help is the same whether commands are loaded or only indexed', () => {
    const r = runHoist(['--help']);
    assert.equal(r.status, 0);
    const full = new Command('hoist');
    for (const command of COMMANDS) command.register(full, silent);
    for (const command of full.commands) {
      const term = new Help().subcommandTerm(command);
      assert.match(r.stdout, new RegExp(`^  ${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +${command.description().slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'), `root help line of ${command.name()}`);
    }
    assert.match(r.stdout, /^ {2}help \[command\] +display help for command/m);
  });

  it('a run loads only the command it names: none for the root help, one for a command or its help', () => {
    assert.deepEqual(commandModulesLoaded(['--help']), []);
    assert.deepEqual(commandModulesLoaded(['--version']), []);
    assert.deepEqual(commandModulesLoaded(['plan', '--help']), ['plan.js']);
    assert.deepEqual(commandModulesLoaded(['help', 'status']), ['status.js']);
    assert.deepEqual(commandModulesLoaded(['sandbox', 'list', '--help']), ['sandbox.js']);
  });

  it('hoist help <command> and hoist <command> --help show the full command; --help before a command is the root help', () => {
    const viaHelp = runHoist(['help', 'apply']);
    assert.equal(viaHelp.status, 0);
    assert.match(viaHelp.stdout, /Usage: hoist apply \[options\] \[planfile\]/);
    assert.match(viaHelp.stdout, /--yes/);
    const rootFirst = runHoist(['--help', 'apply']);
    assert.equal(rootFirst.status, 0);
    assert.match(rootFirst.stdout, /^Usage: hoist \[options\] \[command\]/);
    assert.match(rootFirst.stdout, /^ {2}sandbox +Local test hosts/m);
  });

  it('a mistyped command is refused with the closest name, from the index alone', () => {
    const r = runHoist(['plna']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unknown command 'plna'/);
    assert.match(r.stderr, /Did you mean plan\?/);
  });
});
