import type { ResourceKind } from '../graph/resource-kind';
import type { StackSummary } from '../synth/synth-report';

const ORDER: ResourceKind[] = ['container', 'image', 'network', 'volume', 'secret'];

/** One line per stack: `shop: 9 resources on 2 hosts (db-1, web-1): 3 containers, 2 images, ...`. */
export function formatSummary(stacks: StackSummary[]): string[] {
  return stacks.map((stack) => {
    const total = ORDER.reduce((sum, kind) => sum + stack.counts[kind], 0);
    const parts = ORDER.filter((kind) => stack.counts[kind] > 0).map((kind) => plural(stack.counts[kind], kind));
    const hosts = stack.hosts.length ? ` on ${plural(stack.hosts.length, 'host')} (${stack.hosts.join(', ')})` : '';
    return `  ${stack.name}: ${plural(total, 'resource')}${hosts}${parts.length ? ': ' + parts.join(', ') : ''}`;
  });
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
