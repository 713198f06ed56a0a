import { DEFAULT_SANDBOX_NAME, EngineMode, MAX_HOSTS, SANDBOX_NAME_PATTERN } from './sandbox-names';
import { isEngineKind } from '../values/engine-kind';

/** What `hoist sandbox up` was asked for, checked. */
export interface UpOptions {
  readonly name: string;
  readonly hosts: number;
  readonly engine: EngineMode;
  readonly registry: boolean;
  readonly images: ('busybox' | 'debian' | 'haproxy')[];
  readonly projectDir: string;
}

/** Raw command-line values. */
export interface RawUpOptions {
  readonly name?: string;
  readonly hosts?: string;
  readonly engine?: string;
  readonly registry?: boolean;
  readonly images?: string;
  readonly projectDir: string;
}

/** Checks every option before anything is created; all problems in one message. */
export function parseUpOptions(raw: RawUpOptions): UpOptions {
  const problems: string[] = [];
  const name = parseSandboxName(raw.name, problems);
  const hostsText = raw.hosts ?? '3';
  const hosts = Number(hostsText);
  if (!/^\d+$/.test(hostsText) || hosts < 1 || hosts > MAX_HOSTS) {
    problems.push(`--hosts ${hostsText}: must be a whole number from 1 to ${MAX_HOSTS}`);
  }
  const engine = raw.engine ?? 'docker';
  if (!isEngineKind(engine) && engine !== 'mixed') {
    problems.push(`--engine ${engine}: must be docker, podman or mixed (hosts alternate, Docker first)`);
  }
  const images = (raw.images ?? 'busybox,debian,haproxy').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = images.filter((i) => i !== 'busybox' && i !== 'debian' && i !== 'haproxy');
  if (unknown.length) problems.push(`--images ${raw.images}: unknown image ${unknown.join(', ')} (choose from busybox, debian, haproxy)`);
  if (problems.length) throw new Error(problems.join('\n'));
  return { name, hosts, engine: engine as EngineMode, registry: raw.registry ?? false, images: images as UpOptions['images'], projectDir: raw.projectDir };
}

/** The sandbox name from --name, HOIST_SANDBOX, or "default"; problems are appended. */
export function parseSandboxName(given: string | undefined, problems: string[]): string {
  const name = given ?? (process.env.HOIST_SANDBOX || DEFAULT_SANDBOX_NAME);
  if (!SANDBOX_NAME_PATTERN.test(name)) {
    problems.push(`--name ${JSON.stringify(name)}: must be 1-20 lower-case letters, digits or "-", starting with a letter or digit`);
  }
  return name;
}
