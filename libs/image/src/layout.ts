import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { BlobStore } from './blob-store';
import { canonicalJson } from './canonical-json';
import { type Descriptor, digestHex } from './descriptor';
import { type OciIndex, reachableBlobs } from './image';
import { MEDIA_TYPES, REF_NAME_ANNOTATION } from './media-types';

export interface LayoutEntry {
  /** A manifest or an index in the store. */
  descriptor: Descriptor;
  /** Names for it in index.json (org.opencontainers.image.ref.name); none: listed without a name. */
  tags: string[];
}

export interface LayoutOptions {
  /**
   * 'all' (default): every blob the entries reach. 'only': the indexes,
   * manifests and configs, and of the layers only those whose digests are in
   * `only`, so a layout can hold its own layers and leave a base's in the store.
   */
  blobs?: 'all' | 'only';
  only?: string[];
}

const LAYOUT_FILE = canonicalJson({ imageLayoutVersion: '1.0.0' });
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._:/@+-]*$/;

/**
 * Writes an OCI image layout folder (oci-layout, index.json, blobs/sha256/…)
 * whole into a temp folder beside `dir`, then puts it in place of `dir`: a
 * failure leaves the old layout as it was. Blobs are hard links into the store
 * when it is on the same filesystem, else copies.
 */
export async function writeLayout(dir: string, store: BlobStore, entries: LayoutEntry[], options: LayoutOptions = {}): Promise<void> {
  const target = resolve(dir);
  for (const entry of entries) {
    for (const tag of entry.tags) {
      if (!TAG.test(tag)) throw new Error(`layout tag "${tag}" is not valid: use letters, digits and . _ - : / @ +, not starting with a sign`);
    }
  }
  const manifests: Descriptor[] = entries.flatMap(({ descriptor, tags }) => {
    const plain: Descriptor = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size, ...(descriptor.platform ? { platform: descriptor.platform } : {}) };
    return tags.length ? tags.map((tag) => ({ ...plain, annotations: { [REF_NAME_ANNOTATION]: tag } })) : [plain];
  });
  const index: OciIndex = { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests };
  let tmp: string | undefined;
  try {
    await refuseForeignFolder(target);
    await mkdir(dirname(target), { recursive: true });
    tmp = await mkdtemp(join(dirname(target), `.${basename(target)}.tmp-`));
    const blobDir = join(tmp, 'blobs', 'sha256');
    await mkdir(blobDir, { recursive: true });
    const digests = new Set<string>();
    for (const { descriptor } of entries) {
      const { metadata, layers } = await reachableBlobs(store, descriptor);
      for (const d of metadata) digests.add(d.digest);
      const only = new Set(options.only ?? []);
      for (const d of layers) if (options.blobs !== 'only' || only.has(d.digest)) digests.add(d.digest);
    }
    for (const digest of [...digests].sort()) await linkOrCopy(store, digest, join(blobDir, digestHex(digest)));
    await writeFile(join(tmp, 'oci-layout'), LAYOUT_FILE);
    await writeFile(join(tmp, 'index.json'), canonicalJson(index));
    await replaceFolder(tmp, target);
  } catch (err) {
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code
        ? `cannot write the OCI layout ${target} (${code}): the old layout, if any, is unchanged; make that folder writable or free space there`
        : `cannot write the OCI layout ${target}: ${(err as Error).message}`,
    );
  }
}

export interface Layout {
  index: OciIndex;
  blobPath(digest: string): string;
  /** The descriptor index.json names `tag` (its org.opencontainers.image.ref.name). */
  find(tag: string): Descriptor | undefined;
}

export async function readLayout(dir: string): Promise<Layout> {
  const root = resolve(dir);
  let version: { imageLayoutVersion?: string };
  try {
    version = JSON.parse(await readFile(join(root, 'oci-layout'), 'utf8')) as { imageLayoutVersion?: string };
  } catch (err) {
    throw new Error(`${root} is not an OCI image layout (oci-layout: ${reason(err)}): write it with writeLayout or give the layout's folder`);
  }
  if (version.imageLayoutVersion !== '1.0.0') throw new Error(`${root} is an OCI layout of version ${String(version.imageLayoutVersion)}: only 1.0.0 is read`);
  let index: OciIndex;
  try {
    index = JSON.parse(await readFile(join(root, 'index.json'), 'utf8')) as OciIndex;
  } catch (err) {
    throw new Error(`${root} has no readable index.json (${reason(err)}): write the layout again`);
  }
  if (!Array.isArray(index.manifests)) throw new Error(`${root}/index.json lists no manifests: write the layout again`);
  return {
    index,
    blobPath: (digest) => join(root, 'blobs', 'sha256', digestHex(digest)),
    find: (tag) => index.manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === tag),
  };
}

/** Replacing a folder that is not a layout would delete someone's files: refuse. */
async function refuseForeignFolder(target: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (names.length && !names.includes('oci-layout')) {
    throw new Error('the folder exists and is not an OCI layout: remove it or choose another folder');
  }
}

async function linkOrCopy(store: BlobStore, digest: string, file: string): Promise<void> {
  const source = store.path(digest);
  if (!store.has(digest)) await store.get(digest);
  try {
    await link(source, file);
  } catch (err) {
    if (!['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EACCES'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    await copyFile(source, file);
  }
}

/** Old layout aside, new one in, old one removed; if the second rename fails the old one goes back. */
async function replaceFolder(tmp: string, target: string): Promise<void> {
  const exists = await stat(target).then(() => true, () => false);
  if (!exists) return rename(tmp, target);
  const aside = join(dirname(target), `.${basename(target)}.old-${randomBytes(4).toString('hex')}`);
  await rename(target, aside);
  try {
    await rename(tmp, target);
  } catch (err) {
    await rename(aside, target);
    throw err;
  }
  await rm(aside, { recursive: true, force: true });
}

function reason(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}
