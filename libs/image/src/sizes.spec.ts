import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store';
import { buildLayer } from './layer';
import { readImage, writeImage } from './image';
import { imageSizes } from './sizes';

describe('imageSizes', () => {
  it('sums the layer blobs and their tars, read back from the store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'microbox-sizes-'));
    try {
      const store = new BlobStore(dir);
      const mtime = new Date('2026-03-04T05:06:07Z');
      const a = await buildLayer(store, [{ type: 'file', path: 'a', content: Buffer.alloc(100_000) }], { mtime });
      const b = await buildLayer(store, [{ type: 'file', path: 'b', content: 'b' }], { mtime });
      const image = await writeImage(store, { layers: [a, b], config: { platform: { os: 'linux', architecture: 'amd64' }, created: '2026-03-04T05:06:07Z' } });
      const sizes = imageSizes(await readImage(store, image.manifest));
      expect(sizes.compressed).toBe(a.descriptor.size + b.descriptor.size);
      expect(sizes.uncompressed).toBe(a.uncompressedSize + b.uncompressedSize);
      expect(sizes.uncompressed).toBeGreaterThan(100_000);
      expect(sizes.compressed).toBeLessThan(2_000);
      expect(sizes.layers.map((l) => l.digest)).toEqual([a.descriptor.digest, b.descriptor.digest]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
