import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type Header, extract } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store';
import { sha256Digest } from './descriptor';
import type { ImageEntry } from './entries';
import { buildLayer } from './layer';
import { MEDIA_TYPES } from './media-types';

async function members(tar: Buffer): Promise<{ header: Header; content: Buffer }[]> {
  const seen: { header: Header; content: Buffer }[] = [];
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => void chunks.push(c as Buffer));
    stream.on('end', () => {
      seen.push({ header, content: Buffer.concat(chunks) });
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    ex.on('finish', () => resolve());
    ex.on('error', reject);
  });
  ex.end(tar);
  await done;
  return seen;
}

const commit = new Date('2026-03-04T05:06:07Z');
const entries: ImageEntry[] = [
  { type: 'file', path: 'etc/passwd', content: 'root:x:0:0::/:/bin/sh\n' },
  { type: 'symlink', path: 'bin/sh', target: 'busybox' },
  { type: 'hardlink', path: 'bin/ash', target: 'bin/busybox' },
  { type: 'directory', path: 'tmp', mode: 0o1777 },
  { type: 'file', path: 'bin/busybox', content: Buffer.from([1, 2, 3]), mode: 0o755, uid: 10001, gid: 10002 },
];

let dir: string;
let store: BlobStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'microbox-layer-'));
  store = new BlobStore(dir);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('buildLayer', () => {
  it('gives the same digests whatever the order of the entries, and in another store', async () => {
    const a = await buildLayer(store, entries, { mtime: commit });
    const other = new BlobStore(join(dir, 'other'));
    const b = await buildLayer(other, [...entries].reverse(), { mtime: commit });
    expect(b).toEqual(a);
    expect((await other.get(b.descriptor.digest)).equals(await store.get(a.descriptor.digest))).toBe(true);
  });

  it('describes the gzip blob and the tar inside it', async () => {
    const layer = await buildLayer(store, entries, { mtime: commit });
    const gzip = await store.get(layer.descriptor.digest);
    const tar = gunzipSync(gzip);
    expect(layer.descriptor).toEqual({ mediaType: MEDIA_TYPES.layerGzip, digest: sha256Digest(gzip), size: gzip.length });
    expect(layer.diffId).toBe(sha256Digest(tar));
    expect(layer.uncompressedSize).toBe(tar.length);
  });

  it('writes a gzip header with no name, no time and no host OS', async () => {
    const layer = await buildLayer(store, entries, { mtime: commit });
    const gzip = await store.get(layer.descriptor.digest);
    expect([...gzip.subarray(0, 10)]).toEqual([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
  });

  it('writes sorted entries, parents first, with the commit time, the given owners and modes, and no user names', async () => {
    const layer = await buildLayer(store, entries, { mtime: commit });
    const list = await members(gunzipSync(await store.get(layer.descriptor.digest)));
    expect(list.map((m) => m.header.name)).toEqual(['bin/', 'bin/ash', 'bin/busybox', 'bin/sh', 'etc/', 'etc/passwd', 'tmp/']);
    for (const { header } of list) {
      expect(header.mtime.getTime()).toBe(commit.getTime());
      expect(header.uname).toBe('');
      expect(header.gname).toBe('');
    }
    const byName = Object.fromEntries(list.map((m) => [m.header.name, m]));
    expect(byName['etc/passwd'].header).toMatchObject({ type: 'file', uid: 0, gid: 0, mode: 0o644 });
    expect(byName['tmp/'].header).toMatchObject({ type: 'directory', mode: 0o1777 });
    expect(byName['bin/'].header).toMatchObject({ type: 'directory', mode: 0o755, uid: 0 });
    expect(byName['bin/sh'].header).toMatchObject({ type: 'symlink', linkname: 'busybox' });
    // bin/ash sorts first, so it carries the content and bin/busybox links to it: same inode either way.
    expect(byName['bin/ash'].header).toMatchObject({ type: 'file', uid: 10001, gid: 10002, mode: 0o755 });
    expect([...byName['bin/ash'].content]).toEqual([1, 2, 3]);
    expect(byName['bin/busybox'].header).toMatchObject({ type: 'link', linkname: 'bin/ash', uid: 10001, mode: 0o755 });
  });

  it('changes the digests when a byte, the time, an owner or a mode changes', async () => {
    const base = await buildLayer(store, entries, { mtime: commit });
    const variants: ImageEntry[][] = [
      entries.map((e) => (e.path === 'etc/passwd' ? { ...e, content: 'root:x:0:0::/:/bin/ash\n' } : e)),
      entries.map((e) => (e.path === 'etc/passwd' ? { ...e, mode: 0o600 } : e)),
      entries.map((e) => (e.path === 'etc/passwd' ? { ...e, uid: 1 } : e)),
    ];
    const digests = new Set([base.diffId]);
    for (const v of variants) digests.add((await buildLayer(store, v, { mtime: commit })).diffId);
    digests.add((await buildLayer(store, entries, { mtime: new Date('2026-03-04T05:06:08Z') })).diffId);
    expect(digests.size).toBe(5);
  });

  it('remembers finished layers: the same entries are not tarred again, even by a new store object', async () => {
    const first = await buildLayer(store, entries, { mtime: commit });
    expect(store.stats).toEqual({ layersPacked: 1, layersRemembered: 0 });
    const again = new BlobStore(dir);
    expect(await buildLayer(again, [...entries].reverse(), { mtime: commit })).toEqual(first);
    expect(again.stats).toEqual({ layersPacked: 0, layersRemembered: 1 });
    await buildLayer(again, entries, { mtime: new Date('2027-01-01T00:00:00Z') });
    expect(again.stats.layersPacked).toBe(1);
  });

  it('tars again when the remembered blob has gone from the store', async () => {
    const first = await buildLayer(store, entries, { mtime: commit });
    await rm(store.path(first.descriptor.digest), { force: true });
    expect(await buildLayer(store, entries, { mtime: commit })).toEqual(first);
    expect(store.stats.layersPacked).toBe(2);
    expect(store.has(first.descriptor.digest)).toBe(true);
  });

  it('compresses at the level asked, the same tar inside, and remembers each level apart', async () => {
    const big: ImageEntry[] = [{ type: 'file', path: 'data', content: Buffer.from('microbox '.repeat(50_000)) }];
    const fast = await buildLayer(store, big, { mtime: commit });
    const small = await buildLayer(store, big, { mtime: commit, gzipLevel: 9 });
    expect(small.diffId).toBe(fast.diffId);
    expect(small.descriptor.digest).not.toBe(fast.descriptor.digest);
    expect(small.descriptor.size).toBeLessThanOrEqual(fast.descriptor.size);
    expect((await buildLayer(store, big, { mtime: commit, gzipLevel: 9 })).descriptor.digest).toBe(small.descriptor.digest);
  });

  it('refuses an invalid time, naming it', async () => {
    await expect(buildLayer(store, entries, { mtime: new Date('nope') })).rejects.toThrow('layer mtime "Invalid Date" is not a valid date');
  });
});
