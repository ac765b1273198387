import { readFile } from 'node:fs/promises';
import type { BlobStore } from '../../image/src/blob-store';
import { type Image, readImage, writeImage, writeIndex } from '../../image/src/image';
import { buildLayer } from '../../image/src/layer';
import { layoutFromRecord } from '../../image/src/layout-record';
import { type BuildRecord, formatMB, normalisePlatform, type PlatformImage, platformImages, platformOf, recordedBlobs, recordForPlatform, recordOf } from '../../image/src/record';
import { serviceConfig, type ImageOrigin } from './image-config';
import { binaryLayer, serviceLayers } from './layers';
import { type ServiceSpec, TEMPLATE_EXTENSION, TEMPLATE_FOLDER } from './service-spec';
import { SLIM } from '../../basebox/src/slim';

export interface ServiceImageOptions {
  spec: ServiceSpec;
  /**
   * Each platform's binary, by platform (`linux/arm64`); `spec.binary` is the
   * base's first platform's (linux/amd64) unless this names that one too.
   * A platform the base has and this lacks gets no image; one the base
   * lacks is left out.
   */
  binaries?: Record<string, string>;
  /** The service's folder: its templates and s6 overrides. */
  serviceDir: string;
  /** The basebox's build record: the image this one is built on. */
  base: BuildRecord;
  store: BlobStore;
  /** The OCI image layout folder to write, and its path as the record names it. */
  layoutDir: string;
  layoutName: string;
  origin: Omit<ImageOrigin, 'baseName' | 'baseDigest'>;
  /** The tag besides `latest`: the git short sha of the sources. */
  revisionTag: string;
  log?: (line: string) => void;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** One platform the image is made for: the base's image of it and the binary built for it. */
interface Target {
  platform: string;
  base: PlatformImage;
  binary: string;
}

/**
 * The platforms to make, in the base's order: each the base has and a binary
 * was built for. The first (linux/amd64) always has one, `spec.binary`; the
 * rest are said in one line each when left out.
 */
function targetsOf(o: ServiceImageOptions, base: BuildRecord, log: (line: string) => void): Target[] {
  const byPlatform = new Map(Object.entries(o.binaries ?? {}).map(([platform, path]) => [normalisePlatform(platform), path]));
  const baseImages = platformImages(base);
  const first = normalisePlatform(baseImages[0]!.platform);
  if (!byPlatform.has(first)) byPlatform.set(first, o.spec.binary);
  const targets: Target[] = [];
  for (const { platform, image } of baseImages) {
    const binary = byPlatform.get(normalisePlatform(platform));
    if (binary) targets.push({ platform, base: image, binary });
    else log(`${o.spec.name}: no ${platform} image: go-build made no binary for it (add ${normalisePlatform(platform)} to go-build's platforms)`);
  }
  const unused = [...byPlatform.keys()].filter((p) => !baseImages.some((b) => normalisePlatform(b.platform) === p));
  if (unused.length) log(`${o.spec.name}: the ${unused.join(', ')} binary left out: its base ${base.tags[0] ?? base.manifest.digest} has no image for it`);
  return targets;
}

async function readBinary(name: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch {
    throw new Error(`the binary of ${name} is missing at ${path}: run \`nx run ${name}:go-build\` first`);
  }
}

/** The name of the part a service record gives its base, first among its parts. */
const basePartName = (slim: boolean) => (slim ? `basebox ${SLIM}` : 'basebox');

/**
 * The service's image, written without a daemon: the base's layers, then the
 * s6 dirs with consul-template's config and templates, then the binary, each
 * a reproducible layer kept in the blob store; config and manifest from data.
 * One image per platform the base has and a binary was built for: the
 * scripts and files layers are the same bytes on every platform, made once;
 * only the base's layers and the binary differ. With more than one, an OCI
 * index over them, which the tags name; the first platform's (linux/amd64)
 * is the record's own image, so its digest is what it was before the others
 * were added. The same sources give the same digests on any host. Writes the
 * OCI layout (only the blobs the base does not have: the base's stay in its
 * own layout) and returns the record; the caller writes it once everything
 * else is done.
 */
export async function buildServiceImage(o: ServiceImageOptions): Promise<BuildRecord> {
  const log = o.log ?? ((line: string) => console.log(line));
  const { spec, store } = o;
  if (!TAG.test(o.revisionTag)) throw new Error(`revision tag "${o.revisionTag}" is not a valid image tag: use letters, digits, "_", "." and "-"`);
  const tags = [`${spec.name}:latest`, `${spec.name}:${o.revisionTag}`];
  // With no template there is nothing for consul-template to render: the base without it.
  const slim = !spec.templates.length;
  const base = slim ? recordOf(o.base, SLIM) : o.base;
  const targets = targetsOf(o, base, log);
  const binaries = await Promise.all(targets.map((t) => readBinary(spec.name, t.binary)));
  const started = Date.now();
  const { layers: own, leftOut } = serviceLayers(spec, o.serviceDir, binaries[0]!);
  if (leftOut.length) log(`${spec.name}: left out of files (list them by their own path to ship them): ${leftOut.join(', ')}`);
  if (slim) log(`${spec.name}: no consul-template templates (${TEMPLATE_FOLDER}/*${TEMPLATE_EXTENSION}): built on ${base.tags[0] ?? SLIM}, the app starts at once`);
  const mtime = new Date(o.origin.created);
  const shared = own.slice(0, -1);
  const sharedLayers = await Promise.all(shared.map((l) => buildLayer(store, l.entries, { mtime })));
  const baseName = base.tags[0] ?? base.manifest.digest;

  const made = await Promise.all(
    targets.map(async (t, i): Promise<{ image: Image; recorded: PlatformImage }> => {
      const binary = i === 0 ? own[own.length - 1]! : binaryLayer(spec, binaries[i]!);
      const layers = [...sharedLayers, await buildLayer(store, binary.entries, { mtime })];
      const baseImage = await readImage(store, t.base.manifest);
      const origin: ImageOrigin = { ...o.origin, baseName, baseDigest: t.base.manifest.digest };
      const image = await writeImage(store, {
        base: baseImage,
        layers,
        config: { platform: baseImage.manifest.platform!, ...serviceConfig(spec, origin) },
        history: own.map((l) => `microbox: ${spec.name} ${l.name}`),
      });
      const ownParts = own.map((l, j) => ({ name: l.name, bytes: layers[j]!.uncompressedSize, gzipBytes: layers[j]!.descriptor.size, digest: layers[j]!.descriptor.digest }));
      return {
        image,
        recorded: {
          manifest: image.manifest,
          id: image.config.digest,
          size: t.base.size + ownParts.reduce((sum, p) => sum + p.bytes, 0),
          gzipSize: t.base.gzipSize + ownParts.reduce((sum, p) => sum + p.gzipBytes, 0),
          parts: [{ name: basePartName(slim), bytes: t.base.size, gzipBytes: t.base.gzipSize, digest: t.base.manifest.digest }, ...ownParts],
          blobs: [image.manifest.digest, image.config.digest, ...image.layers.map((l) => l.descriptor.digest)],
        },
      };
    }),
  );
  const [top, ...others] = made;
  const record: BuildRecord = {
    ...top!.recorded,
    tags,
    layout: o.layoutName,
    meta: { base: baseName, baseDigest: targets[0]!.base.manifest.digest, baseLayout: base.layout, revision: o.origin.revision, created: o.origin.created },
    ...(others.length
      ? {
          index: await writeIndex(store, made.map((m) => m.image)),
          platforms: Object.fromEntries(others.map((m) => [platformOf(m.recorded), m.recorded])),
        }
      : {}),
  };
  // Every blob of the base, on every platform and variant, stays in the base's layout.
  await layoutFromRecord(o.layoutDir, store, record, { except: recordedBlobs(o.base) });
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  // The first line names the record's own image (linux/amd64) as single-platform builds always did.
  for (const [i, { platform, image }] of platformImages(record).entries()) {
    const ownParts = image.parts.slice(1);
    log(
      `${spec.name}: ${image.manifest.digest}${i === 0 ? ` in ${seconds}s` : ''}; ${platform}, ${formatMB(image.size)}, own layers ${formatMB(ownParts.reduce((s, p) => s + p.bytes, 0))} (${formatMB(ownParts.reduce((s, p) => s + (p.gzipBytes ?? 0), 0))} gzipped)`,
    );
  }
  if (record.index) log(`${spec.name}: index ${record.index.digest} over ${platformImages(record).map((p) => p.platform).join(', ')}: what the tags name`);
  return record;
}

/**
 * Each platform's image of a service record as a record of its own, with
 * the base it was built on (its first part) as `meta.baseDigest`: what that
 * platform's SBOM inherits from.
 */
export function servicePlatformRecords(record: BuildRecord): { platform: string; record: BuildRecord }[] {
  return platformImages(record).map(({ platform, image }) => {
    const one = recordForPlatform(record, platform);
    return { platform, record: { ...one, meta: { ...one.meta, baseDigest: image.parts[0]?.digest ?? record.meta.baseDigest ?? '' } } };
  });
}
