import type { Engine } from '../engine';
import type { RegistryAuth } from './docker-config';
import { registryReference, type PushReference, type Registry } from './reference';

export interface PushRequest {
  /** The image to push (an id), as its build record names it. */
  id: string;
  /** Its local tags (`greeter:latest`, `greeter:<commit>`): each is pushed under the registry. */
  tags: readonly string[];
  registry: Registry;
  /** Credentials for the registry; none for an anonymous push. */
  auth?: RegistryAuth;
  /** Each layer's status as it changes, and the digest of each pushed tag. */
  onProgress?: (line: string) => void;
}

/** What happened to one layer in one push: `Pushed`, `Layer already exists`, `Mounted from ...`. */
export interface LayerOutcome {
  layer: string;
  status: string;
}

export interface PushedTag {
  reference: string;
  digest?: string;
  layers: LayerOutcome[];
}

interface PushEvent {
  id?: string;
  status?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

/** Statuses that end a layer's part in a push. */
const FINAL_STATUS = /^(Pushed|Layer already exists|Mounted from .*)$/;

/**
 * Pushes every tag of an image through the daemon: tags it
 * `<registry>/<repository>:<tag>` (kept afterwards, as `docker push` leaves
 * them), then pushes each. All names are checked before anything is tagged.
 * The daemon reports a failed push inside a stream that ends normally, so
 * errors are read from the events' errorDetail and said in one line.
 */
export async function pushImage(engine: Engine, request: PushRequest): Promise<PushedTag[]> {
  const references = request.tags.map((t) => registryReference(request.registry, t));
  const image = engine.docker.getImage(request.id);
  try {
    await image.inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) throw new Error(`image ${request.id} (${request.tags.join(', ')}) is not in the daemon: build it again`);
    throw err;
  }
  for (const ref of references) await image.tag({ repo: ref.repository, tag: ref.tag });
  const pushed: PushedTag[] = [];
  for (const ref of references) pushed.push(await pushOne(engine, ref, request));
  return pushed;
}

async function pushOne(engine: Engine, ref: PushReference, request: PushRequest): Promise<PushedTag> {
  const name = `${ref.repository}:${ref.tag}`;
  const log = request.onProgress ?? (() => {});
  // The daemon wants X-Registry-Auth on every push, even an anonymous one.
  const authconfig = request.auth ?? { serveraddress: request.registry.host };
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await engine.docker.getImage(ref.repository).push({ tag: ref.tag, authconfig })) as NodeJS.ReadableStream;
  } catch (err) {
    throw new Error(explainPushError(name, request, (err as { json?: { message?: string } }).json?.message ?? (err as Error).message));
  }
  const status = new Map<string, string>();
  let digest: string | undefined;
  let failure: string | undefined;
  log(`pushing ${name}`);
  await new Promise<void>((resolve, reject) => {
    engine.docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (event: PushEvent) => {
        if (event.errorDetail || event.error) {
          failure = (event.errorDetail?.message ?? event.error ?? '').trim();
          return;
        }
        if (event.aux?.Digest) digest = event.aux.Digest;
        if (!event.id || !event.status || event.id === ref.tag) return;
        // One line per layer and status, not one per progress tick.
        if (status.get(event.id) === event.status) return;
        status.set(event.id, event.status);
        log(`  ${event.id}: ${event.status}`);
      },
    );
  });
  if (failure) throw new Error(explainPushError(name, request, failure));
  log(`pushed ${name}${digest ? ` ${digest}` : ''}`);
  const layers = [...status].filter(([, s]) => FINAL_STATUS.test(s)).map(([layer, s]) => ({ layer, status: s }));
  return { reference: name, digest, layers };
}

/** One line saying what went wrong and what to do, from the daemon's words. */
export function explainPushError(name: string, request: Pick<PushRequest, 'registry' | 'auth'>, message: string): string {
  const host = request.registry.host;
  if (/connection refused/i.test(message)) {
    return `push of ${name} failed: the registry ${host} refuses connections (is it running?): start it, or point MICROBOX_REGISTRY at one that runs (${message})`;
  }
  if (/no such host|server misbehaving|Temporary failure in name resolution/i.test(message)) {
    return `push of ${name} failed: the registry host ${host} is not known to DNS: check MICROBOX_REGISTRY (${message})`;
  }
  if (/server gave HTTP response to HTTPS client/i.test(message)) {
    return `push of ${name} failed: the registry ${host} speaks plain HTTP: serve it with TLS, or list it in the daemon's insecure-registries (only 127.0.0.0/8 is allowed plain HTTP by default) (${message})`;
  }
  if (/unauthorized|authentication required|no basic auth credentials|denied/i.test(message)) {
    const fix = request.auth
      ? `the credentials for ${host} in the Docker config file were refused: run \`docker login ${host}\` again`
      : `no credentials for ${host} in the Docker config file: run \`docker login ${host}\` (or write auths["${host}"].auth, base64 of user:password, into $DOCKER_CONFIG/config.json)`;
    return `push of ${name} failed: the registry refused the credentials (${message}): ${fix}`;
  }
  return `push of ${name} failed: ${message}`;
}
