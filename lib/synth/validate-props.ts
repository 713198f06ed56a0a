import type { IConstruct } from 'constructs';
import { Host } from '../core/host';
import { Inventory } from '../core/inventory';
import { Network } from '../core/network';
import { Secret } from '../core/secret';
import type { ServiceDefaults } from '../core/service-defaults';
import { Stack } from '../core/stack';
import { Volume } from '../core/volume';
import type { HostSpec, SecretOrigin } from '../graph/graph-document';
import { zodProblems } from '../schemas/zod-problems';
import { IDENTIFIER_PATTERN } from '../values/docker-name';
import { checkLintRules } from './check-lint-rules';
import { EngineNames } from './engine-names';
import { projectPath } from './project-path';
import { renderHost } from './render-host';
import { networkPropsSchema, secretPropsSchema, stackPropsSchema, volumePropsSchema } from './resource-props';
import type { StackSynthContext } from './stack-synth-context';

/** The hosts a stack may place services on: its own and the app's shared ones, with valid props. */
export interface StackHosts {
  readonly specs: ReadonlyMap<Host, HostSpec>;
  /** The same hosts by their unique name. */
  readonly byName: ReadonlyMap<string, Host>;
}

/** A secret whose props are valid, with where its value comes from. */
export interface ValidSecret {
  readonly secret: Secret;
  readonly origin: SecretOrigin;
}

/** A stack after its own props and those of its hosts, volumes, networks and secrets are checked. */
export interface ValidatedStack {
  readonly stack: Stack;
  readonly stackName: string;
  readonly stackPath: string;
  /** The stack's constructs in tree order, without the stack itself. */
  readonly members: readonly IConstruct[];
  /** The stack's service defaults with their lint settings checked; empty when the stack's props are not valid. */
  readonly defaults: ServiceDefaults;
  readonly hosts: StackHosts;
  /** Every volume of the stack, also one with problems (nothing is rendered when there are any). */
  readonly volumes: readonly Volume[];
  /** Every network of the stack, also one with problems. */
  readonly networks: readonly Network[];
  readonly secrets: readonly ValidSecret[];
  /** Engine names claimed so far: the volumes' and networks'; the model adds the containers'. */
  readonly engineNames: EngineNames;
}

/**
 * Synth's first phase: checks the props of the stack and of everything in it that services
 * refer to (hosts, inventories, volumes, networks, secrets), and the names they claim. Reads
 * no secret value and renders no service: those are the next phases.
 */
export function validateProps(stack: Stack, ctx: StackSynthContext): ValidatedStack {
  const { problems, projectDir } = ctx;
  const stackPath = stack.node.path;
  const members = stack.node.findAll().filter((c) => c !== stack && Stack.tryOf(c) === stack);

  const stackProps = stackPropsSchema.safeParse(stack._props);
  if (!stackProps.success) problems.addAll(stackPath, zodProblems(stackProps.error));
  const defaults: ServiceDefaults = stackProps.success ? stack.defaults : {};
  const defaultLint = checkLintRules(defaults.lintRules, 'service');
  for (const problem of defaultLint.problems) problems.add(stackPath, `defaults.${problem}`);
  const stackName = stack.stackName;
  // The stack name prefixes engine names (each checked in full by EngineNames) and labels.
  if (stackProps.success && !IDENTIFIER_PATTERN.test(stackName)) {
    problems.add(stackPath, `stackName: ${JSON.stringify(stackName)} is not a valid stack name (letters, digits, "_", "." or "-", starting with a letter or digit)`);
  }

  for (const inventory of members.filter(Inventory.isInventory)) {
    problems.addAll(inventory.node.path, inventory._problems);
  }

  const specs = new Map<Host, HostSpec>();
  const byName = new Map<string, Host>();
  for (const host of [...ctx.sharedHosts, ...members.filter(Host.isHost)]) {
    const rendered = renderHost(host, projectDir);
    problems.addAll(host.node.path, rendered.problems);
    if (!rendered.spec) continue;
    const other = byName.get(rendered.spec.name);
    if (other) {
      problems.add(host.node.path, `hostName: "${rendered.spec.name}" is also the name of ${other.node.path}; host names must be unique`);
      continue;
    }
    byName.set(rendered.spec.name, host);
    specs.set(host, rendered.spec);
  }

  const engineNames = new EngineNames(stackName, problems);
  const volumes = members.filter(Volume.isVolume);
  const networks = members.filter(Network.isNetwork);
  for (const volume of volumes) {
    const parsed = volumePropsSchema.safeParse(volume._props);
    if (!parsed.success) problems.addAll(volume.node.path, zodProblems(parsed.error));
    else if (volume._props.existingName !== undefined) engineNames.claimExact('volume', volume._props.existingName, volume, 'existingName');
    else engineNames.claim('volume', volume.volumeName, volume, 'volumeName');
  }
  for (const network of networks) {
    const parsed = networkPropsSchema.safeParse(network._props);
    if (!parsed.success) problems.addAll(network.node.path, zodProblems(parsed.error));
    else if (network._props.existingName !== undefined) engineNames.claimExact('network', network._props.existingName, network, 'existingName');
    else engineNames.claim('network', network.networkName, network, 'networkName');
  }

  const secrets: ValidSecret[] = [];
  const secretNames = new Map<string, string>();
  for (const secret of members.filter(Secret.isSecret)) {
    const parsed = secretPropsSchema.safeParse(secret._props);
    if (!parsed.success) {
      problems.addAll(secret.node.path, zodProblems(parsed.error));
      continue;
    }
    const earlier = secretNames.get(secret.secretName);
    if (earlier) problems.add(secret.node.path, `secretName: "${secret.secretName}" is also the name of ${earlier}`);
    secretNames.set(secret.secretName, secret.node.path);
    const p = parsed.data;
    const origin: SecretOrigin = p.fromEnv !== undefined ? { kind: 'env', variable: p.fromEnv }
      : p.fromFile !== undefined ? { kind: 'file', path: projectPath(projectDir, p.fromFile) }
        : { kind: 'command', argv: [...p.fromCommand!] };
    secrets.push({ secret, origin });
  }

  return {
    stack, stackName, stackPath, members,
    defaults: { ...defaults, lintRules: defaultLint.settings },
    hosts: { specs, byName },
    volumes, networks, secrets, engineNames,
  };
}
