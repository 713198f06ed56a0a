import * as path from 'node:path';
import { LINUX_CAPABILITIES, normalizeCapability } from '../../values/capabilities';
import { IDENTIFIER_PATTERN } from '../../values/docker-name';
import { ComposeImportError } from './compose-import-error';
import type { ComposeFinding, ComposeModel, ComposeMount, ComposeService, ComposeWhere } from './compose-model';
import {
  array, call, construct, isEmptyObject, literal, object, reference, stringRecord,
  type ProgramDescription, type ProgramExpression, type ProgramStatement,
} from './program-description';
import { camelCase, imageName, NameScope, variableScope } from './program-names';

/** Options for {@link mapCompose}. */
export interface MapComposeOptions {
  /** The stack's name. */
  readonly stackName: string;
  /** The Compose file as the program's header names it. */
  readonly composeFile: string;
  /** The directory the program is written to: relative paths in it start there. */
  readonly programDirectory: string;
  /** Active profiles: services with other profiles are skipped. */
  readonly profiles: readonly string[];
  /**
   * A running host the model was read from (`hoist import host`), instead of a Compose file:
   * the services run on that host of the inventory, and adopt its containers.
   *
   * @default - a Compose file
   */
  readonly host?: string;
}

/** A Compose model as a program, and what did not carry over. */
export interface MappedCompose {
  readonly program: ProgramDescription;
  /** Keys Hoist cannot express, in file order. */
  readonly unsupported: readonly ComposeFinding[];
  /** Caveats about what was imported, in file order. */
  readonly notes: readonly ComposeFinding[];
  /** Services left out for their profiles, and resources no imported service uses. */
  readonly skipped: readonly ComposeFinding[];
  /** Names of what the program creates, by kind. */
  readonly imported: { readonly services: string[]; readonly volumes: string[]; readonly networks: string[]; readonly secrets: string[] };
}

/** The names the program itself uses; constructs take other variable names. */
const OWN_VARIABLES = ['app', 'stack', 'hosts', 'host'];
/** Construct ids the program uses itself, among the stack's children. */
const OWN_IDS = ['hosts'];
/** Variable names that usually hold a secret; `*_FILE` ones name a file holding it instead. */
const SECRET_LOOKING = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|APIKEY|ACCESS_KEY|CREDENTIALS?)(?!.*_(FILE|PATH|DIR)$)/i;
const HOIST_NAMES = ['App', 'FailureAction', 'HealthCheck', 'Image', 'Inventory', 'Mount', 'Network', 'Protocol', 'RestartPolicy', 'Secret', 'Service', 'Stack', 'UpdateOrder', 'Volume'];

/**
 * Maps a Compose model to a program: one construct per service, volume, network and secret
 * that an active service uses, every service on the inventory's first host (a Compose file
 * describes one host), and the stack's defaults set to Compose's behaviour (no restarts,
 * stop-first replacement). Pure: the same model and options give the same program.
 */
export function mapCompose(model: ComposeModel, options: MapComposeOptions): MappedCompose {
  return new Mapper(model, options).run();
}

interface Named {
  readonly id: string;
  readonly variable: string;
  /** The name prop the construct needs because its id differs from the Compose name. */
  readonly renamed: boolean;
}

class Mapper {
  private readonly unsupported: ComposeFinding[];
  private readonly notes: ComposeFinding[];
  private readonly skipped: ComposeFinding[] = [];
  private readonly ids = new NameScope(OWN_IDS);
  private readonly variables = variableScope(OWN_VARIABLES);
  private readonly services = new Map<string, Named>();
  private readonly volumes = new Map<string, Named>();
  private readonly networks = new Map<string, Named>();
  private readonly secrets = new Map<string, Named>();

  constructor(private readonly model: ComposeModel, private readonly options: MapComposeOptions) {
    this.unsupported = [...model.unsupported];
    this.notes = [...model.notes];
  }

  public run(): MappedCompose {
    const active = this.activeServices();
    const order = this.dependencyOrder(active);
    const used = this.usedResources(active);

    // Services keep their names as construct ids; resources that clash with one get a suffix.
    for (const service of order) this.services.set(service.name, this.name(service.name, 'Service', '-service'));
    for (const volume of this.model.volumes) if (used.volumes.has(volume.name)) this.volumes.set(volume.name, this.name(volume.name, 'Volume', '-volume'));
    for (const network of this.networkList(used.networks)) this.networks.set(network, this.name(network, 'Network', '-network'));
    for (const secret of this.model.secrets) if (used.secrets.has(secret.name)) this.secrets.set(secret.name, this.name(secret.name, 'Secret', '-secret'));

    const statements: ProgramStatement[] = [...this.preamble(order)];
    statements.push(...this.volumeStatements(), ...this.networkStatements(), ...this.secretStatements());
    for (const service of order) statements.push(this.serviceStatement(service));
    statements.push({ comments: [], expression: call('app.synth'), blankLineBefore: true });

    const byLine = (a: ComposeFinding, b: ComposeFinding) => a.line - b.line || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    return {
      program: { header: this.header(), imports: importsOf(statements), statements },
      unsupported: this.unsupported.sort(byLine),
      notes: this.notes.sort(byLine),
      skipped: this.skipped.sort(byLine),
      imported: {
        services: order.map((s) => s.name),
        volumes: [...this.volumes.keys()],
        networks: [...this.networks.keys()],
        secrets: [...this.secrets.keys()],
      },
    };
  }

  private name(composeName: string, kind: string, idSuffix: string): Named {
    const id = this.ids.claim(composeName, idSuffix);
    return { id, variable: this.variables.claim(camelCase(composeName), kind), renamed: id !== composeName };
  }

  // ---- what is imported --------------------------------------------------------------------

  private activeServices(): ComposeService[] {
    const active: ComposeService[] = [];
    for (const service of this.model.services) {
      if (service.profiles.length === 0 || service.profiles.some((p) => this.options.profiles.includes(p))) {
        active.push(service);
      } else {
        const list = service.profiles.join(', ');
        this.skipped.push({ ...service.where, key: service.name, reason: `its profile${service.profiles.length > 1 ? 's' : ''} (${list}) ${service.profiles.length > 1 ? 'are' : 'is'} not active; pass --profile ${service.profiles[0]} to import it` });
      }
    }
    return active;
  }

  /** Services ordered so that each comes after those it depends on; file order otherwise. */
  private dependencyOrder(active: ComposeService[]): ComposeService[] {
    const names = new Set(active.map((s) => s.name));
    for (const service of active) {
      for (const dependency of service.dependsOn) {
        if (!names.has(dependency.service)) {
          this.skip(service.name, dependency.where, `${dependency.service} is not imported (its profiles are not active)`);
        }
      }
    }
    const done = new Set<string>();
    const order: ComposeService[] = [];
    while (order.length < active.length) {
      const next = active.find((s) => !done.has(s.name) && s.dependsOn.every((d) => done.has(d.service) || !names.has(d.service)));
      if (!next) {
        const left = active.filter((s) => !done.has(s.name));
        throw new ComposeImportError(left.map((s) => `${this.options.composeFile}:${s.where.line}: ${s.where.path}: depends_on forms a cycle with ${left.filter((o) => o !== s).map((o) => o.name).join(', ')}`));
      }
      done.add(next.name);
      order.push(next);
    }
    return order;
  }

  private usedResources(active: ComposeService[]): { volumes: Set<string>; networks: Set<string>; secrets: Set<string> } {
    const used = { volumes: new Set<string>(), networks: new Set<string>(), secrets: new Set<string>() };
    const external = {
      volumes: new Set(this.model.volumes.filter((v) => v.external).map((v) => v.name)),
      networks: new Set(this.model.networks.filter((n) => n.external).map((n) => n.name)),
      secrets: new Set(this.model.secrets.filter((s) => s.source.kind === 'external').map((s) => s.name)),
    };
    for (const service of active) {
      for (const mount of service.mounts) {
        if (mount.type !== 'volume') continue;
        if (external.volumes.has(mount.volume)) this.skip(service.name, mount.where, `the volume ${mount.volume} is external: Hoist mounts only volumes the stack creates (<stack>-<name>)`);
        else used.volumes.add(mount.volume);
      }
      const attachments = service.networks ?? (service.ownNetworkMode ? [] : [{ network: 'default', where: service.where, aliases: [] }]);
      for (const attachment of attachments) {
        if (external.networks.has(attachment.network)) this.skip(service.name, attachment.where, `the network ${attachment.network} is external: Hoist attaches services only to networks the stack creates`);
        else used.networks.add(attachment.network);
      }
      for (const use of [...service.secrets, ...(service.build?.secrets ?? [])]) {
        if (external.secrets.has(use.secret)) this.skip(service.name, use.where, `the secret ${use.secret} is external`);
        else used.secrets.add(use.secret);
      }
    }
    const unused = (kind: string, names: string[], isUsed: Set<string>, where: (n: string) => ComposeWhere) => {
      for (const name of names) if (!isUsed.has(name)) this.skipped.push({ ...where(name), key: name, reason: `no imported service uses this ${kind}` });
    };
    unused('volume', this.model.volumes.filter((v) => !v.external).map((v) => v.name), used.volumes, (n) => this.model.volumes.find((v) => v.name === n)!.where);
    unused('network', this.model.networks.filter((n) => !n.external && n.name !== 'default').map((n) => n.name), used.networks, (n) => this.model.networks.find((m) => m.name === n)!.where);
    unused('secret', this.model.secrets.filter((s) => s.source.kind !== 'external').map((s) => s.name), used.secrets, (n) => this.model.secrets.find((s) => s.name === n)!.where);
    return used;
  }

  /** The networks used, declared ones in file order, then the default network. */
  private networkList(used: Set<string>): string[] {
    const declared = this.model.networks.map((n) => n.name).filter((n) => used.has(n));
    return used.has('default') && !declared.includes('default') ? [...declared, 'default'] : declared;
  }

  private skip(service: string, where: ComposeWhere, reason: string): void {
    this.unsupported.push({ ...where, key: this.keyOf(where, `services.${service}`), reason, owner: { kind: 'service', name: service } });
  }

  private note(owner: NonNullable<ComposeFinding['owner']>, where: ComposeWhere, reason: string): void {
    this.notes.push({ ...where, key: this.keyOf(where, `${owner.kind}s.${owner.name}`), reason, owner });
  }

  /** The key of a finding below its construct: `ports[1]` of `services.web.ports[1]` (or of `web.ports[1]` read from a host). */
  private keyOf(where: ComposeWhere, own: string): string {
    if (this.options.host !== undefined) return where.path.includes('.') ? where.path.slice(where.path.indexOf('.') + 1) : '';
    return where.path === own ? '' : where.path.replace(`${own}.`, '');
  }

  // ---- statements --------------------------------------------------------------------------

  private header(): string[] {
    const fileLevel = this.unsupported.filter((f) => !f.owner);
    if (this.options.host !== undefined) {
      return [
        `Imported from the containers running on ${this.options.host} by \`hoist import host\`: one service for`,
        'each container, which it adopts (replaces, keeping its volumes), and the volumes and networks',
        'they use, as they are. Check it, then `npx hoist plan`: it should replace each container and',
        'nothing else.',
        '',
        'Hosts come from the inventory: the file named by HOIST_INVENTORY, else the local sandbox',
        '(`sudo npx hoist sandbox up`), else inventory.json beside this file.',
      ];
    }
    return [
      `Imported from ${this.options.composeFile} by \`hoist import compose\`: one construct for each service,`,
      'volume, network and secret of the file. Check it, then `npx hoist synth` and `npx hoist plan`.',
      '',
      'Hosts come from the inventory: the file named by HOIST_INVENTORY, else the local sandbox',
      '(`sudo npx hoist sandbox up`), else inventory.json beside this file.',
      ...(fileLevel.length ? ['', ...fileLevel.map((f) => `compose: ${f.key} not imported (${f.reason})`)] : []),
    ];
  }

  private preamble(services: ComposeService[]): ProgramStatement[] {
    const defaults: Record<string, ProgramExpression | undefined> = {};
    const comments: string[] = [];
    if (services.some((s) => s.restart === undefined)) {
      defaults.restart = reference('RestartPolicy.NO');
      comments.push('As Compose does: no restarts unless a service asks for them');
    }
    if (services.some((s) => s.update.order === undefined)) {
      defaults.update = object({ order: reference('UpdateOrder.STOP_FIRST') });
      comments.push(`${comments.length ? 'and a' : 'As Compose does: a'} changed container stops before its replacement starts`);
    }
    if (this.options.host !== undefined && comments.length) {
      // The same defaults, for containers started by hand.
      comments.splice(0, comments.length, `As for containers started by hand: ${[
        ...(defaults.restart ? ['no restarts unless a service asks for them'] : []),
        ...(defaults.update ? ['a changed container stops before its replacement starts'] : []),
      ].join(', and ')}`);
    }
    const stackArgs = [reference('app'), literal(this.options.stackName)];
    if (Object.keys(defaults).length) stackArgs.push(object({ defaults: object(defaults) }));
    return [
      { comments: [], variable: 'app', expression: construct('App') },
      { comments: comments.length ? [comments.join(', ') + '.'] : [], variable: 'stack', expression: construct('Stack', ...stackArgs) },
      { comments: [], variable: 'hosts', expression: call('Inventory.fromDefault', reference('stack'), literal('hosts'), object({ fallbackFile: literal('inventory.json') })) },
      this.options.host !== undefined
        ? {
          comments: [`The containers were read from ${this.options.host}: their services run there.`],
          variable: 'host',
          expression: call('hosts.findHost', literal(this.options.host)),
        }
        : {
          comments: [
            'A Compose file describes one host: every service runs on the inventory\'s first host, and',
            'images are built there, as Compose builds on the engine it runs against.',
          ],
          variable: 'host',
          expression: reference('hosts.hosts[0]'),
        },
    ];
  }

  private volumeStatements(): ProgramStatement[] {
    return this.model.volumes.filter((v) => this.volumes.has(v.name)).map((volume, i) => {
      const named = this.volumes.get(volume.name)!;
      const owner = { kind: 'volume' as const, name: volume.name };
      let volumeName = named.renamed ? volume.name : undefined;
      if (volume.adopt && volume.engineName !== undefined) {
        volumeName = undefined;
      } else if (volume.engineName !== undefined && volume.engineName !== volume.name) {
        if (IDENTIFIER_PATTERN.test(volume.engineName)) {
          volumeName = volume.engineName;
          this.note(owner, volume.where, `Compose names this volume ${volume.engineName}; Hoist names it ${this.options.stackName}-${volume.engineName}`);
        } else {
          this.note(owner, volume.where, `Compose names this volume ${JSON.stringify(volume.engineName)}, which is no Hoist name; the program uses ${volume.name}`);
        }
      } else {
        this.note(owner, volume.where, `Compose keeps this data in the volume <project>_${volume.name}; Hoist creates ${this.options.stackName}-${volumeName ?? volume.name}: copy the data across before you move the service`);
      }
      const props = object({
        existingName: volume.adopt ? literal(volume.engineName!) : undefined,
        volumeName: volumeName === undefined ? undefined : literal(volumeName),
        driver: volume.driver === undefined || volume.driver === 'local' ? undefined : literal(volume.driver),
        options: Object.keys(volume.driverOptions).length ? stringRecord(volume.driverOptions) : undefined,
      });
      return {
        comments: this.commentsFor(owner),
        variable: named.variable,
        expression: construct('Volume', reference('stack'), literal(named.id), ...(isEmptyObject(props) ? [] : [props])),
        blankLineBefore: i === 0,
      };
    });
  }

  private networkStatements(): ProgramStatement[] {
    return [...this.networks.entries()].map(([name, named], i) => {
      const network = this.model.networks.find((n) => n.name === name);
      const owner = { kind: 'network' as const, name };
      let networkName = named.renamed ? name : undefined;
      if (network?.adopt) {
        networkName = undefined;
      } else if (network?.engineName !== undefined && network.engineName !== name) {
        if (IDENTIFIER_PATTERN.test(network.engineName)) {
          networkName = network.engineName;
          this.note(owner, network.where, `Compose names this network ${network.engineName}; Hoist names it ${this.options.stackName}-${network.engineName}`);
        } else {
          this.note(owner, network.where, `Compose names this network ${JSON.stringify(network.engineName)}, which is no Hoist name; the program uses ${name}`);
        }
      }
      const props = object({
        existingName: network?.adopt ? literal(network.engineName!) : undefined,
        networkName: networkName === undefined ? undefined : literal(networkName),
        driver: network?.driver === undefined || network.driver === 'bridge' ? undefined : literal(network.driver),
        internalOnly: network?.internal ? literal(true) : undefined,
        subnet: network?.subnet === undefined ? undefined : literal(network.subnet),
      });
      const comments = this.commentsFor(owner);
      if (name === 'default' && !network) comments.unshift('Compose\'s default network, for the services that name no network.');
      return {
        comments,
        variable: named.variable,
        expression: construct('Network', reference('stack'), literal(named.id), ...(isEmptyObject(props) ? [] : [props])),
        blankLineBefore: i === 0,
      };
    });
  }

  private secretStatements(): ProgramStatement[] {
    return this.model.secrets.filter((s) => this.secrets.has(s.name)).map((secret, i) => {
      const named = this.secrets.get(secret.name)!;
      const owner = { kind: 'secret' as const, name: secret.name };
      const options = named.renamed ? [object({ secretName: literal(secret.name) })] : [];
      const source = secret.source;
      const expression = source.kind === 'file'
        ? call('Secret.fromFile', reference('stack'), literal(named.id), literal(this.relative(source.path)), ...options)
        : call('Secret.fromEnv', reference('stack'), literal(named.id), literal(source.kind === 'env' ? source.variable : ''), ...options);
      return { comments: this.commentsFor(owner), variable: named.variable, expression, blankLineBefore: i === 0 };
    });
  }

  private serviceStatement(service: ComposeService): ProgramStatement {
    const named = this.services.get(service.name)!;
    const props: Record<string, ProgramExpression | undefined> = {};
    if (named.renamed) props.serviceName = literal(service.name);
    props.image = this.image(service);
    if (service.command) props.command = array(service.command.map(literal));
    if (service.entrypoint) props.entrypoint = array(service.entrypoint.map(literal));
    props.environment = this.environment(service);
    props.secrets = this.secretDeliveries(service);
    props.ports = service.ports.length ? array(service.ports.map((p) => object({
      host: p.host === undefined ? undefined : literal(p.host),
      container: literal(p.container),
      protocol: p.protocol === 'udp' ? reference('Protocol.UDP') : undefined,
      bindAddress: p.hostIp === undefined ? undefined : literal(p.hostIp),
    }))) : undefined;
    // Mounts of external volumes were reported when the volumes were counted.
    const mounts = service.mounts.filter((m) => m.type !== 'volume' || this.volumes.has(m.volume));
    props.mounts = mounts.length ? array(mounts.map((m) => this.mount(m))) : undefined;
    props.networks = this.attachments(service);
    if (service.replicas !== undefined && service.replicas !== 1) props.replicas = literal(service.replicas);
    props.placement = object({ hosts: array([reference('host')]) });
    const r = service.resources;
    const resources = object({
      cpus: r.cpus === undefined ? undefined : literal(r.cpus),
      memory: r.memory === undefined ? undefined : literal(r.memory),
      memoryReservation: r.memoryReservation === undefined ? undefined : literal(r.memoryReservation),
      pids: r.pids === undefined ? undefined : literal(r.pids),
    });
    if (!isEmptyObject(resources)) props.resources = resources;
    props.healthCheck = this.healthCheck(service);
    if (service.restart && service.restart.policy !== 'no') {
      props.restart = reference(`RestartPolicy.${service.restart.policy.toUpperCase().replace('-', '_')}`);
      if (service.restart.maxRetries !== undefined && service.restart.maxRetries > 0) props.restartMaxRetries = literal(service.restart.maxRetries);
    }
    if (service.user) {
      if (/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(service.user.value)) props.user = literal(service.user.value);
      else this.skip(service.name, service.user.where, `${JSON.stringify(service.user.value)} is not a user Hoist takes (a name or uid, optionally ":group")`);
    }
    if (service.workingDir !== undefined) props.workingDirectory = literal(service.workingDir);
    if (service.readOnly) props.readOnlyRootFilesystem = literal(true);
    props.capAdd = this.capabilities(service, service.capAdd);
    props.capDrop = this.capabilities(service, service.capDrop);
    if (service.noNewPrivileges) props.noNewPrivileges = literal(true);
    if (service.logging) {
      if (IDENTIFIER_PATTERN.test(service.logging.driver)) {
        props.logging = object({ driver: literal(service.logging.driver), options: Object.keys(service.logging.options).length ? stringRecord(service.logging.options) : undefined });
      } else {
        this.skip(service.name, service.logging.where, `${JSON.stringify(service.logging.driver)} is not a log driver name`);
      }
    }
    if (service.stopGracePeriod !== undefined) props.stopGracePeriod = literal(service.stopGracePeriod);
    props.dependsOn = this.dependencies(service);
    props.update = this.update(service);
    props.labels = this.labels(service);
    if (service.adopts !== undefined) props.adoptContainer = literal(service.adopts);
    for (const [key, value] of Object.entries(props)) if (value !== undefined && value.kind === 'array' && value.items.length === 0) delete props[key];
    return {
      comments: this.commentsFor({ kind: 'service', name: service.name }),
      variable: named.variable,
      expression: construct('Service', reference('stack'), literal(named.id), object(props, true)),
      blankLineBefore: true,
    };
  }

  private image(service: ComposeService): ProgramExpression {
    const build = service.build;
    if (!build) return call('Image.fromRegistry', literal(service.image!.reference));
    const options = object({
      imageName: literal(imageName(service.name)),
      file: build.dockerfile === undefined || build.dockerfile === 'Dockerfile' ? undefined : literal(build.dockerfile),
      target: build.target === undefined ? undefined : literal(build.target),
      buildArgs: Object.keys(build.args).length ? stringRecord(build.args) : undefined,
      platform: build.platform === undefined ? undefined : literal(build.platform),
      buildSecrets: build.secrets.length ? array(build.secrets.filter((s) => this.secrets.has(s.secret)).map((s) => reference(this.secrets.get(s.secret)!.variable))) : undefined,
      builder: reference('host'),
    });
    return call('Image.fromDockerfile', literal(this.relative(build.context)), options);
  }

  private environment(service: ComposeService): ProgramExpression | undefined {
    const entries: Record<string, string> = {};
    for (const [name, value] of Object.entries(service.environment)) {
      const where = service.environmentWhere[name];
      if (!/^[^=\0\s]+$/.test(name)) {
        this.skip(service.name, where, `${JSON.stringify(name)} is not an environment variable name`);
        continue;
      }
      if (value.includes('\0')) {
        this.skip(service.name, where, `the value of ${name} holds a NUL character`);
        continue;
      }
      entries[name] = value;
      if (SECRET_LOOKING.test(name) && value !== '') {
        this.note({ kind: 'service', name: service.name }, where, `${name} looks like a secret and its value is now written in the program; consider Secret.fromEnv(...).asEnv('${name}') or a secret file`);
      }
    }
    return Object.keys(entries).length ? stringRecord(entries) : undefined;
  }

  private secretDeliveries(service: ComposeService): ProgramExpression | undefined {
    const items: ProgramExpression[] = [];
    for (const use of service.secrets) {
      const named = this.secrets.get(use.secret);
      if (!named) continue;
      if (use.target.lastIndexOf('/') === 0) {
        this.skip(service.name, use.where, `the secret file ${use.target} sits directly under /; Hoist puts secret files in a directory of their own`);
        continue;
      }
      items.push(use.target === `/run/secrets/${use.secret}` ? reference(named.variable) : call(`${named.variable}.asFile`, literal(use.target)));
    }
    return items.length ? array(items) : undefined;
  }

  private mount(mount: ComposeMount): ProgramExpression {
    const readOnly = 'readOnly' in mount && mount.readOnly ? object({ readOnly: literal(true) }) : undefined;
    switch (mount.type) {
      case 'volume':
        return call(`${this.volumes.get(mount.volume)!.variable}.mount`, literal(mount.target), ...(readOnly ? [readOnly] : []));
      case 'bind':
        return call('Mount.bind', literal(mount.source), literal(mount.target), ...(readOnly ? [readOnly] : []));
      case 'tmpfs':
        return call('Mount.tmpfs', literal(mount.target), ...(mount.size === undefined ? [] : [object({ size: literal(mount.size) })]));
    }
  }

  private attachments(service: ComposeService): ProgramExpression | undefined {
    const attachments = service.networks ?? (service.ownNetworkMode ? [] : [{ network: 'default', where: service.where, aliases: [] }]);
    const items: ProgramExpression[] = [];
    for (const attachment of attachments) {
      const named = this.networks.get(attachment.network);
      if (!named) continue;
      const bad = attachment.aliases.find((a) => !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(a));
      if (bad !== undefined) this.skip(service.name, attachment.where, `the alias ${JSON.stringify(bad)} is not a DNS name Hoist takes`);
      const aliases = attachment.aliases.filter((a) => a !== bad && a !== service.name);
      items.push(aliases.length ? call(`${named.variable}.withAliases`, ...aliases.map(literal)) : reference(named.variable));
    }
    return items.length ? array(items) : undefined;
  }

  private healthCheck(service: ComposeService): ProgramExpression | undefined {
    const check = service.healthcheck;
    if (!check) return undefined;
    if (check.test.kind === 'none') return call('HealthCheck.none');
    // The engines' defaults, which Compose leaves in place, where Hoist's own differ.
    const timing = object({
      interval: literal(check.interval ?? '30s'),
      timeout: literal(check.timeout ?? '30s'),
      retries: check.retries === undefined ? undefined : literal(check.retries),
      startPeriod: check.startPeriod === undefined ? undefined : literal(check.startPeriod),
    });
    return check.test.kind === 'command'
      ? call('HealthCheck.command', array(check.test.argv.map(literal)), timing)
      : call('HealthCheck.shell', literal(check.test.script), timing);
  }

  private capabilities(service: ComposeService, names: ComposeService['capAdd']): ProgramExpression | undefined {
    const items: ProgramExpression[] = [];
    for (const cap of names) {
      const normalized = normalizeCapability(cap.value);
      if (normalized !== 'ALL' && !LINUX_CAPABILITIES.has(normalized)) {
        this.skip(service.name, cap.where, `${JSON.stringify(cap.value)} is not a Linux capability Hoist knows`);
        continue;
      }
      items.push(literal(cap.value));
    }
    return items.length ? array(items) : undefined;
  }

  private dependencies(service: ComposeService): ProgramExpression | undefined {
    const items = service.dependsOn.filter((d) => this.services.has(d.service)).map((d) => {
      const variable = this.services.get(d.service)!.variable;
      return call(`${variable}.${d.condition === 'healthy' ? 'whenHealthy' : d.condition === 'completed' ? 'whenCompleted' : 'whenStarted'}`);
    });
    return items.length ? array(items) : undefined;
  }

  private update(service: ComposeService): ProgramExpression | undefined {
    const u = service.update;
    let order = u.order;
    if (order === 'start-first' && service.ports.some((p) => p.host !== undefined)) {
      this.skip(service.name, u.where!, 'start-first with a fixed host port would publish the port twice at once; the stack\'s stop-first is used');
      order = undefined;
    }
    const update = object({
      order: order === undefined ? undefined : reference(order === 'start-first' ? 'UpdateOrder.START_FIRST' : 'UpdateOrder.STOP_FIRST'),
      batchSize: u.batchSize === undefined ? undefined : literal(u.batchSize),
      failureAction: u.failureAction === undefined ? undefined : reference(u.failureAction === 'pause' ? 'FailureAction.PAUSE' : 'FailureAction.ROLLBACK'),
    });
    return isEmptyObject(update) ? undefined : update;
  }

  private labels(service: ComposeService): ProgramExpression | undefined {
    const labels: Record<string, string> = {};
    for (const label of service.labels) {
      if (label.key.startsWith('hoist.')) this.skip(service.name, label.where, 'label keys starting with "hoist." are Hoist\'s own');
      else if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(label.key)) this.skip(service.name, label.where, `${JSON.stringify(label.key)} is not a label key Hoist takes (letters, digits, ".", "_", "/" or "-")`);
      else labels[label.key] = label.value;
    }
    return Object.keys(labels).length ? stringRecord(labels) : undefined;
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Comments for the construct `owner`: what was not imported, then the notes. */
  private commentsFor(owner: NonNullable<ComposeFinding['owner']>): string[] {
    const mine = (f: ComposeFinding) => f.owner?.kind === owner.kind && f.owner.name === owner.name;
    return [
      ...this.unsupported.filter(mine).sort((a, b) => a.line - b.line).map((f) => `${this.origin}: ${f.key} not imported (${f.reason})`),
      ...this.notes.filter(mine).sort((a, b) => a.line - b.line).map((f) => `${this.origin}: ${f.key ? `${f.key}: ` : ''}${f.reason}`),
    ];
  }

  /** What comments name as the source of a finding: `compose`, or the host read. */
  private get origin(): string {
    return this.options.host ?? 'compose';
  }

  /** A path as the program writes it: relative to the program's directory, with "/". */
  private relative(absolute: string): string {
    const relative = path.relative(this.options.programDirectory, absolute).split(path.sep).join('/');
    return relative === '' ? '.' : relative;
  }
}

/** The names from 'hoist' that the statements use. */
function importsOf(statements: readonly ProgramStatement[]): string[] {
  const used = new Set<string>();
  const visit = (e: ProgramExpression) => {
    if (e.kind === 'call') {
      used.add(e.callee.split('.')[0]);
      e.args.forEach(visit);
    } else if (e.kind === 'reference') {
      used.add(e.text.split(/[.[]/)[0]);
    } else if (e.kind === 'array') {
      e.items.forEach(visit);
    } else if (e.kind === 'object') {
      e.entries.forEach((entry) => visit(entry.value));
    }
  };
  statements.forEach((s) => visit(s.expression));
  return HOIST_NAMES.filter((n) => used.has(n));
}
