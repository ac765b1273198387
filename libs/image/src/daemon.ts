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
 * named another image).
 */
export async function loadIntoDaemon(engine: Engine, store: BlobStore, image: Image, tags: string[], log?: (line: string) => void): Promise<{ id: string; loaded: boolean }> {
  const named = tags.map(parseDockerTag);
  const id = image.config.digest;
  const present = await imageExists(engine, id);
  if (!present) {
    const bytes = image.layers.reduce((sum, l) => sum + l.descriptor.size, 0);
    log?.(`loading ${id.slice(0, 19)} into the daemon (${image.layers.length} layers, ${(bytes / 1e6).toFixed(2)} MB)`);
    const failure = await load(engine, store, image, tags);
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

/** The load's error, if any: the engine reports a failed load inside a stream that ends normally. */
async function load(engine: Engine, store: BlobStore, image: Image, tags: string[]): Promise<string | undefined> {
  let response: NodeJS.ReadableStream;
  try {
    response = await engine.docker.loadImage(dockerTarball(store, image, tags), { quiet: true });
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
