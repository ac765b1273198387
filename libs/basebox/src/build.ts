import type { BlobStore } from '../../image/src/blob-store';
import { writeImage } from '../../image/src/image';
import { buildLayer } from '../../image/src/layer';
import { layoutFromRecord } from '../../image/src/layout-record';
import { type BuildRecord, formatMB } from '../../image/src/record';
import { consulTemplateEntry } from './consul-template';
import { debCacheDir } from './debs';
import { archiveSettings } from './debian/archive-settings';
import { unpackLockedPackages } from './debian/unpack-locked';
import { DEBIAN_PACKAGES, debianParts } from './flavours/debian';
import { PackageTree } from './libraries';
import { pinned, readLock } from './lock';
import type { Part } from './parts';
import { INIT } from './s6-tree';

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
  const consulTemplate = record.parts.find((p) => p.name === 'consul-template');
  // The yardstick: what the base adds around consul-template, against the article's 5.8 MB of Alpine and s6.
  if (consulTemplate) lines.push(`around consul-template: ${formatMB(record.size - consulTemplate.bytes)} (its layer is ${formatMB(consulTemplate.bytes)})`);
  return lines;
}

/**
 * Builds the base image without a daemon: one reproducible layer per part,
 * bottom first, kept in the blob store (a part made of the same files is not
 * tarred or gzipped again), a config and manifest from data, and an OCI
 * layout holding all of it. Returns the record; the caller writes it last.
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
    const image = await writeImage(options.store, {
      layers,
      config: {
        platform: { os: 'linux', architecture: 'amd64' },
        created: BASE_CREATED,
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
        entrypoint: [INIT],
        labels: { 'org.opencontainers.image.title': BASEBOX_NAME, 'org.opencontainers.image.version': BASEBOX_VERSION },
      },
      history: assembled.parts.map((part) => `microbox: basebox ${part.name}`),
    });
    const parts = assembled.parts.map((part, i) => ({ name: part.name, bytes: layers[i]!.uncompressedSize, gzipBytes: layers[i]!.descriptor.size, digest: layers[i]!.descriptor.digest }));
    const record: BuildRecord = {
      manifest: image.manifest,
      id: image.config.digest,
      tags,
      layout: options.layoutName,
      size: parts.reduce((sum, p) => sum + p.bytes, 0),
      gzipSize: parts.reduce((sum, p) => sum + p.gzipBytes, 0),
      parts,
      blobs: [image.manifest.digest, image.config.digest, ...layers.map((l) => l.descriptor.digest)],
      meta: assembled.meta,
    };
    await layoutFromRecord(options.layoutDir, options.store, record);
    log(`${BASEBOX_NAME}: ${image.manifest.digest} in ${((Date.now() - started) / 1000).toFixed(2)}s`);
    return record;
  } finally {
    await assembled.cleanup();
  }
}
