import { Construct } from 'constructs';
import { Inventory } from '../core/inventory';
import type { HostSpec } from '../graph/graph-document';
import { renderHost } from './render-host';

/** The root a lookup's inventory hangs from: it carries the project directory, as an App does. */
class LookupRoot extends Construct {
  constructor(public readonly projectDir: string) {
    super(undefined as unknown as Construct, '');
  }
}

/**
 * One host of the default inventory (HOIST_INVENTORY, else the local sandbox's, else
 * `inventory.json` in the project), as the graph would describe it: for commands that reach a
 * host before any program exists (`hoist import host`). The problems say what to do instead.
 */
export function inventoryHost(name: string, projectDir: string): { spec?: HostSpec; problems: string[] } {
  const inventory = Inventory.fromDefault(new LookupRoot(projectDir), 'hosts', { fallbackFile: 'inventory.json' });
  if (inventory._problems.length) return { problems: [...inventory._problems] };
  const host = inventory.tryFindHost(name);
  if (!host) {
    const known = inventory.hosts.map((h) => h.hostName).join(', ') || 'none';
    const from = inventory.sourceFile ? ` of ${inventory.sourceFile}` : '';
    return { problems: [`no host named "${name}" in the inventory${from} (known: ${known})`] };
  }
  return renderHost(host, projectDir);
}
