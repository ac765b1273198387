import type { BlobStore } from './blob-store';
import { parseDockerTag } from './docker-tag';
import type { Engine } from './engine';
import type { Image } from './image';
import { dockerTarball } from './tarball';

interface LoadEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Publishes an image to the Docker daemon like go-containerregistry's
 * daemon.Write: a `docker load` stream, skipped when the daemon already holds
 * the image id (the config digest), then the tags set (moved onto it if they
 * named another image). Layers the daemon holds are not sent again: the
 * images `related` names (and the tags, which may name the image's previous
 * build) say which bottom layers it has; should the engine want them after
 * all, the whole image is loaded.
 */
export async function loadIntoDaemon(
  engine: Engine,
  store: BlobStore,
  image: Image,
  tags: string[],
  log?: (line: string) => void,
  related: readonly string[] = [],
): Promise<{ id: string; loaded: boolean }> {
  const named = tags.map(parseDockerTag);
  const id = image.config.digest;
  const present = await imageExists(engine, id);
  if (!present) {
    const held = await layersHeld(engine, image, [...tags, ...related]);
    const bytes = image.layers.slice(held).reduce((sum, l) => sum + l.descriptor.size, 0);
    log?.(`loading ${id.slice(0, 19)} into the daemon (${image.layers.length - held} of ${image.layers.length} layers, ${(bytes / 1e6).toFixed(2)} MB; the rest it holds)`);
    let failure = await load(engine, store, image, tags, held);
    if (failure && held > 0) failure = await load(engine, store, image, tags, 0);
    if (failure) throw new Error(`docker load of ${id} failed: ${failure}`);
    if (!(await imageExists(engine, id))) throw new Error(`docker load of ${id} ended without error but the daemon does not hold that image id`);
  }
  for (const { repo, tag } of named) await engine.docker.getImage(id).tag({ repo, tag });
  return { id, loaded: !present };
}

/** Whether the daemon holds an image (an id or a tag). */
export async function imageExists(engine: Engine, id: string): Promise<boolean> {
  try {
    await engine.docker.getImage(id).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw new Error(`the Docker engine at ${engine.endpoint} did not answer whether it holds ${id}: ${oneLine((err as Error).message)}`);
  }
}

/**
 * How many of the image's bottom layers the daemon holds: the longest run of
 * diff ids it shares, from the bottom, with an image the daemon has. The
 * daemon keys layers by that chain, so it has every one of them.
 */
async function layersHeld(engine: Engine, image: Image, refs: readonly string[]): Promise<number> {
  let held = 0;
  for (const ref of new Set(refs)) {
    const layers = (await engine.docker.getImage(ref).inspect().catch(() => undefined))?.RootFS?.Layers ?? [];
    let shared = 0;
    while (shared < layers.length && shared < image.layers.length && layers[shared] === image.layers[shared]!.diffId) shared++;
    held = Math.max(held, shared);
  }
  return held;
}

/** The load's error, if any: the engine reports a failed load inside a stream that ends normally. */
async function load(engine: Engine, store: BlobStore, image: Image, tags: string[], present: number): Promise<string | undefined> {
  let response: NodeJS.ReadableStream;
  try {
    response = await engine.docker.loadImage(dockerTarball(store, image, tags, { present }), { quiet: true });
  } catch (err) {
    return oneLine((err as Error).message);
  }
  return loadFailure(engine, response);
}

export function loadFailure(engine: Pick<Engine, 'docker'>, response: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve) => {
    let failure: string | undefined;
    engine.docker.modem.followProgress(
      response,
      (err) => resolve(failure ?? (err ? oneLine(err.message) : undefined)),
      (event: LoadEvent) => {
        if (event.errorDetail || event.error) failure ??= oneLine(event.errorDetail?.message ?? event.error ?? 'unknown error');
      },
    );
  });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
