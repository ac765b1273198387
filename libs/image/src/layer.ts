import { createHash } from 'node:crypto';
import { pack, type Header } from 'tar-stream';
import type { BlobStore } from './blob-store';
import { canonicalJson } from './canonical-json';
import type { Descriptor } from './descriptor';
import { type ImageEntry, normaliseEntries } from './entries';
import { GZIP_LEVEL, deterministicGzip } from './gzip';
import { MEDIA_TYPES } from './media-types';

export interface Layer {
  /** The .tar.gz blob: OCI gzip layer media type, its digest and size. */
  descriptor: Descriptor;
  /** sha256 of the uncompressed tar: what the config's rootfs.diff_ids lists. */
  diffId: string;
  uncompressedSize: number;
}

/** Bump when the tar or gzip bytes written for the same entries change, so remembered layers are not reused. */
const LAYER_FORMAT = 1;

/**
 * A reproducible layer from entries: the tar has them in normaliseEntries
 * order, with the given uid/gid (default 0) and mode, every mtime set to
 * options.mtime (the commit time), empty uname/gname; then a deterministic
 * gzip. Kept in the store, and remembered by a key of the entries so the same
 * files are never tarred or compressed again.
 */
export async function buildLayer(store: BlobStore, entries: readonly ImageEntry[], options: { mtime: Date; gzipLevel?: number }): Promise<Layer> {
  if (!(options.mtime instanceof Date) || Number.isNaN(options.mtime.getTime())) {
    throw new Error(`layer mtime "${String(options.mtime)}" is not a valid date: pass the commit time as a Date`);
  }
  const sorted = normaliseEntries(entries);
  const level = options.gzipLevel ?? GZIP_LEVEL;
  const key = layerKey(sorted, options.mtime, level);
  const remembered = await store.rememberedLayer(key);
  if (remembered) {
    store.stats.layersRemembered++;
    return remembered;
  }
  const tar = await layerTar(sorted, options.mtime);
  const gzip = await deterministicGzip(tar, level);
  const { digest, size } = await store.put(gzip);
  const layer: Layer = {
    descriptor: { mediaType: MEDIA_TYPES.layerGzip, digest, size },
    diffId: `sha256:${createHash('sha256').update(tar).digest('hex')}`,
    uncompressedSize: tar.length,
  };
  await store.rememberLayer(key, layer);
  store.stats.layersPacked++;
  return layer;
}

/** A hash of everything that decides the layer's bytes; content enters by its sha256. */
function layerKey(sorted: readonly ImageEntry[], mtime: Date, gzipLevel: number): string {
  const described = sorted.map((entry) =>
    entry.type === 'file'
      ? { ...entry, content: createHash('sha256').update(entry.content).digest('hex') }
      : entry,
  );
  const text = canonicalJson({ format: LAYER_FORMAT, gzipLevel, mtime: Math.floor(mtime.getTime() / 1000), entries: described });
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The tar bytes. A hardlink must follow the file it links to in the archive, so
 * of the paths sharing one file, the first in sorted order carries the content
 * and the others link to it (hard links have no "original": all paths are equal).
 */
async function layerTar(sorted: readonly ImageEntry[], mtime: Date): Promise<Buffer> {
  const carrier = new Map<string, string>();
  for (const entry of sorted) {
    if (entry.type !== 'hardlink') continue;
    const first = [carrier.get(entry.target) ?? entry.target, entry.path].sort()[0];
    carrier.set(entry.target, first);
  }
  const files = new Map(sorted.filter((e) => e.type === 'file').map((e) => [e.path, e]));
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk) => void chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve);
    tar.on('error', reject);
  });
  const add = (header: Partial<Header> & { name: string }, content?: Buffer | string) =>
    new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (content === undefined) tar.entry(header, done);
      else tar.entry(header, content, done);
    });
  for (const entry of sorted) {
    const common = { mtime, uid: entry.uid ?? 0, gid: entry.gid ?? 0, uname: '', gname: '' };
    if (entry.type === 'directory') {
      await add({ ...common, name: `${entry.path}/`, type: 'directory', mode: entry.mode ?? 0o755 });
    } else if (entry.type === 'symlink') {
      await add({ ...common, name: entry.path, type: 'symlink', mode: 0o777, linkname: entry.target });
    } else {
      const file = entry.type === 'file' ? entry : files.get(entry.target)!;
      const carrierPath = carrier.get(file.path) ?? file.path;
      const header = { ...common, uid: file.uid ?? 0, gid: file.gid ?? 0, mode: file.mode ?? 0o644 };
      if (entry.path === carrierPath) await add({ ...header, name: entry.path, type: 'file' }, file.content);
      else await add({ ...header, name: entry.path, type: 'link', linkname: carrierPath });
    }
  }
  tar.finalize();
  await ended;
  return Buffer.concat(chunks);
}
