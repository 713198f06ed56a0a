/**
 * Parsing of image references (`postgres:15`, `registry.local:5000/team/app@sha256:...`)
 * following the grammar of the distribution reference library that Docker and Podman use.
 */

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}';
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** A parsed image reference. */
export interface ImageReference {
  /** The registry host, when the reference names one. */
  readonly domain?: string;
  /** The repository path, e.g. `library/postgres` is written `postgres`. */
  readonly repository: string;
  /** The tag; `latest` when the reference names neither a tag nor a digest. */
  readonly tag?: string;
  /** The content digest, when pinned. */
  readonly digest?: string;
  /** The reference as the engine will be asked for it: the input plus an explicit `:latest` if it had no tag or digest. */
  readonly normalized: string;
}

/** The result of parsing an image reference. */
export type ImageReferenceParse = { ok: true; reference: ImageReference } | { ok: false; reason: string };

/** Parses an image reference, rejecting anything the engines would reject or misread. */
export function parseImageReference(input: string): ImageReferenceParse {
  const match = REFERENCE.exec(input);
  if (!match || input.length > 255) {
    return {
      ok: false,
      reason: `${JSON.stringify(input)} is not an image reference (expected e.g. "postgres:15", "busybox" or "registry:5000/team/app@sha256:<digest>")`,
    };
  }
  let [, domain, repository, tag, digest] = match;
  // "localhost:5000/x" or "registry.example/x" name a registry; "team/app" does not.
  if (domain && !/[.:]/.test(domain) && domain !== 'localhost' && domain === domain.toLowerCase()) {
    repository = `${domain}/${repository}`;
    domain = undefined as unknown as string;
  }
  if (!tag && !digest) {
    tag = 'latest';
  }
  const normalized = `${domain ? domain + '/' : ''}${repository}${tag ? ':' + tag : ''}${digest ? '@' + digest : ''}`;
  return {
    ok: true,
    reference: {
      ...(domain ? { domain } : {}),
      repository,
      ...(tag ? { tag } : {}),
      ...(digest ? { digest } : {}),
      normalized,
    },
  };
}

/**
 * The short form engines and users write: `docker.io/library/busybox:latest` and
 * `busybox` are both `busybox:latest`. Podman reports the long form, Docker the one given.
 */
export function familiarImageReference(reference: string): string {
  const parsed = parseImageReference(reference);
  if (!parsed.ok) return reference;
  const r = parsed.reference;
  const dockerHub = r.domain === undefined || r.domain === 'docker.io' || r.domain === 'index.docker.io';
  const repository = dockerHub ? r.repository.replace(/^library\//, '') : `${r.domain}/${r.repository}`;
  return `${repository}${r.tag ? ':' + r.tag : ''}${r.digest ? '@' + r.digest : ''}`;
}
