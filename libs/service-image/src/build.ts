import { readFile } from 'node:fs/promises';
import type { BlobStore } from '../../image/src/blob-store';
import { readImage, writeImage } from '../../image/src/image';
import { buildLayer } from '../../image/src/layer';
import { layoutFromRecord } from '../../image/src/layout-record';
import { type BuildRecord, formatMB, recordOf } from '../../image/src/record';
import { serviceConfig, type ImageOrigin } from './image-config';
import { serviceLayers } from './layers';
import { type ServiceSpec, TEMPLATE_EXTENSION, TEMPLATE_FOLDER } from './service-spec';
import { SLIM } from '../../basebox/src/slim';

export interface ServiceImageOptions {
  spec: ServiceSpec;
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

/**
 * The service's image, written without a daemon: the base's layers, then the
 * s6 dirs with consul-template's config and templates, then the binary, each
 * a reproducible layer kept in the blob store; config and manifest from data.
 * The same sources give the same digest on any host. Writes the OCI layout
 * (only the blobs the base does not have: the base's stay in its own layout)
 * and returns the record; the caller writes it once everything else is done.
 */
export async function buildServiceImage(o: ServiceImageOptions): Promise<BuildRecord> {
  const log = o.log ?? ((line: string) => console.log(line));
  const { spec, store } = o;
  if (!TAG.test(o.revisionTag)) throw new Error(`revision tag "${o.revisionTag}" is not a valid image tag: use letters, digits, "_", "." and "-"`);
  const tags = [`${spec.name}:latest`, `${spec.name}:${o.revisionTag}`];
  let binary: Buffer;
  try {
    binary = await readFile(spec.binary);
  } catch {
    throw new Error(`the binary of ${spec.name} is missing at ${spec.binary}: run \`nx run ${spec.name}:go-build\` first`);
  }
  const started = Date.now();
  const { layers: own, leftOut } = serviceLayers(spec, o.serviceDir, binary);
  if (leftOut.length) log(`${spec.name}: left out of files (list them by their own path to ship them): ${leftOut.join(', ')}`);
  // With no template there is nothing for consul-template to render: the base without it.
  const base = spec.templates.length ? o.base : recordOf(o.base, SLIM);
  if (!spec.templates.length) log(`${spec.name}: no consul-template templates (${TEMPLATE_FOLDER}/*${TEMPLATE_EXTENSION}): built on ${base.tags[0] ?? SLIM}, the app starts at once`);
  const baseImage = await readImage(store, base.manifest);
  const mtime = new Date(o.origin.created);
  const layers = await Promise.all(own.map((l) => buildLayer(store, l.entries, { mtime })));
  const origin: ImageOrigin = { ...o.origin, baseName: base.tags[0] ?? base.manifest.digest, baseDigest: base.manifest.digest };
  const image = await writeImage(store, {
    base: baseImage,
    layers,
    config: { platform: baseImage.manifest.platform!, ...serviceConfig(spec, origin) },
    history: own.map((l) => `microbox: ${spec.name} ${l.name}`),
  });
  const ownParts = own.map((l, i) => ({ name: l.name, bytes: layers[i]!.uncompressedSize, gzipBytes: layers[i]!.descriptor.size, digest: layers[i]!.descriptor.digest }));
  const record: BuildRecord = {
    manifest: image.manifest,
    id: image.config.digest,
    tags,
    layout: o.layoutName,
    size: base.size + ownParts.reduce((sum, p) => sum + p.bytes, 0),
    gzipSize: base.gzipSize + ownParts.reduce((sum, p) => sum + p.gzipBytes, 0),
    parts: [{ name: spec.templates.length ? 'basebox' : `basebox ${SLIM}`, bytes: base.size, gzipBytes: base.gzipSize, digest: base.manifest.digest }, ...ownParts],
    blobs: [image.manifest.digest, image.config.digest, ...image.layers.map((l) => l.descriptor.digest)],
    meta: { base: origin.baseName, baseDigest: base.manifest.digest, baseLayout: base.layout, revision: o.origin.revision, created: o.origin.created },
  };
  await layoutFromRecord(o.layoutDir, store, record, { except: base.blobs });
  log(
    `${spec.name}: ${image.manifest.digest} in ${((Date.now() - started) / 1000).toFixed(2)}s; ${formatMB(record.size)}, own layers ${formatMB(ownParts.reduce((s, p) => s + p.bytes, 0))} (${formatMB(ownParts.reduce((s, p) => s + p.gzipBytes, 0))} gzipped)`,
  );
  return record;
}
