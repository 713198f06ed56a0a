import { diffLines } from 'diff';
import type { Cause, PlanDocument, PlannedAction, PlannedDelivery } from './plan-types';

/** How to render: colour only when asked (the CLI asks on a TTY without NO_COLOR). */
export interface RenderOptions {
  readonly color: boolean;
}

const SYMBOL: Record<string, string> = { build: '*', create: '+', update: '~', delete: '-' };

function symbolOf(action: PlannedAction): string {
  if (action.action === 'replace') return action.order === 'start-first' ? '+/-' : '-/+';
  return SYMBOL[action.action];
}

function describe(action: PlannedAction): string {
  switch (action.action) {
    case 'build': return 'will be built here';
    case 'create': return action.delivery ? `will be sent from ${action.delivery.from} (${deliveryText(action.delivery)})` : 'will be created';
    case 'update': return 'will be updated in place';
    case 'delete': return action.dataLoss ? 'will be DELETED, with its data' : 'will be deleted';
    case 'replace': {
      const how = action.order === 'start-first' ? 'new one started first' : action.order === 'stop-first' ? 'old one stopped first' : 'replaced';
      return `will be replaced (${how}${action.batch ? `, batch ${action.batch}` : ''})${action.dataLoss ? ', LOSING its data' : ''}`;
    }
  }
}

/** "3 of 5 layers, 1.2 MB", "through the registry", or "size known once built". */
export function deliveryText(delivery: PlannedDelivery): string {
  if (delivery.mode === 'registry') return 'pushed to its registry, pulled by digest';
  if (!delivery.layers) return 'directly; layers to send known once it is built';
  const bytes = delivery.bytes === null ? 'size unknown' : formatBytes(delivery.bytes);
  return `directly: ${delivery.layers.send} of ${delivery.layers.total} layers, ${bytes}`;
}

/** Bytes for people: 0 B, 812 B, 4.2 kB, 1.3 MB, 2.1 GB (powers of 1000, like the engines print). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Terraform-style text: per stack and host, symbols, causes with field diffs, a summary line. */
export function renderPlanText(plan: PlanDocument, options: RenderOptions): string[] {
  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const colorOf: Record<string, string> = { build: '36', create: '32', update: '33', replace: '35', delete: '31' };
  const lines: string[] = [];
  for (const stack of plan.stacks) {
    lines.push(`Stack ${stack.stack}`);
    const hosts = [...new Set(stack.actions.map((a) => a.host))].sort();
    for (const host of hosts) {
      lines.push(`  host ${host}`);
      for (const action of stack.actions.filter((a) => a.host === host)) {
        lines.push(`    ${paint(colorOf[action.action], symbolOf(action).padEnd(3))} ${action.kind} ${action.name} ${describe(action)}  [step ${action.step}]`);
        for (const cause of action.causes) lines.push(...renderCause(cause).map((l) => `          ${l}`));
        for (const v of action.anonymousVolumes ?? []) {
          lines.push(`          ${v.kept ? `keeps anonymous volume for ${v.path}` : `DELETES anonymous volume for ${v.path}, with its data`} (${v.volume.slice(0, 12)})${v.kept && action.action === 'delete' ? '; deleted only with plan --delete-volumes or destroy --remove-volumes' : ''}`);
        }
      }
    }
    for (const k of stack.kept) lines.push(`  kept: ${k.kind} ${k.name} on ${k.host}: ${k.reason}`);
    for (const c of stack.conflicts) lines.push(`  ${paint('31', '!')} conflict: ${c.message}`);
    if (stack.actions.length === 0 && stack.conflicts.length === 0) lines.push('  no changes: the hosts match the graph');
  }
  const order = renderOrder(plan);
  if (order.length) lines.push('', 'Apply order:', ...order);
  if (plan.targets) lines.push('', `Warning: planned only for ${plan.targets.join(', ')} (--target); the rest of the graph was not considered. Use it for exceptional cases only.`);
  const s = plan.summary;
  lines.push('', `Plan: ${s.build ? `${s.build} to build, ` : ''}${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete.`);
  return lines;
}

function renderOrder(plan: PlanDocument): string[] {
  const lines: string[] = [];
  for (const stack of plan.stacks) {
    const steps = [...new Set(stack.actions.map((a) => a.step))].sort((a, b) => a - b);
    for (const step of steps) {
      const actions = stack.actions.filter((a) => a.step === step);
      lines.push(`  ${stack.stack} step ${step}: ${actions.map((a) => `${a.action} ${a.kind} ${a.name}@${a.host}`).join(', ')}`);
    }
  }
  return lines;
}

/** One cause as lines of text. Secret fingerprints are never shown, only that they changed. */
export function renderCause(cause: Cause): string[] {
  switch (cause.type) {
    case 'missing': return ['(not on the host)'];
    case 'inputs-changed': return cause.changes.length === 0 ? ['(not built with these inputs yet)'] : cause.changes.length > 12
      ? [`(${cause.changes.slice(0, 10).join(', ')} and ${cause.changes.length - 10} more)`]
      : [`(${cause.changes.join(', ')})`];
    case 'removed-from-graph': return ['(no longer in the graph)'];
    case 'rollout-leftover': return ['(left by an apply that did not finish)'];
    case 'adopt': return [`(adopts container ${cause.container}, not made by Hoist: it stops, the new container takes over its anonymous volumes, and it is removed once the new one is ready; its volumes are kept)`];
    case 'not-running': return cause.state === 'created'
      ? ['(found created but never started, perhaps by a run that was killed: it will be made anew)']
      : [`(found ${cause.state}${cause.exitCode === null ? '' : ` with exit code ${cause.exitCode}`}, changed outside Hoist: it will be started)`];
    case 'dependency-replaced': return [`(${cause.dependency} is replaced)`];
    case 'image-content': return [`(image ${cause.reference} now has other content: ${short(cause.before)} -> ${short(cause.after)})`];
    case 'changed':
    case 'drift': {
      const tag = cause.type === 'drift' ? ' (changed outside Hoist)' : '';
      if (cause.sensitive) {
        const same = JSON.stringify(cause.before) === JSON.stringify(cause.after);
        return [`~ ${cause.field}: ${same ? '(sensitive value changed)' : `${value(cause.before)} -> ${value(cause.after)} (values hidden)`}${tag}`];
      }
      if (isLong(cause.before) || isLong(cause.after)) {
        const parts = diffLines(String(cause.before ?? ''), String(cause.after ?? ''));
        return [`~ ${cause.field}:${tag}`, ...parts.flatMap((p) => p.value.replace(/\n$/, '').split('\n').map((l) => `  ${p.added ? '+' : p.removed ? '-' : ' '} ${l}`))];
      }
      return [`~ ${cause.field}: ${value(cause.before)} -> ${value(cause.after)}${tag}`];
    }
  }
}

function isLong(v: unknown): boolean {
  return typeof v === 'string' && (v.includes('\n') || v.length > 80);
}

function value(v: unknown): string {
  return v === null || v === undefined ? '(default)' : JSON.stringify(v);
}

function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Markdown for a pull-request comment. */
export function renderPlanMarkdown(plan: PlanDocument): string[] {
  const s = plan.summary;
  const lines = [`### Hoist plan: ${s.build ? `${s.build} to build, ` : ''}${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete`, ''];
  for (const stack of plan.stacks) {
    lines.push(`#### Stack \`${stack.stack}\``, '');
    if (stack.actions.length === 0 && stack.conflicts.length === 0) lines.push('No changes: the hosts match the graph.', '');
    if (stack.actions.length) {
      lines.push('| step | host | action | object | why |', '|---:|---|---|---|---|');
      for (const a of stack.actions) {
        const why = a.causes.flatMap(renderCause).join('<br>').replace(/\|/g, '\\|');
        lines.push(`| ${a.step} | ${a.host} | ${symbolOf(a)} ${a.action}${a.dataLoss ? ' **(data loss)**' : ''} | ${a.kind} \`${a.name}\` | ${why} |`);
      }
      lines.push('');
    }
    for (const c of stack.conflicts) lines.push(`> **Conflict:** ${c.message}`, '');
  }
  lines.push(`<sub>graph ${plan.graph_hash.slice(0, 19)}, planned ${plan.created_at}</sub>`);
  return lines;
}
