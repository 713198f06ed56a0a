import type { IConstruct } from 'constructs';
import { Image } from '../core/image';
import { Secret } from '../core/secret';
import { Service } from '../core/service';
import { Stack } from '../core/stack';
import type { BuildImagePolicy, HostSpec, SecretReference } from '../graph/graph-document';
import { resourceKey } from '../graph/resource-id';
import { buildPolicy } from './build-policy';
import { networkEngineName, volumeEngineName } from './engine-names';
import { findCycle } from './find-cycle';
import { compareStrings, type Problems } from './problems';
import type { KnownSecret } from './read-secrets';
import { renderImage, type RenderedImage } from './render-image';
import { renderService, type RenderedService, type StackNames } from './render-service';
import type { StackSynthContext } from './stack-synth-context';
import type { ValidatedStack } from './validate-props';

/** An image as the model holds it: rendered once per stack, with its build policy when built. */
export interface ModelImage extends RenderedImage {
  readonly policy?: BuildImagePolicy;
}

/** A service ready to be placed: rendered, with its image. */
export interface ModelService {
  readonly rendered: RenderedService;
  readonly image: ModelImage;
}

/**
 * The unplaced model of a stack: every service rendered and checked, with its image, names,
 * build policy and dependencies, but not yet on any host.
 */
export interface StackModel {
  readonly validated: ValidatedStack;
  readonly secrets: ReadonlyMap<Secret, KnownSecret>;
  /** The services that rendered, sorted by construct path. */
  readonly services: readonly ModelService[];
  /** Every host that builds an image of the stack, by name. */
  readonly builders: ReadonlyMap<string, HostSpec>;
}

/**
 * Synth's model phase: renders each service (defaults merged, units converted), claims its
 * container names, checks that it only refers to its own stack's resources and that
 * dependencies form no cycle, and renders each image once with its build policy.
 */
export function buildModel(validated: ValidatedStack, secrets: ReadonlyMap<Secret, KnownSecret>, ctx: StackSynthContext): StackModel {
  const { problems, projectDir } = ctx;
  const { stack, stackName, stackPath } = validated;
  const names: StackNames = {
    stackName,
    volumeName: (v) => volumeEngineName(stackName, v),
    networkName: (n) => networkEngineName(stackName, n),
  };

  const builders = new Map<string, HostSpec>();
  const secretReference = (secret: unknown): SecretReference | undefined => {
    if (!Secret.isSecret(secret)) return undefined;
    const known = secrets.get(secret);
    if (!known) return undefined;
    return { secret: resourceKey('secret', secret.node.path), name: secret.secretName, fingerprint: known.fingerprint, origin: known.origin };
  };
  const images = new Map<Image, ModelImage>();
  const imageKeys = new Map<string, Image>();
  const renderImageOnce = (image: Image, user: Service): ModelImage => {
    let result: ModelImage | undefined = images.get(image);
    if (!result) {
      result = renderImage(image, stackPath, projectDir);
      const policy = buildPolicy(image, user, { projectDir, problems, hosts: validated.hosts, builders, secretReference });
      if (policy) result = { ...result, policy };
      images.set(image, result);
      problems.addAll(user.node.path, result.problems, 'image');
      const other = imageKeys.get(result.key);
      if (other && other.isBuilt) {
        problems.add(user.node.path, `image: another built image of this stack is also named "${result.key.slice(result.key.lastIndexOf('/') + 1)}"; set imageName on one of them`);
      }
      imageKeys.set(result.key, image);
    }
    return result;
  };

  const inStack = (c: IConstruct) => Stack.tryOf(c) === stack;
  const rendered: RenderedService[] = [];
  for (const service of validated.members.filter(Service.isService).sort((a, b) => compareStrings(a.node.path, b.node.path))) {
    const result = renderService(service, validated.defaults, names);
    problems.addAll(service.node.path, result.problems);
    if (!result.rendered) {
      // Still check the image, so its problems show in the same run as the props'.
      if (Image.isImage(service._props.image)) renderImageOnce(service._props.image, service);
      continue;
    }
    validated.engineNames.claim('container', `${result.rendered.name}-1`, service, 'serviceName');
    rendered.push(result.rendered);
    checkReferences(result.rendered, stack, inStack, problems);
  }

  const cycle = findCycle(new Map(rendered.map((r) => [r.service.node.path, r.dependencies.map((d) => d.service.node.path)])));
  if (cycle) {
    problems.add(cycle[0], `dependsOn: dependency cycle ${cycle.join(' -> ')}; break it by removing one dependsOn`);
  }

  // After the services that did not render, whose images were checked above: the first
  // service to meet an image is the one its problems are reported on.
  const services = rendered.map((r) => ({ rendered: r, image: renderImageOnce(r.props.image, r.service) }));
  return { validated, secrets, services, builders };
}

/** Reports references from a service to constructs of another stack. */
function checkReferences(r: RenderedService, stack: Stack, inStack: (c: IConstruct) => boolean, problems: Problems): void {
  const path = r.service.node.path;
  const foreign = (c: IConstruct, field: string, what: string) => {
    if (!inStack(c)) {
      const owner = Stack.tryOf(c);
      problems.add(path, `${field}: ${what} ${c.node.path} belongs to ${owner ? `stack ${owner.node.path}` : 'no stack'}; a service can only use resources of its own stack (${stack.node.path})`);
    }
  };
  r.volumes.forEach((v) => foreign(v, 'mounts', 'volume'));
  // An ingress's network comes with its routes: reported once, as the ingress.
  const routed = new Set(r.routes.map((route) => route.ingress.network));
  r.networks.filter((n) => !routed.has(n)).forEach((n) => foreign(n, 'networks', 'network'));
  r.routes.forEach((route, i) => foreign(route.ingress, `routes[${i}].ingress`, 'ingress'));
  r.secrets.forEach((s) => foreign(s, 'secrets', 'secret'));
  r.dependencies.forEach((d) => foreign(d.service, 'dependsOn', 'service'));
}
