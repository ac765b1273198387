/**
 * Image references as Docker's distribution/reference grammar has them, checked
 * before anything is tagged or pushed: the daemon's own errors for a bad name
 * come late and do not say which setting to fix.
 */

/** A host name (dot-separated labels) or IPv4 address, with an optional port. */
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]{1,5})?$/;
/** One path component of a repository name: lower case, separators only between alphanumerics. */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Docker refuses repository names (registry included) longer than this. */
const MAX_NAME_LENGTH = 255;

/** Where images go: a registry host and an optional namespace under it (`ghcr.io/acme`). */
export interface Registry {
  /** `host[:port]`, as Docker names it in `auths` and in references. */
  host: string;
  /** Path components under the host, maybe empty. */
  namespace: string[];
}

/** One name to push: `<registry>/<namespace>/<repository>:<tag>`. */
export interface PushReference {
  /** The repository with the registry in front, as `docker tag` and `docker push` take it. */
  repository: string;
  tag: string;
}

/**
 * Parses the workspace's registry setting (`MICROBOX_REGISTRY` or the plugin
 * option): `host[:port][/namespace...]`. The first part must look like a
 * host (a dot, a port, or `localhost`), or Docker would read it as a Docker
 * Hub namespace and push somewhere else than meant.
 */
export function parseRegistry(value: string, setting = 'MICROBOX_REGISTRY'): Registry {
  const trimmed = value.trim().replace(/\/+$/, '');
  // A user and password before the host (`user:secret@host`) are never echoed: not here, not in any later message.
  const userInfo = /^((?:[a-z]+:\/\/)?)[^/]*@([^/]*)/i.exec(trimmed);
  if (userInfo) {
    throw new Error(
      `${setting} holds credentials before "@${userInfo[2]}" (not shown): give only host[:port][/namespace] and log in with \`docker login ${userInfo[2]}\` (credentials are read from the Docker config)`,
    );
  }
  if (/^[a-z]+:\/\//i.test(trimmed)) {
    throw new Error(`${setting}="${value}" has a scheme: give host[:port][/namespace] without "${trimmed.split('://')[0]}://", e.g. 127.0.0.1:5000 or ghcr.io/acme`);
  }
  const [host, ...namespace] = trimmed.split('/');
  if (!host || !HOST.test(host)) {
    throw new Error(`${setting}="${value}": "${host}" is not a registry host: use host[:port], e.g. 127.0.0.1:5000, registry.example.com or ghcr.io/acme`);
  }
  if (!host.includes('.') && !host.includes(':') && host !== 'localhost') {
    throw new Error(
      `${setting}="${value}": "${host}" has no dot and no port, so Docker would take it for a Docker Hub namespace: use a host name with a dot, host:port or localhost (for Docker Hub, docker.io/${host})`,
    );
  }
  const port = host.split(':')[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    throw new Error(`${setting}="${value}": port ${port} is not a TCP port: use 1 to 65535`);
  }
  for (const part of namespace) {
    if (!PATH_COMPONENT.test(part)) {
      throw new Error(`${setting}="${value}": namespace part "${part}" is not valid: use lower-case letters and digits, with ".", "_", "__" or "-" only between them`);
    }
  }
  return { host, namespace };
}

/** `repo[:tag]` (as in a build record) split at the tag's colon, which comes after the last slash. */
export function splitTag(name: string): { repository: string; tag: string } {
  const colon = name.lastIndexOf(':');
  if (colon <= name.lastIndexOf('/')) return { repository: name, tag: 'latest' };
  return { repository: name.slice(0, colon), tag: name.slice(colon + 1) };
}

/**
 * The name a local image tag (`greeter:latest`, `microbox/basebox:0.1.0`) gets
 * in the registry: the registry and namespace in front of its repository,
 * the tag unchanged. Every part is checked, naming the bad one.
 */
export function registryReference(registry: Registry, localTag: string): PushReference {
  const { repository, tag } = splitTag(localTag);
  for (const part of repository.split('/')) {
    if (!PATH_COMPONENT.test(part)) {
      throw new Error(`image name "${localTag}": "${part}" is not a valid repository name part: use lower-case letters and digits, with ".", "_", "__" or "-" only between them`);
    }
  }
  if (!TAG.test(tag)) {
    throw new Error(`image name "${localTag}": tag "${tag}" is not valid: use at most 128 letters, digits, "_", "." and "-", not starting with "." or "-"`);
  }
  const full = [registry.host, ...registry.namespace, repository].join('/');
  if (full.length > MAX_NAME_LENGTH) {
    throw new Error(`image name "${full}" is ${full.length} characters, more than Docker's ${MAX_NAME_LENGTH}: use a shorter registry namespace or image name`);
  }
  return { repository: full, tag };
}

/** The key under which Docker's config file keeps a registry's credentials. */
export function authKey(host: string): string {
  return host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'https://index.docker.io/v1/' : host;
}

/**
 * The registry tag an OCI layout's ref.name gives: the name itself when it
 * is a tag (`latest`), else the tag of the reference it holds
 * (`greeter:latest`, `example.com/greeter:1`).
 */
export function tagOfRefName(refName: string): string {
  if (TAG.test(refName)) return refName;
  const colon = refName.lastIndexOf(':');
  const tag = colon > refName.lastIndexOf('/') ? refName.slice(colon + 1) : '';
  if (!TAG.test(tag)) {
    throw new Error(`ref.name "${refName}" is neither a tag nor a reference ending in :<tag>: name the image in the layout with a tag of at most 128 letters, digits, "_", "." and "-"`);
  }
  return tag;
}
