import type { BlobStore } from '../../image/src/blob-store';
import { writeImage } from '../../image/src/image';
import { buildLayer, type Layer } from '../../image/src/layer';
import { layoutFromRecord } from '../../image/src/layout-record';
import { type BuildRecord, formatMB, type ImageVariant } from '../../image/src/record';
import { consulTemplateEntry } from './consul-template';
import { debCacheDir } from './debs';
import { archiveSettings } from './debian/archive-settings';
import { unpackLockedPackages } from './debian/unpack-locked';
import { DEBIAN_PACKAGES, debianParts } from './flavours/debian';
import { PackageTree } from './libraries';
import { pinned, readLock } from './lock';
import type { Part } from './parts';
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
  /** The static consul-template to put in the image. */
  consulTemplate: string;
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
  meta: Record<string, string>;
  cleanup: () => Promise<void>;
}

async function assembleDebian(options: BaseboxOptions, log: (line: string) => void): Promise<Assembled> {
  const lock = await readLock(options.lockFile);
  for (const wanted of DEBIAN_PACKAGES) pinned(lock, wanted.name, 'amd64', options.lockFile);
  const cacheDir = options.debCache ?? debCacheDir(options.env);
  const unpacked = await unpackLockedPackages({ lockFile: options.lockFile, architecture: 'amd64', cacheDir, settings: archiveSettings(options.env), log });
  try {
    const consulTemplate = await consulTemplateEntry(options.consulTemplate);
    const parts = await debianParts(new PackageTree(unpacked.root), consulTemplate, log);
    const meta = Object.fromEntries(unpacked.packages.map((p) => [`deb:${p.name}`, p.version]));
    return { parts, meta, cleanup: unpacked.cleanup };
  } catch (err) {
    await unpacked.cleanup();
    throw err;
  }
}

export function formatBreakdown(record: BuildRecord): string[] {
  const width = Math.max(...record.parts.map((p) => p.name.length), 'total'.length);
  const lines = [
    `${'part'.padEnd(width)}  ${'layer'.padStart(10)}  ${'gzipped'.padStart(10)}`,
    ...record.parts.map((p) => `${p.name.padEnd(width)}  ${formatMB(p.bytes).padStart(10)}  ${formatMB(p.gzipBytes ?? 0).padStart(10)}`),
    `${'total'.padEnd(width)}  ${formatMB(record.size).padStart(10)}  ${formatMB(record.gzipSize).padStart(10)}  (layer tars summed; gzipped blobs summed)`,
  ];
  const consulTemplate = record.parts.find((p) => p.name === CONSUL_TEMPLATE_PART);
  // The yardstick: what the base adds around consul-template, against the article's 5.8 MB of Alpine and s6.
  if (consulTemplate) lines.push(`around consul-template: ${formatMB(record.size - consulTemplate.bytes)} (its layer is ${formatMB(consulTemplate.bytes)})`);
  const slim = record.variants?.[SLIM];
  if (slim) lines.push(`${slim.tags[0] ?? SLIM}: ${formatMB(slim.size)}, ${formatMB(slim.gzipSize)} gzipped (no consul-template: for services without templates)`);
  return lines;
}

/** One image of the base over these layers, bottom first, recorded with its sizes. */
async function writeBase(store: BlobStore, parts: { name: string; layer: Layer }[], tags: string[], version: string): Promise<ImageVariant> {
  const image = await writeImage(store, {
    layers: parts.map((p) => p.layer),
    config: {
      platform: { os: 'linux', architecture: 'amd64' },
      created: BASE_CREATED,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      entrypoint: [INIT],
      labels: { 'org.opencontainers.image.title': BASEBOX_NAME, 'org.opencontainers.image.version': version },
    },
    history: parts.map((p) => `microbox: basebox ${p.name}`),
  });
  const sizes = parts.map((p) => ({ name: p.name, bytes: p.layer.uncompressedSize, gzipBytes: p.layer.descriptor.size, digest: p.layer.descriptor.digest }));
  return {
    manifest: image.manifest,
    id: image.config.digest,
    tags,
    size: sizes.reduce((sum, p) => sum + p.bytes, 0),
    gzipSize: sizes.reduce((sum, p) => sum + p.gzipBytes, 0),
    parts: sizes,
    blobs: [image.manifest.digest, image.config.digest, ...parts.map((p) => p.layer.descriptor.digest)],
  };
}

/**
 * Builds the base image without a daemon: one reproducible layer per part,
 * bottom first, kept in the blob store (a part made of the same files is not
 * tarred or gzipped again), a config and manifest from data, and an OCI
 * layout holding all of it; beside it, the slim variant without
 * consul-template (same layers but that one: only its config and manifest
 * are new). Returns the record; the caller writes it last.
 */
export async function buildBasebox(options: BaseboxOptions): Promise<BuildRecord> {
  const log = options.log ?? ((line: string) => console.log(line));
  const tags = options.tags ?? defaultTags();
  const assembled = await assembleDebian(options, log);
  try {
    const started = Date.now();
    const mtime = new Date(BASE_CREATED);
    // The base is compressed once and then remembered: the smallest layers are worth 2 s, once.
    const layers = await Promise.all(assembled.parts.map((part) => buildLayer(options.store, part.entries, { mtime, gzipLevel: 9 })));
    const full = await writeBase(options.store, assembled.parts.map((part, i) => ({ name: part.name, layer: layers[i]! })), tags, BASEBOX_VERSION);
    // The same layers but consul-template's: a service with no template needs no 14.8 MB renderer, and no blob is written twice.
    const slim = await writeBase(
      options.store,
      assembled.parts.map((part, i) => ({ name: part.name, layer: layers[i]! })).filter((p) => p.name !== CONSUL_TEMPLATE_PART),
      slimTags(tags),
      `${BASEBOX_VERSION}-${SLIM}`,
    );
    const record: BuildRecord = { ...full, layout: options.layoutName, meta: assembled.meta, variants: { [SLIM]: slim } };
    await layoutFromRecord(options.layoutDir, options.store, record);
    log(`${BASEBOX_NAME}: ${full.manifest.digest} in ${((Date.now() - started) / 1000).toFixed(2)}s; ${SLIM} (no ${CONSUL_TEMPLATE_PART}): ${slim.manifest.digest}, ${formatMB(slim.size)}`);
    return record;
  } finally {
    await assembled.cleanup();
  }
}
