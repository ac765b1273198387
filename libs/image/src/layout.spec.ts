import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store';
import type { ConfigInput } from './config';
import { buildLayer } from './layer';
import { readLayout, writeLayout } from './layout';
import { MEDIA_TYPES, REF_NAME_ANNOTATION } from './media-types';
import { writeImage, writeIndex } from './image';

const mtime = new Date('2026-03-04T05:06:07Z');
const config: ConfigInput = { platform: { os: 'linux', architecture: 'amd64' }, created: '2026-03-04T05:06:07Z' };

let dir: string;
let store: BlobStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'microbox-layout-'));
  store = new BlobStore(join(dir, 'store'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function twoLayerImage(content = 'binary') {
  const baseLayer = await buildLayer(store, [{ type: 'file', path: 'etc/passwd', content: 'root:x:0:0::/:/bin/sh\n' }], { mtime });
  const base = await writeImage(store, { layers: [baseLayer], config });
  const appLayer = await buildLayer(store, [{ type: 'file', path: 'app', content }], { mtime });
  const image = await writeImage(store, { base, layers: [appLayer], config });
  return { image, baseLayer, appLayer };
}

describe('writeLayout', () => {
  it('writes oci-layout, index.json with a ref name per tag, and every blob hard-linked from the store', async () => {
    const { image, baseLayer, appLayer } = await twoLayerImage();
    const out = join(dir, 'dist', 'images', 'app');
    await writeLayout(out, store, [{ descriptor: image.manifest, tags: ['latest', '1.0'] }]);
    expect(JSON.parse(await readFile(join(out, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const layout = await readLayout(out);
    expect(layout.index).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.index,
      manifests: ['latest', '1.0'].map((tag) => ({ ...image.manifest, annotations: { [REF_NAME_ANNOTATION]: tag } })),
    });
    expect(layout.find('1.0')?.digest).toBe(image.manifest.digest);
    expect(layout.find('2.0')).toBeUndefined();
    const blobs = (await readdir(join(out, 'blobs', 'sha256'))).sort();
    const expected = [image.manifest, image.config, baseLayer.descriptor, appLayer.descriptor].map((d) => d.digest.slice(7)).sort();
    expect(blobs).toEqual(expected);
    for (const d of [image.manifest, baseLayer.descriptor]) {
      expect((await stat(layout.blobPath(d.digest))).ino).toBe((await stat(store.path(d.digest))).ino);
    }
    expect((await readdir(join(dir, 'dist', 'images'))).sort()).toEqual(['app']);
  });

  it("with blobs 'only', holds the metadata and only the layers named", async () => {
    const { image, appLayer } = await twoLayerImage();
    const out = join(dir, 'layout');
    await writeLayout(out, store, [{ descriptor: image.manifest, tags: ['latest'] }], { blobs: 'only', only: [appLayer.descriptor.digest] });
    const blobs = (await readdir(join(out, 'blobs', 'sha256'))).sort();
    expect(blobs).toEqual([image.manifest, image.config, appLayer.descriptor].map((d) => d.digest.slice(7)).sort());
  });

  it('writes an index and the manifests under it', async () => {
    const { image } = await twoLayerImage();
    const index = await writeIndex(store, [image]);
    const out = join(dir, 'layout');
    await writeLayout(out, store, [{ descriptor: index, tags: ['multi'] }]);
    const layout = await readLayout(out);
    expect(layout.find('multi')).toMatchObject({ mediaType: MEDIA_TYPES.index, digest: index.digest });
    expect((await readdir(join(out, 'blobs', 'sha256'))).length).toBe(5);
  });

  it('replaces an old layout whole, leaving nothing beside it', async () => {
    const out = join(dir, 'layout');
    await writeLayout(out, store, [{ descriptor: (await twoLayerImage('one')).image.manifest, tags: ['latest'] }]);
    const second = (await twoLayerImage('two')).image;
    await writeLayout(out, store, [{ descriptor: second.manifest, tags: ['latest'] }]);
    expect((await readLayout(out)).find('latest')?.digest).toBe(second.manifest.digest);
    expect((await readdir(join(out, 'blobs', 'sha256'))).length).toBe(4);
    expect((await readdir(dir)).sort()).toEqual(['layout', 'store']);
  });

  it('leaves the old layout whole and says so in one line when a write fails half way', async () => {
    const out = join(dir, 'layout');
    const old = (await twoLayerImage('one')).image;
    await writeLayout(out, store, [{ descriptor: old.manifest, tags: ['latest'] }]);
    const before = await readFile(join(out, 'index.json'), 'utf8');
    const { image, appLayer } = await twoLayerImage('two');
    await rm(store.path(appLayer.descriptor.digest));
    const failure = writeLayout(out, store, [{ descriptor: image.manifest, tags: ['latest'] }]);
    await expect(failure).rejects.toThrow(`cannot write the OCI layout ${out}: blob ${appLayer.descriptor.digest} is not in the blob store`);
    expect(await readFile(join(out, 'index.json'), 'utf8')).toBe(before);
    expect((await readdir(join(out, 'blobs', 'sha256'))).length).toBe(4);
    expect((await readdir(dir)).sort()).toEqual(['layout', 'store']);
  });

  it('says in one line, naming the folder, when the folder cannot be made', async () => {
    const { image } = await twoLayerImage();
    await writeFile(join(dir, 'file'), 'not a folder');
    const out = join(dir, 'file', 'layout');
    const failure = writeLayout(out, store, [{ descriptor: image.manifest, tags: ['latest'] }]);
    await expect(failure).rejects.toThrow(`cannot write the OCI layout ${out} (ENOTDIR): the old layout, if any, is unchanged`);
    await failure.catch((err: Error) => expect(err.message).not.toContain('\n'));
  });

  it('refuses to replace a folder that is not a layout, and tags that are not names', async () => {
    const { image } = await twoLayerImage();
    const out = join(dir, 'mine');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'keep me');
    await expect(writeLayout(out, store, [{ descriptor: image.manifest, tags: ['latest'] }])).rejects.toThrow(`cannot write the OCI layout ${out}: the folder exists and is not an OCI layout`);
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('keep me');
    await expect(writeLayout(join(dir, 'l'), store, [{ descriptor: image.manifest, tags: ['bad tag'] }])).rejects.toThrow('layout tag "bad tag" is not valid');
  });
});

describe('readLayout', () => {
  it('says what is missing when a folder is not a layout', async () => {
    await expect(readLayout(join(dir, 'nothing'))).rejects.toThrow(`${join(dir, 'nothing')} is not an OCI image layout (oci-layout: ENOENT)`);
  });
});
