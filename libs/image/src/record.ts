import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Descriptor, platformName } from './descriptor';

/** One named part of an image (a layer) and its size. */
export interface PartSize {
  name: string;
  /** The layer's tar, uncompressed. */
  bytes: number;
  /** The layer blob, gzipped: what a registry stores. */
  gzipBytes?: number;
  digest?: string;
}

/**
 * What a build leaves behind for the next step and for Nx: which image was
 * made, where its layout is, under which names, and how big it is. Sizes come
 * from the blobs, never from a daemon.
 */
export interface BuildRecord {
  /** The image's manifest: its digest is the image's name by content. */
  manifest: Descriptor;
  /** The config's digest: the image id a daemon shows after loading it. */
  id: string;
  tags: string[];
  /** The OCI image layout folder, relative to the workspace. */
  layout: string;
  /** The layers' tars summed, uncompressed. */
  size: number;
  /** The layer blobs summed, gzipped. */
  gzipSize: number;
  parts: PartSize[];
  /** Every blob the image needs (manifest, config, layers): what a layout or a registry must hold. */
  blobs: string[];
  /** Free-form facts about how it was made (base, pinned versions, revision). */
  meta: Record<string, string>;
  /**
   * Other images written beside this one in the same layout from the same
   * layers (the basebox's `slim`, without consul-template), by name. Records
   * written before variants existed have none.
   */
  variants?: Record<string, ImageVariant>;
  /**
   * A multi-platform image: the OCI index over this image (the fields
   * above are its first platform's, linux/amd64) and those of `platforms`.
   * The layout's tags and a registry get the index; a daemon gets the image
   * of its own platform. Single-platform records have neither.
   */
  index?: Descriptor;
  /** The images of the other platforms, by platform name (`linux/arm64/v8`). */
  platforms?: Record<string, PlatformImage>;
}

/** One platform's image of a multi-platform record: its own manifest, config, layers and sizes. */
export type PlatformImage = Pick<BuildRecord, 'manifest' | 'id' | 'size' | 'gzipSize' | 'parts' | 'blobs'>;

/** An image recorded beside another: its own manifest, config, tags and sizes (per platform too); its layers among the other's blobs. */
export type ImageVariant = Pick<BuildRecord, 'manifest' | 'id' | 'tags' | 'size' | 'gzipSize' | 'parts' | 'blobs' | 'index' | 'platforms'>;

/** The name of an image's platform, as Docker and the record's `platforms` say it. */
export function platformOf(image: Pick<BuildRecord, 'manifest'>): string {
  const platform = image.manifest.platform;
  return platform ? platformName(platform) : 'linux/amd64';
}

/** Every platform's image of a record (or variant), the record's own first. */
export function platformImages(record: Pick<BuildRecord, 'manifest' | 'id' | 'size' | 'gzipSize' | 'parts' | 'blobs' | 'platforms'>): { platform: string; image: PlatformImage }[] {
  const { manifest, id, size, gzipSize, parts, blobs } = record;
  return [{ platform: platformOf(record), image: { manifest, id, size, gzipSize, parts, blobs } }, ...Object.entries(record.platforms ?? {}).map(([platform, image]) => ({ platform, image }))];
}

/** What the record's tags name: the index when there is one, else the image's manifest. */
export function taggedDescriptor(image: Pick<BuildRecord, 'manifest' | 'index'>): Descriptor {
  return image.index ?? image.manifest;
}

/**
 * The record's image for one platform (`linux/arm64`, `linux/arm64/v8` or
 * `arm64`), as a single-platform record with the same tags, layout and meta;
 * an error naming the platforms it has when it has not that one.
 */
export function recordForPlatform(record: BuildRecord, platform: string): BuildRecord {
  const wanted = normalisePlatform(platform);
  const found = platformImages(record).find((p) => normalisePlatform(p.platform) === wanted);
  if (!found) {
    throw new Error(
      `${record.tags[0] ?? record.manifest.digest} has no image for ${platform} (it has ${platformImages(record).map((p) => p.platform).join(', ')}): build it for that platform or use a host of one it has`,
    );
  }
  const { index: _index, platforms: _platforms, variants: _variants, ...rest } = record;
  return { ...rest, ...found.image };
}

/** `arm64`, `linux/arm64` and `linux/arm64/v8` are one platform; `x86_64` is amd64, `aarch64` arm64. */
export function normalisePlatform(platform: string): string {
  const parts = platform.split('/');
  const [os, arch, variant] = parts.length === 1 ? ['linux', parts[0]!, undefined] : [parts[0]!, parts[1]!, parts[2]];
  const architecture = ({ x86_64: 'amd64', aarch64: 'arm64' } as Record<string, string>)[arch] ?? arch;
  return architecture === 'arm64' && (!variant || variant === 'v8') ? `${os}/arm64` : [os, architecture, variant].filter(Boolean).join('/');
}

/** Every blob a record names (its images on every platform, their indexes, its variants'), each once. */
export function recordedBlobs(record: BuildRecord): string[] {
  const images = [record, ...Object.values(record.variants ?? {})];
  return [
    ...new Set(
      images.flatMap((image) => [...(image.index ? [image.index.digest] : []), ...platformImages(image).flatMap((p) => p.image.blobs)]),
    ),
  ];
}

/** The image of a record, or of one of its variants, as a record of its own (same layout and meta). */
export function recordOf(record: BuildRecord, variant?: string): BuildRecord {
  if (!variant) return record;
  const found = record.variants?.[variant];
  if (!found) throw new Error(`the image ${record.tags[0] ?? record.manifest.digest} has no "${variant}" variant in its record: build it again (its layout target with --skip-nx-cache)`);
  const { variants: _others, ...rest } = record;
  return { ...rest, ...found };
}

/**
 * Writes the record atomically, so a reader never sees half of one; on any
 * failure (a full disk) the partial file is removed and the old record stays.
 */
export async function writeRecord(path: string, record: BuildRecord): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  try {
    const file = await open(partial, 'w');
    try {
      await file.writeFile(JSON.stringify(record, null, 2) + '\n');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(partial, path);
  } catch (err) {
    // What we may have left is removed; what we could not have made (a folder in the way) is not ours to remove.
    await rm(partial, { force: true }).catch(() => undefined);
    throw new Error(`cannot write the build record ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): free some disk space or make the folder writable`);
  }
}

/** The record at path, or undefined when there is none or it is not a record of this kind (then it is simply rebuilt). */
export async function readRecord(path: string): Promise<BuildRecord | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<BuildRecord>;
    if (typeof value.id !== 'string' || typeof value.manifest?.digest !== 'string' || !Array.isArray(value.tags) || !Array.isArray(value.blobs)) return undefined;
    return value as BuildRecord;
  } catch {
    return undefined;
  }
}

export function formatMB(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}
