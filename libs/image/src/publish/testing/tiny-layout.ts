import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Descriptor } from '../../descriptor';
import { MEDIA_TYPES } from '../../media-types';

const { index: OCI_INDEX, manifest: OCI_MANIFEST } = MEDIA_TYPES;

/** Writes a blob into a layout and gives its descriptor. */
export function writeBlob(dir: string, bytes: Buffer, mediaType: string): Descriptor {
  const hex = createHash('sha256').update(bytes).digest('hex');
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'blobs', 'sha256', hex), bytes);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}

/** An image manifest over a config and layers already in the layout. */
export function writeManifest(dir: string, config: Descriptor, layers: Descriptor[]): Descriptor {
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers };
  return writeBlob(dir, Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST);
}

/** An image index over manifests already in the layout. */
export function writeIndex(dir: string, manifests: Descriptor[]): Descriptor {
  return writeBlob(dir, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })), OCI_INDEX);
}

/** oci-layout and index.json naming each manifest by its ref.name. */
export function writeLayoutIndex(dir: string, named: Record<string, Descriptor>): void {
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const manifests = Object.entries(named).map(([name, d]) => ({ ...d, annotations: { 'org.opencontainers.image.ref.name': name } }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
}

/**
 * A layout of random-bytes blobs (not runnable, fine for a registry, which
 * does not look inside layers): one image under `tag`, with `layers` layers
 * of `layerSize` bytes; shared layers can be passed in.
 */
export function writeRandomImage(dir: string, { tag = 'latest', layers = 2, layerSize = 2048, shared = [] as Descriptor[] } = {}): { manifest: Descriptor; layers: Descriptor[]; config: Descriptor } {
  const own = Array.from({ length: layers }, () => writeBlob(dir, randomBytes(layerSize), 'application/vnd.oci.image.layer.v1.tar+gzip'));
  const all = [...shared, ...own];
  const config = writeBlob(
    dir,
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: all.map((l) => l.digest) }, config: {} })),
    'application/vnd.oci.image.config.v1+json',
  );
  const manifest = writeManifest(dir, config, all);
  writeLayoutIndex(dir, { [tag]: manifest });
  return { manifest, layers: all, config };
}
