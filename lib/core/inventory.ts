import * as fs from 'node:fs';
import * as path from 'node:path';
import { Construct } from 'constructs';
import type * as YamlModule from 'yaml';
import { brand, hasBrand } from './private/brand';
import { EngineType, Host, HostProps } from './host';
import { inventoryFileSchema } from '../schemas/host-props';
import { zodProblems } from '../schemas/zod-problems';

const INVENTORY_SYMBOL = Symbol.for('hoist.Inventory');

/** Environment variable naming the inventory file that {@link Inventory.fromDefault} loads. */
export const INVENTORY_ENV = 'HOIST_INVENTORY';

/** Options for {@link Inventory.fromDefault}. */
export interface DefaultInventoryOptions {
  /**
   * Inventory file to use when neither HOIST_INVENTORY is set nor a sandbox inventory exists.
   *
   * @default - none: synth reports that no inventory was found
   */
  readonly fallbackFile?: string;

  /**
   * Name of the sandbox whose inventory is looked for.
   *
   * @default - the HOIST_SANDBOX environment variable, else "default"
   */
  readonly sandboxName?: string;
}

/**
 * A set of {@link Host}s loaded from a JSON or YAML file, selectable by name or role.
 *
 * The file holds `{ "hosts": [ { "name": "web-1", "address": "10.0.0.5", "roles": ["web"], ... } ] }`
 * with the fields of {@link HostProps}; relative paths in it (identity and known_hosts files)
 * are relative to the file. `hoist sandbox up` writes one.
 */
export class Inventory extends Construct {
  /** Whether `x` is an Inventory, also across duplicate copies of this library. */
  public static isInventory(x: any): x is Inventory {
    return hasBrand(x, INVENTORY_SYMBOL);
  }

  /**
   * Load hosts from a JSON (`.json`) or YAML (`.yaml`, `.yml`) file, relative to the project
   * directory. A missing or malformed file is reported at synth with every problem in it.
   */
  public static fromFile(scope: Construct, id: string, file: string): Inventory {
    const inventory = new Inventory(scope, id);
    inventory.load(file);
    return inventory;
  }

  /**
   * Load the inventory a stack should use by default, so one program deploys to a laptop
   * sandbox, a CI sandbox and production unchanged. In order:
   * 1. the file named by the HOIST_INVENTORY environment variable;
   * 2. the inventory of the local sandbox, `.hoist/sandbox/<name>/inventory.json` in the
   *    project directory, when `hoist sandbox up` has written it;
   * 3. `fallbackFile`, when given.
   */
  public static fromDefault(scope: Construct, id: string, options: DefaultInventoryOptions = {}): Inventory {
    const fromEnv = process.env[INVENTORY_ENV];
    if (fromEnv) {
      return Inventory.fromFile(scope, id, fromEnv);
    }
    const sandboxName = options.sandboxName ?? (process.env.HOIST_SANDBOX || 'default');
    const sandboxFile = path.join('.hoist', 'sandbox', sandboxName, 'inventory.json');
    const projectDir = (scope.node.root as { projectDir?: string }).projectDir ?? process.cwd();
    if (fs.existsSync(path.resolve(projectDir, sandboxFile)) || options.fallbackFile === undefined) {
      const inventory = Inventory.fromFile(scope, id, sandboxFile);
      if (!inventory.loaded && options.fallbackFile === undefined) {
        inventory._problems.splice(0, inventory._problems.length,
          `no inventory found: set ${INVENTORY_ENV} to an inventory file, or run "hoist sandbox up" for local test hosts (looked for ${sandboxFile})`);
      }
      return inventory;
    }
    return Inventory.fromFile(scope, id, options.fallbackFile);
  }

  /** @internal problems found while loading, reported at synth. */
  public readonly _problems: string[] = [];

  private loaded = true;

  private loadedFrom?: string;

  /** The file the hosts were loaded from, as given, if any. */
  public get sourceFile(): string | undefined {
    return this.loadedFrom;
  }

  constructor(scope: Construct, id: string) {
    super(scope, id);
    brand(this, INVENTORY_SYMBOL);
  }

  /** Every host of the inventory, sorted by name. */
  public get hosts(): Host[] {
    return this.node.children.filter((c): c is Host => Host.isHost(c))
      .sort((a, b) => (a.hostName < b.hostName ? -1 : a.hostName > b.hostName ? 1 : 0));
  }

  /** Add a host by hand. */
  public addHost(id: string, props: HostProps): Host {
    return new Host(this, id, props);
  }

  /** The host named `name`, or undefined. */
  public tryFindHost(name: string): Host | undefined {
    return this.hosts.find((h) => h.hostName === name);
  }

  /** The host named `name`; throws, listing the known names, when there is none. */
  public findHost(name: string): Host {
    const host = this.tryFindHost(name);
    if (!host) {
      throw new Error(`${this.node.path}: no host named "${name}" (known: ${this.hosts.map((h) => h.hostName).join(', ') || 'none'})`);
    }
    return host;
  }

  /**
   * The hosts with these names, for a service's placement. An unknown name is reported at
   * synth, with the names the inventory does have.
   */
  public hostsNamed(...names: string[]): Host[] {
    const found: Host[] = [];
    for (const name of names) {
      const host = this.tryFindHost(name);
      if (host) {
        found.push(host);
      } else if (this.loaded) {
        this._problems.push(`hostsNamed: no host named "${name}" (known: ${this.hosts.map((h) => h.hostName).join(', ') || 'none'})`);
      }
    }
    return found;
  }

  /** The hosts that have `role`. */
  public withRole(role: string): Host[] {
    return this.hosts.filter((h) => h.hasRole(role));
  }

  private load(file: string): void {
    this.loadedFrom = file;
    const projectDir = (this.node.root as { projectDir?: string }).projectDir ?? process.cwd();
    const absolute = path.resolve(projectDir, file);
    let text: string;
    try {
      text = fs.readFileSync(absolute, 'utf8');
    } catch (error) {
      this.loaded = false;
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (error as Error).message;
      this._problems.push(`inventory file ${file} ${reason}; create it, or run "hoist sandbox up" to get a local one`);
      return;
    }
    let data: unknown;
    try {
      // The YAML parser is loaded for YAML inventories only: every synth loads this module.
      data = /\.ya?ml$/i.test(file) ? (require('yaml') as typeof YamlModule).parse(text) : JSON.parse(text);
    } catch (error) {
      this.loaded = false;
      this._problems.push(`inventory file ${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message.split('\n')[0]}`);
      return;
    }
    const parsed = inventoryFileSchema.safeParse(data);
    if (!parsed.success) {
      this.loaded = false;
      this._problems.push(...zodProblems(parsed.error).map((p) => `inventory file ${file}: ${p}`));
      return;
    }
    const seen = new Set<string>();
    const dir = path.dirname(absolute);
    for (const entry of parsed.data.hosts) {
      if (seen.has(entry.name)) {
        this._problems.push(`inventory file ${file}: host "${entry.name}" is listed twice`);
        continue;
      }
      seen.add(entry.name);
      const { name, ...props } = entry;
      new Host(this, name, {
        ...props,
        engine: props.engine as EngineType | undefined,
        identityFile: resolveFrom(dir, props.identityFile),
        knownHostsFile: resolveFrom(dir, props.knownHostsFile),
      });
    }
  }
}

/** Resolves `p` against the inventory's directory; `~/...` stays for the transport to expand. */
function resolveFrom(dir: string, p: string | undefined): string | undefined {
  if (p === undefined || p.startsWith('~/')) {
    return p;
  }
  return path.resolve(dir, p);
}
