import type { HostSpec, StackGraph } from './graph-document';

/** A stack's hosts, then the hosts that only build its images (synth keeps the two apart). */
export function hostsAndBuildersOf(stack: StackGraph): HostSpec[] {
  return [...stack.hosts, ...(stack.builders ?? [])];
}

/** Every host of the given stacks, once each (stacks may share hosts), in first-seen order. */
export function hostsOfStacks(stacks: StackGraph[]): HostSpec[] {
  const hosts = new Map<string, HostSpec>();
  for (const stack of stacks) for (const host of stack.hosts) if (!hosts.has(host.name)) hosts.set(host.name, host);
  return [...hosts.values()];
}
