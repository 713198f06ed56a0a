/**
 * Hoist's deployment API (package export `hoist/deploy`): the operations of the `hoist`
 * command as functions, in the spirit of Pulumi's Automation API. They take a graph (or an
 * App), take options objects, report typed events and return typed results; a failure is a
 * {@link DeployError} with a `reason`. They never exit the process, read stdin or write to
 * stdout or stderr; secret values the run reads never appear in their events or errors.
 *
 * Not part of the jsii construct API (`hoist`): these are TypeScript/JavaScript only.
 *
 * @example
 * import { apply, plan, destroy } from 'hoist/deploy';
 * const planned = await plan({ graph, projectDir: '.' });
 * if (planned.hasChanges) await apply(planned, { onEvent: (e) => console.log(e.type) });
 */
export { apply } from './apply';
export { destroy, type DestroyOptions } from './destroy';
export { plan, type PlanOptions } from './plan';
export { rollback, type RollbackOptions, type RollbackResult } from './rollback';
export { status, type StatusOptions } from './status';
export { DeployError, type DeployFailureReason } from './deploy-error';
export type { ChangeCommand, DeployEvent, DeployEventListener, RunningVersion } from './deploy-events';
export type { ChangeOptions, HostAccessOptions, ReadOptions } from './deploy-options';
export type { DeploySource, GraphSource } from './deploy-source';
export { defaultHostOpener, type HostOpener } from './host-access';
export { readPlanFile, savePlanFile, type PlannedChange, type PlanResult } from './planned-change';
export type { ChangeResult } from './run-change';
export { describeAction } from './describe-action';
export { withStackLocks, type StackLockOptions } from './with-stack-locks';
export type { ApplyEvent, ImageSent } from '../apply/apply-events';
export type { StatusDocument } from '../status/stack-status';
export type { PlanDocument, PlannedAction, PlanSummary } from '../plan/plan-types';
export type { GraphDocument } from '../graph/graph-document';
export type { SynthRoot } from '../synth/synth-root';
export type { OpenHost, OpenHostOptions } from '../drivers/open-host';
