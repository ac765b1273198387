import type { Readable } from 'node:stream';
import type { Engine } from './engine';

export interface BuildRequest {
  /** A tar holding the Dockerfile and everything it copies. */
  context: Readable | Buffer;
  /** Path of the Dockerfile inside the context. */
  dockerfile?: string;
  /** `repo:tag` names given to the image once it is built, and only then. */
  tags: readonly string[];
  /** Each line of the daemon's output, as it comes. */
  onProgress?: (line: string) => void;
}

interface BuildEvent {
  stream?: string;
  status?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

function splitTag(tag: string): { repo: string; tag: string } {
  const colon = tag.lastIndexOf(':');
  if (colon <= tag.lastIndexOf('/')) return { repo: tag, tag: 'latest' };
  return { repo: tag.slice(0, colon), tag: tag.slice(colon + 1) };
}

/**
 * Builds an image and returns its id. The daemon reports a failed step as an
 * event in a stream that still ends normally, so errors are read from the
 * events; tags are applied only after a build succeeded, so a failure tags
 * nothing, and `forcerm` leaves no intermediate container behind.
 */
export async function buildImage(engine: Engine, request: BuildRequest): Promise<string> {
  const { docker } = engine;
  const stream = await docker.buildImage(request.context as NodeJS.ReadableStream, {
    dockerfile: request.dockerfile ?? 'Dockerfile',
    forcerm: true,
    rm: true,
  });
  let id: string | undefined;
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (event: BuildEvent) => {
        if (event.errorDetail || event.error) {
          failure = (event.errorDetail?.message ?? event.error ?? '').trim();
        } else if (event.aux?.ID) {
          id = event.aux.ID;
        }
        const text = event.stream ?? (event.status ? `${event.status} ${event.progress ?? ''}` : '');
        for (const line of text.split('\n')) if (line.trim()) request.onProgress?.(line.trimEnd());
      },
    );
  });
  if (failure) throw new Error(`docker build failed: ${failure}`);
  if (!id) throw new Error('docker build ended without reporting an image id: see the build output above');
  await tagImage(engine, id, request.tags);
  return id;
}

/** Whether the daemon still holds this image (an id or a tag). */
export async function imageExists(engine: Engine, image: string): Promise<boolean> {
  return (await imageIdOf(engine, image)) !== undefined;
}

/** The id a tag points to now, or undefined when the tag does not exist. */
export async function imageIdOf(engine: Engine, tag: string): Promise<string | undefined> {
  try {
    return (await engine.docker.getImage(tag).inspect()).Id;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** Gives the image these tags (again): cheap, and what makes a skipped build still leave the names in place. */
export async function tagImage(engine: Engine, id: string, tags: readonly string[]): Promise<void> {
  for (const tag of tags) await engine.docker.getImage(id).tag(splitTag(tag));
}
