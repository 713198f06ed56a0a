/**
 * Hoist's public construct API. Everything exported here is jsii-compatible; the graph,
 * planner, engine drivers and CLI are internal and reached through the `hoist` command.
 */
export * from './app';
export * from './core/stack';
export * from './core/host';
export * from './core/inventory';
export * from './core/image';
export * from './core/build-stage';
export * from './core/service';
export * from './core/service-defaults';
export * from './core/dependency-condition';
export * from './core/volume';
export * from './core/network';
export * from './core/ingress';
export * from './core/secret';
export * from './core/mount';
export * from './core/health-check';
export * from './core/port-mapping';
export * from './core/placement';
export * from './core/resource-limits';
export * from './core/restart-policy';
export * from './core/update-strategy';
export * from './core/logging-options';
export * from './core/pipeline/trigger';
export * from './core/pipeline/pipeline';
export * from './core/pipeline/pipeline-stage';
export * from './core/pipeline/pipeline-step';
export * from './core/pipeline/stack-steps';
export * from './core/pipeline/run-step';
export * from './core/pipeline/shell-step';
export * from './testing';
