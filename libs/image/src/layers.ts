import { createGzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import type { Engine } from './engine';

export interface LayerSize {
  /** The layer's path in the `docker save` archive. */
  path: string;
  bytes: number;
  /** The layer tar gzipped at the default level: what a registry would store. */
  gzipBytes: number;
}

async function gzippedSize(stream: Readable): Promise<{ bytes: number; gzipBytes: number }> {
  let bytes = 0;
  let gzipBytes = 0;
  const gzip = createGzip();
  stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
  gzip.on('data', (chunk: Buffer) => (gzipBytes += chunk.length));
  const ended = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
    stream.on('error', reject);
  });
  stream.pipe(gzip);
  await ended;
  return { bytes, gzipBytes };
}

/**
 * The size of each layer of an image, raw and gzipped, measured on the
 * `docker save` stream. Layers are in the image's order, bottom first, one
 * per COPY/ADD/RUN step, so a caller that wrote the Dockerfile can name them.
 */
export async function measureLayers(engine: Engine, id: string): Promise<LayerSize[]> {
  const image = engine.docker.getImage(id);
  const sizes = new Map<string, { bytes: number; gzipBytes: number }>();
  let manifest: { Layers: string[] }[] = [];
  const tar = extract();
  const done = new Promise<void>((resolve, reject) => {
    tar.on('finish', resolve);
    tar.on('error', reject);
  });
  tar.on('entry', (header, source, next) => {
    const stream = source as unknown as Readable;
    const read =
      header.name.endsWith('.tar')
        ? gzippedSize(stream).then((size) => void sizes.set(header.name, size))
        : header.name === 'manifest.json'
          ? readAll(stream).then((text) => void (manifest = JSON.parse(text) as { Layers: string[] }[]))
          : readAll(stream).then(() => undefined);
    read.then(() => next(), next);
  });
  (await image.get()).pipe(tar);
  await done;
  const layers = manifest[0]?.Layers ?? [];
  return layers.map((path) => ({ path, ...(sizes.get(path) ?? { bytes: 0, gzipBytes: 0 }) }));
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface ImageSize {
  /** Uncompressed, as the daemon reports it. */
  size: number;
  /** The layers gzipped, summed: about what a registry stores. */
  gzipSize: number;
  layers: LayerSize[];
}

/** What a build record says of an image's size: the daemon's figure and every layer's. */
export async function measureImage(engine: Engine, id: string): Promise<ImageSize> {
  const layers = await measureLayers(engine, id);
  const { Size } = await engine.docker.getImage(id).inspect();
  return { size: Size, gzipSize: layers.reduce((sum, l) => sum + l.gzipBytes, 0), layers };
}
