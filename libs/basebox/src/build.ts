import type { BlobStore } from '../../image/src/blob-store';
import { platformName } from '../../image/src/descriptor';
import { type Image, writeImage, writeIndex } from '../../image/src/image';
import { buildLayer, type Layer } from '../../image/src/layer';
import { layoutFromRecord } from '../../image/src/layout-record';
import { type BuildRecord, formatMB, type ImageVariant, type PlatformImage, platformImages } from '../../image/src/record';
import { consulTemplateEntry } from './consul-template';
import { debCacheDir } from './debs';
import { archiveSettings } from './debian/archive-settings';
import { unpackLockedPackages } from './debian/unpack-locked';
import { DEBIAN_PACKAGES, debianParts } from './flavours/debian';
import { PackageTree } from './libraries';
import { pinned, readLock } from './lock';
import type { Part } from './parts';
import { BASEBOX_ARCHITECTURES, type BaseboxArchitecture, PLATFORMS } from './platforms';
import { INIT } from './s6-tree';
import { CONSUL_TEMPLATE_PART, SLIM, slimTags } from './slim';

/** Bump when what the image holds changes in a way its users should see in the tag. */
export const BASEBOX_VERSION = '0.1.0';

export const BASEBOX_NAME = 'microbox/basebox';

export function defaultTags(): string[] {
  return [`${BASEBOX_NAME}:${BASEBOX_VERSION}`, `${BASEBOX_NAME}:latest`];
}

/**
 * Every file of the base carries this time, and its config says it was made
 * then: the base is a function of its pinned contents alone, so a commit that
 * changes nothing in it does not change its digest.
 */
export const BASE_CREATED = '2000-01-01T00:00:00Z';

export interface BaseboxOptions {
  /** The static consul-template to put in each architecture's image, built for it. */
  consulTemplate: Record<BaseboxArchitecture, string>;
  /** The Debian lock file. */
  lockFile: string;
  store: BlobStore;
  /** The OCI image layout folder to write, and its path as the record names it. */
  layoutDir: string;
  layoutName: string;
  tags?: string[];
  /** Where downloaded .debs are kept; defaults to the user's cache. */
  debCache?: string;
  /** Environment for the cache folders. */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

interface Assembled {
  parts: Part[];
  /** The pinned version of each package (`deb:<name>`). */
  versions: Record<string, string>;
  cleanup: () => Promise<void>;
}

async function assembleDebian(options: BaseboxOptions, architecture: BaseboxArchitecture, log: (line: string) => void): Promise<Assembled> {
  const lock = await readLock(options.lockFile);
  for (const wanted of DEBIAN_PACKAGES) pinned(lock, wanted.name, architecture, options.lockFile);
  const consulTemplate = await consulTemplateEntry(options.consulTemplate[architecture], architecture);
  const cacheDir = options.debCache ?? debCacheDir(options.env);
  const unpacked = await unpackLockedPackages({ lockFile: options.lockFile, architecture, cacheDir, settings: archiveSettings(options.env), log });
  try {
    const parts = debianParts(new PackageTree(unpacked.root), architecture, consulTemplate, log);
    const versions = Object.fromEntries(unpacked.packages.map((p) => [`deb:${p.name}`, p.version]));
    return { parts, versions, cleanup: unpacked.cleanup };
  } catch (err) {
    await unpacked.cleanup();
    throw err;
  }
}

/** The sizes of the base per platform and part (layer tars and gzipped blobs), what it adds around consul-template, and the slim variant's. */
export function formatBreakdown(record: BuildRecord): string[] {
  const platforms = platformImages(record);
  const names = platforms[0]!.image.parts.map((p) => p.name);
  const width = Math.max(...names.map((n) => n.length), 'total'.length);
  const columns = platforms.flatMap((p) => [`${p.platform} layer`, 'gzipped']);
  const row = (label: string, cells: string[]) => [label.padEnd(width), ...cells.map((c, i) => c.padStart(Math.max(10, columns[i]!.length)))].join('  ');
  const sizesOf = (bytes: (image: PlatformImage) => number[]) => platforms.flatMap((p) => bytes(p.image).map(formatMB));
  const part = (image: PlatformImage, name: string) => image.parts.find((p) => p.name === name);
  const lines = [
    row('part', columns),
    ...names.map((name) => row(name, sizesOf((image) => [part(image, name)?.bytes ?? 0, part(image, name)?.gzipBytes ?? 0]))),
    `${row('total', sizesOf((image) => [image.size, image.gzipSize]))}  (layer tars summed; gzipped blobs summed)`,
  ];
  // The yardstick: what the base adds around consul-template, against the article's 5.8 MB of Alpine and s6.
  const around = platforms.filter((p) => part(p.image, CONSUL_TEMPLATE_PART));
  if (around.length) {
    lines.push(`around consul-template: ${around.map((p) => `${p.platform} ${formatMB(p.image.size - part(p.image, CONSUL_TEMPLATE_PART)!.bytes)} (its layer ${formatMB(part(p.image, CONSUL_TEMPLATE_PART)!.bytes)})`).join(', ')}`);
  }
  const slim = record.variants?.[SLIM];
  if (slim) {
    const sizes = platformImages(slim).map((p) => `${p.platform} ${formatMB(p.image.size)} (${formatMB(p.image.gzipSize)} gzipped)`);
    lines.push(`${slim.tags[0] ?? SLIM}: ${sizes.join(', ')}; no consul-template: for services without templates`);
  }
  return lines;
}

/** One architecture's image of the base, and how the record names it. */
interface BuiltImage {
  image: Image;
  recorded: PlatformImage;
}

/** One image of the base over these layers, bottom first, recorded with its sizes. */
async function writeBase(store: BlobStore, architecture: BaseboxArchitecture, parts: { name: string; layer: Layer }[], version: string): Promise<BuiltImage> {
  const image = await writeImage(store, {
    layers: parts.map((p) => p.layer),
    config: {
      platform: PLATFORMS[architecture],
      created: BASE_CREATED,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      entrypoint: [INIT],
      labels: { 'org.opencontainers.image.title': BASEBOX_NAME, 'org.opencontainers.image.version': version },
    },
    history: parts.map((p) => `microbox: basebox ${p.name}`),
  });
  const sizes = parts.map((p) => ({ name: p.name, bytes: p.layer.uncompressedSize, gzipBytes: p.layer.descriptor.size, digest: p.layer.descriptor.digest }));
  return {
    image,
    recorded: {
      manifest: image.manifest,
      id: image.config.digest,
      size: sizes.reduce((sum, p) => sum + p.bytes, 0),
      gzipSize: sizes.reduce((sum, p) => sum + p.gzipBytes, 0),
      parts: sizes,
      blobs: [image.manifest.digest, image.config.digest, ...parts.map((p) => p.layer.descriptor.digest)],
    },
  };
}

/** The images of every architecture as one recorded image: the first's fields, an index over all, the others by platform. */
async function withIndex(store: BlobStore, built: BuiltImage[], tags: string[]): Promise<ImageVariant> {
  const [first, ...others] = built;
  return {
    ...first!.recorded,
    tags,
    index: await writeIndex(store, built.map((b) => b.image)),
    platforms: Object.fromEntries(others.map((b) => [platformName(b.image.manifest.platform!), b.recorded])),
  };
}

interface ArchitectureImages {
  architecture: BaseboxArchitecture;
  full: BuiltImage;
  slim: BuiltImage;
  versions: Record<string, string>;
}

/**
 * One architecture's full and slim images: its packages unpacked, one
 * reproducible layer per part (kept in the blob store: a part made of the
 * same files is not tarred or gzipped again), a config and manifest each.
 */
async function buildArchitecture(options: BaseboxOptions, architecture: BaseboxArchitecture, log: (line: string) => void): Promise<ArchitectureImages> {
  const assembled = await assembleDebian(options, architecture, log);
  try {
    const mtime = new Date(BASE_CREATED);
    // The base is compressed once and then remembered: the smallest layers are worth 2 s, once.
    const layers = await Promise.all(assembled.parts.map((part) => buildLayer(options.store, part.entries, { mtime, gzipLevel: 9 })));
    const parts = assembled.parts.map((part, i) => ({ name: part.name, layer: layers[i]! }));
    const full = await writeBase(options.store, architecture, parts, BASEBOX_VERSION);
    // The same layers but consul-template's: a service with no template needs no 14.8 MB renderer, and no blob is written twice.
    const slim = await writeBase(options.store, architecture, parts.filter((p) => p.name !== CONSUL_TEMPLATE_PART), `${BASEBOX_VERSION}-${SLIM}`);
    return { architecture, full, slim, versions: assembled.versions };
  } finally {
    await assembled.cleanup();
  }
}

/** The pinned versions, as `deb:<name>`; another architecture's only where it pins a different one, as `deb:<name>:<arch>`. */
function versionsMeta(built: ArchitectureImages[]): Record<string, string> {
  const [first, ...others] = built;
  const meta = { ...first!.versions };
  for (const other of others) {
    for (const [key, version] of Object.entries(other.versions)) if (meta[key] !== version) meta[`${key}:${other.architecture}`] = version;
  }
  return meta;
}

/**
 * Builds the base image without a daemon, for linux/amd64 and linux/arm64/v8
 * (each from its own architecture's packages and consul-template), with an
 * OCI index over both, and beside it the slim variant without consul-template
 * (same layers but that one: only its configs, manifests and index are new),
 * all in one OCI layout. The record's own image is amd64's; its tags name the
 * index. Returns the record; the caller writes it last.
 */
export async function buildBasebox(options: BaseboxOptions): Promise<BuildRecord> {
  const log = options.log ?? ((line: string) => console.log(line));
  const tags = options.tags ?? defaultTags();
  const started = Date.now();
  const built = await Promise.all(BASEBOX_ARCHITECTURES.map((architecture) => buildArchitecture(options, architecture, log)));
  const full = await withIndex(options.store, built.map((b) => b.full), tags);
  const slim = await withIndex(options.store, built.map((b) => b.slim), slimTags(tags));
  const record: BuildRecord = { ...full, layout: options.layoutName, meta: versionsMeta(built), variants: { [SLIM]: slim } };
  await layoutFromRecord(options.layoutDir, options.store, record);
  // The first line names the record's own image (linux/amd64) as single-platform builds did; then the others and the index.
  const [own, ...others] = platformImages(full);
  log(`${BASEBOX_NAME}: ${own!.image.manifest.digest} in ${((Date.now() - started) / 1000).toFixed(2)}s; ${own!.platform}`);
  for (const other of others) log(`${BASEBOX_NAME}: ${other.image.manifest.digest}; ${other.platform}`);
  log(`${BASEBOX_NAME}: index ${full.index!.digest} over ${platformImages(full).map((p) => p.platform).join(', ')}: what the tags name`);
  log(`${BASEBOX_NAME} ${SLIM} (no ${CONSUL_TEMPLATE_PART}): index ${slim.index!.digest}`);
  return record;
}
