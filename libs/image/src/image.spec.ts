import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store';
import { canonicalJson } from './canonical-json';
import type { ConfigInput } from './config';
import { sha256Digest } from './descriptor';
import { buildLayer } from './layer';
import { MEDIA_TYPES } from './media-types';
import { readImage, readIndex, reachableBlobs, writeImage, writeIndex } from './image';

const mtime = new Date('2026-03-04T05:06:07Z');
const config: ConfigInput = { platform: { os: 'linux', architecture: 'amd64' }, created: mtime.toISOString().replace('.000', ''), entrypoint: ['/app'] };

let dir: string;
let store: BlobStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'microbox-image-'));
  store = new BlobStore(dir);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function baseAndApp(s: BlobStore) {
  const baseLayer = await buildLayer(s, [{ type: 'file', path: 'etc/passwd', content: 'root:x:0:0::/:/bin/sh\n' }], { mtime });
  const base = await writeImage(s, { layers: [baseLayer], config: { ...config, env: { PATH: '/bin' } }, history: ['base files'] });
  const appLayer = await buildLayer(s, [{ type: 'file', path: 'app', content: 'binary', mode: 0o755 }], { mtime });
  const app = await writeImage(s, { base, layers: [appLayer], config: { ...config, env: { PORT: '8080' } }, history: ['app binary'], annotations: { 'org.opencontainers.image.revision': 'abc' } });
  return { base, app, baseLayer, appLayer };
}

describe('writeImage', () => {
  it('writes an OCI manifest over a canonical config, base layers first', async () => {
    const { app, baseLayer, appLayer } = await baseAndApp(store);
    const manifestBytes = await store.get(app.manifest.digest);
    const manifest = JSON.parse(manifestBytes.toString());
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      config: { mediaType: MEDIA_TYPES.config, digest: app.config.digest, size: app.config.size },
      layers: [baseLayer.descriptor, appLayer.descriptor],
      annotations: { 'org.opencontainers.image.revision': 'abc' },
    });
    expect(manifestBytes.toString()).toBe(canonicalJson(manifest));
    expect(app.manifest).toEqual({ mediaType: MEDIA_TYPES.manifest, digest: sha256Digest(manifestBytes), size: manifestBytes.length, platform: { os: 'linux', architecture: 'amd64' } });
    const configBytes = await store.get(app.config.digest);
    expect(configBytes.toString()).toBe(canonicalJson(app.configJson));
    expect(app.configJson.rootfs.diff_ids).toEqual([baseLayer.diffId, appLayer.diffId]);
    expect(app.configJson.config?.Env).toEqual(['PATH=/bin', 'PORT=8080']);
    expect(app.configJson.history?.map((h) => h.created_by)).toEqual(['base files', 'app binary']);
  });

  it('gives the same digests from the same input in another store', async () => {
    const a = await baseAndApp(store);
    const b = await baseAndApp(new BlobStore(join(dir, 'other')));
    expect(b.app.manifest).toEqual(a.app.manifest);
    expect(b.app.config).toEqual(a.app.config);
  });

  it('refuses a layer whose blob is not in the store', async () => {
    const other = new BlobStore(join(dir, 'other'));
    const layer = await buildLayer(other, [{ type: 'file', path: 'x', content: 'x' }], { mtime });
    await expect(writeImage(store, { layers: [layer], config })).rejects.toThrow(`layer ${layer.descriptor.digest} is not in the blob store at ${dir}`);
  });
});

describe('readImage', () => {
  it('reads back what writeImage wrote', async () => {
    const { app } = await baseAndApp(store);
    expect(await readImage(store, { mediaType: MEDIA_TYPES.manifest, digest: app.manifest.digest, size: 0 })).toEqual(app);
  });

  it('measures layers it has no record of from their blobs', async () => {
    const { app } = await baseAndApp(store);
    await rm(join(dir, 'layer-info'), { recursive: true });
    expect(await readImage(store, app.manifest)).toEqual(app);
  });

  it('refuses an index in place of a manifest', async () => {
    const { app } = await baseAndApp(store);
    const index = await writeIndex(store, [app]);
    await expect(readImage(store, index)).rejects.toThrow(`${index.digest} is a ${MEDIA_TYPES.index}, not an OCI image manifest`);
  });
});

describe('writeIndex', () => {
  it('lists each manifest with its platform, and refuses two images of one platform', async () => {
    const { base, app } = await baseAndApp(store);
    const armLayer = await buildLayer(store, [{ type: 'file', path: 'app', content: 'arm binary' }], { mtime });
    const arm = await writeImage(store, { layers: [armLayer], config: { ...config, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } } });
    const index = await writeIndex(store, [app, arm], { 'org.opencontainers.image.version': '1.0' });
    expect(index.mediaType).toBe(MEDIA_TYPES.index);
    expect(await readIndex(store, index)).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.index,
      manifests: [
        { mediaType: MEDIA_TYPES.manifest, digest: app.manifest.digest, size: app.manifest.size, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: MEDIA_TYPES.manifest, digest: arm.manifest.digest, size: arm.manifest.size, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      ],
      annotations: { 'org.opencontainers.image.version': '1.0' },
    });
    await expect(writeIndex(store, [base, app])).rejects.toThrow('two images for linux/amd64 were given to one index');
  });

  it('reaches every blob of an index: manifests and configs, then layers', async () => {
    const { app, baseLayer, appLayer } = await baseAndApp(store);
    const index = await writeIndex(store, [app]);
    const { metadata, layers } = await reachableBlobs(store, index);
    expect(metadata.map((d) => d.digest)).toEqual([index.digest, app.manifest.digest, app.config.digest]);
    expect(layers.map((d) => d.digest)).toEqual([baseLayer.descriptor.digest, appLayer.descriptor.digest]);
  });
});
