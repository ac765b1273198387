import { createGunzip } from 'node:zlib';
import { createReadStream } from 'node:fs';
import type { BlobStore } from './blob-store';
import { canonicalJson } from './canonical-json';
import { type OciConfig, type ConfigInput, basePlatform, buildConfig } from './config';
import { type Descriptor, platformName } from './descriptor';
import type { Layer } from './layer';
import { MEDIA_TYPES } from './media-types';

/** Like go-containerregistry's v1.Image: a manifest over a config and layers, all in the blob store. */
export interface Image {
  /** The manifest blob, with the image's platform. */
  manifest: Descriptor;
  config: Descriptor;
  configJson: OciConfig;
  layers: Layer[];
}

export interface OciManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface OciIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/**
 * An image made of base's layers then the new ones (like mutate.Append), its
 * config merged from base's and the input. Config and manifest are canonical
 * JSON, so the same input gives the same digests.
 */
export async function writeImage(
  store: BlobStore,
  input: { base?: Image; layers: Layer[]; config: ConfigInput; history?: string[]; annotations?: Record<string, string> },
): Promise<Image> {
  const base = input.base;
  for (const layer of input.layers) {
    if (!store.has(layer.descriptor.digest)) {
      throw new Error(`layer ${layer.descriptor.digest} is not in the blob store at ${store.dir}: build it with buildLayer on this store`);
    }
  }
  const configJson = buildConfig(
    input.config,
    { base: base?.configJson.rootfs.diff_ids ?? [], added: input.layers.map((l) => l.diffId) },
    { base: base?.configJson.history ?? [], added: input.history ?? input.layers.map(() => 'microbox') },
    base?.configJson,
  );
  const layers = [...(base?.layers ?? []), ...input.layers];
  const configBlob = await store.put(canonicalJson(configJson));
  const config: Descriptor = { mediaType: MEDIA_TYPES.config, ...configBlob };
  const manifestJson: OciManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config,
    layers: layers.map((l) => l.descriptor),
    annotations: input.annotations && Object.keys(input.annotations).length ? input.annotations : undefined,
  };
  const manifestBlob = await store.put(canonicalJson(manifestJson));
  return { manifest: { mediaType: MEDIA_TYPES.manifest, ...manifestBlob, platform: basePlatform(configJson) }, config, configJson, layers };
}

/** The image a manifest in the store describes; layer sizes come from the store's records (or the blobs). */
export async function readImage(store: BlobStore, manifest: Descriptor): Promise<Image> {
  const json = await readJson<OciManifest>(store, manifest.digest);
  if (json.mediaType !== undefined && json.mediaType !== MEDIA_TYPES.manifest) {
    throw new Error(`${manifest.digest} is a ${json.mediaType}, not an OCI image manifest: pass a manifest's descriptor (an index lists them)`);
  }
  if (!json.config || !Array.isArray(json.layers)) throw new Error(`${manifest.digest} is not an OCI image manifest: it has no config or layers`);
  const configJson = await readJson<OciConfig>(store, json.config.digest);
  const diffIds = configJson.rootfs?.diff_ids ?? [];
  if (diffIds.length !== json.layers.length) {
    throw new Error(`manifest ${manifest.digest} lists ${json.layers.length} layers but its config ${diffIds.length} diff ids: the image is corrupt`);
  }
  const layers: Layer[] = [];
  for (const [i, descriptor] of json.layers.entries()) {
    const info = (await store.layerInfo(descriptor.digest)) ?? (await measureLayer(store, descriptor.digest, diffIds[i]));
    layers.push({ descriptor, diffId: diffIds[i], uncompressedSize: info.uncompressedSize });
  }
  const blob = await store.get(manifest.digest);
  return {
    manifest: { mediaType: MEDIA_TYPES.manifest, digest: manifest.digest, size: blob.length, platform: basePlatform(configJson) },
    config: json.config,
    configJson,
    layers,
  };
}

/** An OCI image index over these images, each manifest with its platform; one image per platform. */
export async function writeIndex(store: BlobStore, images: Image[], annotations?: Record<string, string>): Promise<Descriptor> {
  const seen = new Map<string, string>();
  for (const image of images) {
    const name = platformName(basePlatform(image.configJson));
    const other = seen.get(name);
    if (other && other !== image.manifest.digest) throw new Error(`two images for ${name} were given to one index: give one image per platform`);
    seen.set(name, image.manifest.digest);
  }
  const unique = [...new Map(images.map((i) => [i.manifest.digest, i])).values()];
  const index: OciIndex = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: unique.map((i) => ({ mediaType: MEDIA_TYPES.manifest, digest: i.manifest.digest, size: i.manifest.size, platform: basePlatform(i.configJson) })),
    annotations: annotations && Object.keys(annotations).length ? annotations : undefined,
  };
  return { mediaType: MEDIA_TYPES.index, ...(await store.put(canonicalJson(index))) };
}

export async function readIndex(store: BlobStore, descriptor: Descriptor): Promise<OciIndex> {
  const index = await readJson<OciIndex>(store, descriptor.digest);
  if (!Array.isArray(index.manifests)) throw new Error(`${descriptor.digest} is not an OCI image index: it has no manifests`);
  return index;
}

/**
 * Every blob a manifest or an index reaches, itself first: `metadata` are
 * indexes, manifests and configs (small, needed to read anything), `layers`
 * the layer blobs.
 */
export async function reachableBlobs(store: BlobStore, descriptor: Descriptor): Promise<{ metadata: Descriptor[]; layers: Descriptor[] }> {
  const metadata: Descriptor[] = [];
  const layers: Descriptor[] = [];
  const visit = async (d: Descriptor): Promise<void> => {
    metadata.push(d);
    if (d.mediaType === MEDIA_TYPES.index) {
      for (const m of (await readIndex(store, d)).manifests) await visit(m);
    } else {
      const manifest = await readJson<OciManifest>(store, d.digest);
      metadata.push(manifest.config);
      layers.push(...manifest.layers);
    }
  };
  await visit(descriptor);
  return { metadata, layers };
}

async function readJson<T>(store: BlobStore, digest: string): Promise<T> {
  const text = (await store.get(digest)).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`blob ${digest} in ${store.dir} is not JSON: the store is corrupt, remove that blob`);
  }
}

/** Uncompressed size of a layer blob not built by this store (one gunzip pass), then remembered. */
async function measureLayer(store: BlobStore, digest: string, diffId: string): Promise<{ uncompressedSize: number }> {
  if (!store.has(digest)) await store.get(digest);
  let uncompressedSize = 0;
  const gunzip = createReadStream(store.path(digest)).pipe(createGunzip());
  for await (const chunk of gunzip) uncompressedSize += (chunk as Buffer).length;
  await store.rememberLayerInfo(digest, { diffId, uncompressedSize });
  return { uncompressedSize };
}
