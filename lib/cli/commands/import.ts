import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { plural } from '../format-summary';
import type * as ImportComposeModule from '../../import/compose/import-compose';
import type * as ComposeErrorModule from '../../import/compose/compose-import-error';
import type * as WriteProgramModule from '../../import/compose/write-program';
import type * as ImportHostModule from '../../import/host/import-host';
import type * as ReadHostObjectsModule from '../../import/host/read-host-objects';
import type * as InventoryHostModule from '../../synth/inventory-host';
import type * as OpenHostModule from '../../drivers/open-host';
import { summaryOf } from '../command-index';

interface ComposeOptions {
  readonly output: string;
  readonly stack?: string;
  readonly profile: string[];
  readonly envFile?: string;
  readonly force: boolean;
}

interface HostOptions {
  readonly output: string;
  readonly stack?: string;
  readonly container: string[];
  readonly force: boolean;
  readonly trustNewHosts: boolean;
}

/** Where a program goes: a file (refused if it exists, unless forced) or stdout. */
interface ProgramOutput {
  readonly toStdout: boolean;
  readonly file: string;
  /** The file as messages show it. */
  readonly shown: string;
  /** Report lines: to stderr when the program goes to stdout. */
  say(line: string): void;
}

function programOutput(option: string, force: boolean, io: CliIo): ProgramOutput {
  const toStdout = option === '-';
  const file = path.resolve(toStdout ? 'main.ts' : option);
  const shown = path.relative(process.cwd(), file) || file;
  if (!toStdout && fs.existsSync(file) && !force) {
    throw new CliError(`${shown} already exists; nothing was written (pass --force to overwrite it, or -o to write another file)`);
  }
  return { toStdout, file, shown, say: toStdout ? (line) => io.err(line) : (line) => io.out(line) };
}

function writeOutput(output: ProgramOutput, text: string, io: CliIo): void {
  if (output.toStdout) {
    io.out(text.trimEnd());
  } else {
    fs.mkdirSync(path.dirname(output.file), { recursive: true });
    fs.writeFileSync(output.file, text);
  }
}

function tsMorphOrExit(): ReturnType<typeof WriteProgramModule.loadTsMorph> {
  const { loadTsMorph } = require('../../import/compose/write-program') as typeof WriteProgramModule;
  try {
    return loadTsMorph();
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

function section(say: (line: string) => void, title: string, lines: string[]): void {
  if (lines.length === 0) return;
  say(`${title} (${lines.length}):`);
  for (const line of lines) say(`  ${line}`);
}

/**
 * `hoist import`: existing setups into Hoist programs. `hoist import compose` reads a Compose
 * file; `hoist import host` reads what runs on a host and writes services that adopt it.
 */
export function registerImport(program: Command, io: CliIo): void {
  const group = program.command('import').description(summaryOf('import'));
  group.command('compose')
    .description('Write a Hoist program (TypeScript) from a Compose file: one construct per service, volume, network and secret; what Hoist cannot express is listed with its line')
    .argument('<compose-file>', 'the Compose file, e.g. compose.yaml')
    .option('-o, --output <file>', 'the program to write ("-" for stdout)', 'main.ts')
    .option('--stack <name>', 'stack name (default: COMPOSE_PROJECT_NAME, the file\'s name:, else its directory\'s name)')
    .option('--profile <name>', 'import the services of this profile too (repeatable; default: COMPOSE_PROFILES)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--env-file <file>', 'read variables from this file instead of the .env beside the Compose file')
    .option('--force', 'overwrite the output file if it exists', false)
    .action((file: string, options: ComposeOptions) => {
      const { importCompose, formatNote, formatUnsupported } = require('../../import/compose/import-compose') as typeof ImportComposeModule;
      const { ComposeImportError } = require('../../import/compose/compose-import-error') as typeof ComposeErrorModule;
      const output = programOutput(options.output, options.force, io);
      const tsMorph = tsMorphOrExit();
      let result: ReturnType<typeof importCompose>;
      try {
        result = importCompose({ composeFile: file, outputFile: output.file, stackName: options.stack, profiles: options.profile, env: process.env, envFile: options.envFile }, tsMorph);
      } catch (error) {
        if (error instanceof ComposeImportError) throw new CliError(`cannot import ${file}; nothing was written:\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
        throw error;
      }
      writeOutput(output, result.text, io);
      const { say } = output;
      say(`${output.toStdout ? 'Printed' : `Wrote ${output.shown}`}: stack "${result.stackName}"${result.profiles.length ? ` with profiles ${result.profiles.join(', ')}` : ''}: ${importedCounts(result.imported)}`);
      section(say, 'Skipped', result.skipped.map((f) => formatNote(file, f)));
      section(say, 'Not imported', result.unsupported.map((f) => formatUnsupported(file, f)));
      section(say, 'Notes', result.notes.map((f) => formatNote(file, f)));
      if (!output.toStdout) say(`Next: check ${output.shown}, then npx hoist synth (hosts come from HOIST_INVENTORY, the local sandbox, or inventory.json beside it)`);
    });

  group.command('host')
    .description('Write a Hoist program (TypeScript) from the containers running on a host of the inventory that Hoist did not make: one service per container, which adopts it, with its volumes and networks used as they are')
    .argument('<host>', 'a host of the inventory (HOIST_INVENTORY, the local sandbox, or inventory.json)')
    .option('-o, --output <file>', 'the program to write ("-" for stdout)', 'main.ts')
    .option('--stack <name>', 'stack name (default: the containers\' Compose project, else the host\'s name)')
    .option('--container <name>', 'import only this container, running or not (repeatable; default: every running container Hoist did not make)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--force', 'overwrite the output file if it exists', false)
    .option('--trust-new-hosts', 'accept and record host keys not yet in known_hosts (never a changed key)', false)
    .action(async (hostName: string, options: HostOptions) => {
      const { importHost, formatHostFinding } = require('../../import/host/import-host') as typeof ImportHostModule;
      const { readHostObjects } = require('../../import/host/read-host-objects') as typeof ReadHostObjectsModule;
      const { inventoryHost } = require('../../synth/inventory-host') as typeof InventoryHostModule;
      const { openHost } = require('../../drivers/open-host') as typeof OpenHostModule;
      const { ComposeImportError } = require('../../import/compose/compose-import-error') as typeof ComposeErrorModule;
      const output = programOutput(options.output, options.force, io);
      const tsMorph = tsMorphOrExit();
      const projectDir = process.cwd();
      const found = inventoryHost(hostName, projectDir);
      if (!found.spec) throw new CliError(`cannot import host ${hostName}; nothing was written:\n${found.problems.map((p) => `  ${p}`).join('\n')}`);
      const open = await openHost(found.spec, { projectDir, trustNewHosts: options.trustNewHosts });
      let objects: ReadHostObjectsModule.HostObjects;
      try {
        objects = await readHostObjects(open.engine);
      } finally {
        open.close();
      }
      let result: ReturnType<typeof importHost>;
      try {
        result = importHost(objects, { stackName: options.stack, containers: options.container.length ? options.container : undefined, programDirectory: path.dirname(output.file) }, tsMorph);
      } catch (error) {
        if (error instanceof ComposeImportError) throw new CliError(`cannot import host ${hostName}; nothing was written:\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
        throw error;
      }
      writeOutput(output, result.text, io);
      const { say } = output;
      say(`${output.toStdout ? 'Printed' : `Wrote ${output.shown}`}: stack "${result.stackName}" from ${hostName}: ${importedCounts(result.imported)}`);
      section(say, 'Skipped', result.skipped.map((f) => formatHostFinding(hostName, f, false)));
      section(say, 'Not imported', result.unsupported.map((f) => formatHostFinding(hostName, f, true)));
      section(say, 'Notes', result.notes.map((f) => formatHostFinding(hostName, f, false)));
      if (!output.toStdout) say(`Next: check ${output.shown}, then npx hoist plan: it should show one replacement per container (each adopts its container) and nothing else`);
    });
}

function importedCounts(imported: { services: string[]; volumes: string[]; networks: string[]; secrets: string[] }): string {
  const { services, volumes, networks, secrets } = imported;
  return [
    `${plural(services.length, 'service')}${services.length ? ` (${services.join(', ')})` : ''}`,
    plural(volumes.length, 'volume'), plural(networks.length, 'network'), plural(secrets.length, 'secret'),
  ].join(', ');
}
