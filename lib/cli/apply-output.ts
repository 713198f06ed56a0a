import type { ApplyEvent, ImageSent } from '../apply/apply-events';
import { formatBytes } from '../plan/render-plan';
import { describeAction } from '../deploy/describe-action';
import type { CliIo } from './cli-io';

export { describeAction };

/** How apply shows its progress. */
export type ApplyOutputMode = 'live' | 'lines' | 'json';

/** Receives apply's events and messages and shows them in one of the three forms. */
export interface ApplyOutput {
  event(event: ApplyEvent): void;
  /** A message for people (plan text, summaries); in `json` mode an event of type `message`. */
  message(text: string): void;
  /** A structured record (the plan, the final report): printed as-is in `json` mode, ignored otherwise. */
  record(type: string, body: Record<string, unknown>): void;
  /** Ends a live view so later lines print below it. */
  close(): void;
}

/** The default: a live view on a terminal, plain timestamped lines otherwise (CI logs). */
export function outputMode(json: boolean, stream: NodeJS.WriteStream = process.stdout): ApplyOutputMode {
  if (json) return 'json';
  // A terminal that reports no width (some wrappers) cannot be redrawn in place.
  return stream.isTTY && (stream.columns ?? 0) > 0 && !process.env.CI && process.env.TERM !== 'dumb' ? 'live' : 'lines';
}

export function createApplyOutput(io: CliIo, mode: ApplyOutputMode, now: () => Date = () => new Date()): ApplyOutput {
  if (mode === 'json') {
    const write = (record: Record<string, unknown>) => io.out(JSON.stringify({ time: now().toISOString(), ...record }));
    return {
      event: (event) => write(event as unknown as Record<string, unknown>),
      message: (text) => write({ type: 'message', text }),
      record: (type, body) => write({ type, ...body }),
      close: () => undefined,
    };
  }
  if (mode === 'live') {
    const live = tryLiveView(io);
    if (live) return live;
  }
  const stamp = () => now().toISOString().slice(11, 19);
  return {
    event: (event) => {
      const line = describeEvent(event);
      if (line !== null) io.out(`${stamp()} ${line}`);
    },
    message: (text) => io.out(text),
    record: () => undefined,
    close: () => undefined,
  };
}

/** One line for an event, or null for events the line form leaves out. */
export function describeEvent(event: ApplyEvent): string | null {
  switch (event.type) {
    case 'stack-start': return `stack ${event.stack}: applying ${event.actions} action(s) as revision ${event.revision}`;
    case 'action-start': return `${event.action.host}  start ${describeAction(event.action)}`;
    case 'action-progress': return `${event.action.host}  ${describeAction(event.action)}: ${event.message}`;
    case 'action-done': return `${event.action.host}  done  ${describeAction(event.action)} (${(event.ms / 1000).toFixed(1)}s${event.sent ? `, ${sentText(event.sent)}` : ''})`;
    case 'action-failed': return `${event.action.host}  FAILED ${describeAction(event.action)}: ${event.error}`;
    case 'rollback-start': return `stack ${event.stack}: rolling back ${event.service} on ${event.containers.join(', ')}`;
    case 'rollback-done': return `${event.host}  ${event.ok ? 'rolled back' : 'ROLLBACK FAILED'} ${event.container}${event.error ? `: ${event.error}` : ''}`;
    case 'interrupted': return `stack ${event.stack}: stopped on request; ${event.pending} action(s) not started`;
    case 'stack-done': return `stack ${event.stack}: ${event.ok ? 'done' : 'not complete'}`;
  }
}

function sentText(sent: ImageSent): string {
  if (sent.mode === 'registry') return `pulled by digest, ${sent.totalLayers} layers`;
  return `sent ${sent.layers} of ${sent.totalLayers} layers, ${formatBytes(sent.bytes ?? 0)}`;
}


/**
 * The terminal view: one line per host with what runs there now and how much is done,
 * redrawn in place (log-update: a small, well-kept redraw library; it handles wrapping and
 * cursor restore). Failures and rollbacks are printed above it and stay.
 */
function tryLiveView(io: CliIo): ApplyOutput | undefined {
  let logUpdate: { (text: string): void; clear(): void; done(): void };
  try {
    logUpdate = (require('log-update') as { default: typeof logUpdate }).default;
  } catch {
    return undefined; // Node before 20.19 cannot require ES modules: fall back to lines.
  }
  const hosts = new Map<string, { running: Map<string, number>; done: number; failed: number }>();
  let title = '';
  let timer: NodeJS.Timeout | undefined;
  const hostOf = (name: string) => {
    let entry = hosts.get(name);
    if (!entry) hosts.set(name, (entry = { running: new Map(), done: 0, failed: 0 }));
    return entry;
  };
  const render = () => {
    const lines = [title];
    for (const [name, state] of [...hosts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const running = [...state.running].map(([what, since]) => `${what} ${((Date.now() - since) / 1000).toFixed(0)}s`).join('; ');
      lines.push(`  ${name.padEnd(12)} ${String(state.done).padStart(3)} done${state.failed ? `, ${state.failed} failed` : ''}  ${running || 'idle'}`);
    }
    logUpdate(lines.join('\n'));
  };
  const persist = (text: string) => {
    logUpdate.clear();
    io.out(text);
    render();
  };
  return {
    event: (event) => {
      timer ??= setInterval(render, 500).unref();
      switch (event.type) {
        case 'stack-start':
          title = `Applying stack ${event.stack} (revision ${event.revision}, ${event.actions} actions)`;
          break;
        case 'action-start':
          hostOf(event.action.host).running.set(describeAction(event.action), Date.now());
          break;
        case 'action-done':
          hostOf(event.action.host).running.delete(describeAction(event.action));
          hostOf(event.action.host).done++;
          break;
        case 'action-failed':
          hostOf(event.action.host).running.delete(describeAction(event.action));
          hostOf(event.action.host).failed++;
          persist(describeEvent(event)!);
          return;
        case 'rollback-start': case 'rollback-done': case 'interrupted':
          persist(describeEvent(event)!);
          return;
        case 'stack-done':
          render();
          logUpdate.done();
          hosts.clear();
          return;
        default:
          break;
      }
      render();
    },
    message: (text) => persist(text),
    record: () => undefined,
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
}
