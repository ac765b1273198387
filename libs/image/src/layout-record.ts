import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from './blob-store';
import { digestHex, sha256Digest } from './descriptor';
import { writeLayout } from './layout';
import { type BuildRecord, recordedBlobs, taggedDescriptor } from './record';

function layoutBlob(dir: string, digest: string): string {
  return join(dir, 'blobs', 'sha256', digestHex(digest));
}

/**
 * Writes the OCI layout of a recorded image, tagged with the record's tags,
 * and of its variants, tagged with theirs; a multi-platform image's tags name
 * its index.
 * `except` leaves out blobs another layout already holds (a service leaves
 * its base's layers in the base's layout, so Nx caches them once);
 * `completeLayout` puts them back before anything reads the layout.
 */
export async function layoutFromRecord(dir: string, store: BlobStore, record: BuildRecord, options: { except?: readonly string[] } = {}): Promise<void> {
  const except = new Set(options.except ?? []);
  const images = [record, ...Object.values(record.variants ?? {})];
  await writeLayout(
    dir,
    store,
    images.map((i) => ({ descriptor: taggedDescriptor(i), tags: i.tags })),
    { blobs: 'only', only: recordedBlobs(record).filter((d) => !except.has(d)) },
  );
}

/**
 * Makes the recorded image whole in both places it is read from: every blob
 * in the blob store (taken from the layouts when the store lost it, checked
 * by digest) and in the image's layout folder (linked from the store). A
 * blob found nowhere is an error that says which build to run again.
 */
export async function completeLayout(dir: string, store: BlobStore, record: BuildRecord, sources: readonly string[] = []): Promise<void> {
  for (const digest of recordedBlobs(record)) {
    if (!store.has(digest)) {
      const from = [dir, ...sources].map((d) => layoutBlob(d, digest)).find((p) => existsSync(p));
      if (!from) {
        throw new Error(`blob ${digest} of ${record.tags[0] ?? record.manifest.digest} is neither in the blob store ${store.dir} nor in ${[dir, ...sources].join(', ')}: build the image again with --skip-nx-cache`);
      }
      const data = await readFile(from);
      if (sha256Digest(data) !== digest) throw new Error(`${from} does not hold ${digest} (its content differs): delete it and build the image again with --skip-nx-cache`);
      await store.put(data);
    }
    const target = layoutBlob(dir, digest);
    if (existsSync(target)) continue;
    await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    // A hard link costs nothing; the store may be on another filesystem, then it is copied.
    await link(store.path(digest), target).catch(() => copyFile(store.path(digest), target));
  }
}
