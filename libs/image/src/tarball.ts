import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import type { BlobStore } from './blob-store';
import { canonicalJson } from './canonical-json';
import { type Descriptor, digestHex } from './descriptor';
import { parseDockerTag } from './docker-tag';
import type { Image } from './image';
import { MEDIA_TYPES, REF_NAME_ANNOTATION } from './media-types';

/**
 * A tarball `docker load` takes: manifest.json (Config, RepoTags, Layers)
 * naming blobs/sha256/<hex> members; the layers stay gzipped, which the engine
 * reads. It is also an OCI layout (oci-layout, index.json), so OCI tools read it
 * as an oci-archive. Members are in a fixed order with the image's created time.
 *
 * `present`: how many of the bottom layers the daemon already holds. The
 * engine reads a layer's member only when it lacks that layer's chain, so
 * those are named in manifest.json but not sent; such a tarball is for that
 * daemon only, and is no OCI archive.
 */
export function dockerTarball(store: BlobStore, image: Image, tags: string[], options: { present?: number } = {}): Readable {
  for (const tag of tags) parseDockerTag(tag);
  const present = options.present ?? 0;
  const tar = pack();
  const mtime = new Date(image.configJson.created ?? '2000-01-01T00:00:00Z');
  const manifest = [{ Config: blobName(image.config), RepoTags: tags, Layers: image.layers.map((l) => blobName(l.descriptor)) }];
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: (tags.length ? tags : [undefined]).map((tag) => ({
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
      ...(image.manifest.platform ? { platform: image.manifest.platform } : {}),
      ...(tag ? { annotations: { [REF_NAME_ANNOTATION]: tag } } : {}),
    })),
  };
  const sent = present > 0 ? [image.config, ...image.layers.slice(present).map((l) => l.descriptor)] : [image.manifest, image.config, ...image.layers.map((l) => l.descriptor)];
  const blobs = [...new Map(sent.map((d) => [d.digest, d])).values()];
  void (async () => {
    try {
      const small = (name: string, text: string) =>
        new Promise<void>((done, fail) => tar.entry({ name, mtime, mode: 0o644, uname: '', gname: '' }, text, (err) => (err ? fail(err) : done())));
      if (present === 0) {
        await small('oci-layout', canonicalJson({ imageLayoutVersion: '1.0.0' }));
        await small('index.json', canonicalJson(index));
      }
      await small('manifest.json', JSON.stringify(manifest));
      for (const blob of blobs) {
        if (!store.has(blob.digest)) await store.get(blob.digest);
        await streamEntry(tar, blobName(blob), blob.size, mtime, store.path(blob.digest));
      }
      tar.finalize();
    } catch (err) {
      tar.destroy(err as Error);
    }
  })();
  return Readable.from(tar);
}

/** The tarball written to `file` through a temp file beside it: never half a tarball under that name. */
export async function writeDockerTarball(file: string, store: BlobStore, image: Image, tags: string[]): Promise<void> {
  const target = resolve(file);
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dirname(target), { recursive: true });
    await pipeline(dockerTarball(store, image, tags), createWriteStream(tmp, { mode: 0o644 }));
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code
        ? `cannot write the image tarball ${target} (${code}): make that folder writable or free space there`
        : `cannot write the image tarball ${target}: ${(err as Error).message}`,
    );
  }
}

function blobName(descriptor: Descriptor): string {
  return `blobs/sha256/${digestHex(descriptor.digest)}`;
}

async function streamEntry(tar: ReturnType<typeof pack>, name: string, size: number, mtime: Date, path: string): Promise<void> {
  let settle!: (err?: Error | null) => void;
  const finished = new Promise<void>((done, fail) => (settle = (err) => (err ? fail(err) : done())));
  const sink = tar.entry({ name, size, mtime, mode: 0o644, uname: '', gname: '' }, (err) => settle(err));
  for await (const chunk of createReadStream(path)) {
    if (!sink.write(chunk as Buffer)) await new Promise<void>((drained) => sink.once('drain', () => drained()));
  }
  // streamx's end() takes a last chunk; there is none.
  sink.end(undefined);
  await finished;
}
