import type { EngineKind } from '../values/engine-kind';

/**
 * Names and addresses of a sandbox's parts. Interface names are limited to 15 characters by
 * the kernel, so bridges and veths are named by the sandbox's slot number, not its name.
 */

export const SANDBOX_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,19}$/;
export const MAX_HOSTS = 20;
export const MAX_SLOTS = 100;
export const DEFAULT_SANDBOX_NAME = 'default';

/** Where sandboxes keep their state on this machine (root only). */
export const SANDBOX_ROOT = process.env.HOIST_SANDBOX_ROOT ?? '/var/lib/hoist/sandboxes';

/** Cached base image root filesystems, shared by all sandboxes. */
export const IMAGE_CACHE_DIR = process.env.HOIST_IMAGE_CACHE ?? '/var/cache/hoist';

/** The engine of every host, or `mixed`: alternating Docker and Podman. */
export type EngineMode = EngineKind | 'mixed';

export function subnetOf(slot: number): { subnet: string; gateway: string; prefix: string } {
  const prefix = `10.213.${slot}`;
  return { subnet: `${prefix}.0/24`, gateway: `${prefix}.1`, prefix };
}

export function bridgeName(slot: number): string {
  return `hoist-br${slot}`;
}

export function vethName(slot: number, index: number): string {
  return `hoist-${slot}-${index}`;
}

export function netnsName(sandbox: string, host: string): string {
  return `hoist-${sandbox}-${host}`;
}

export function hostName(index: number): string {
  return `host-${index}`;
}

export function hostAddress(slot: number, index: number): string {
  return `${subnetOf(slot).prefix}.${10 + index}`;
}

/** The engine of host `index` (1-based): mixed alternates Docker and Podman, Docker first. */
export function engineOf(mode: EngineMode, index: number): EngineKind {
  if (mode === 'mixed') return index % 2 === 1 ? 'docker' : 'podman';
  return mode;
}

/** Roles that let the examples deploy unchanged: every host serves "web", the first also "db". */
export function rolesOf(index: number): string[] {
  return index === 1 ? ['db', 'web'] : ['web'];
}

/** The iptables comment that marks every rule a sandbox adds, so down removes exactly those. */
export function ruleComment(sandbox: string): string {
  return `hoist-sandbox:${sandbox}`;
}

/** Registry address on the sandbox bridge. */
export function registryAddress(slot: number): string {
  return `${subnetOf(slot).gateway}:5000`;
}
