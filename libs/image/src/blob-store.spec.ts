import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store';

let dir: string;
beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'microbox-blobs-'))));
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('BlobStore', () => {
  it('lives where MICROBOX_BLOB_STORE says, else in the XDG cache, else in ~/.cache', () => {
    expect(BlobStore.forEnv({ MICROBOX_BLOB_STORE: '/x/blobs', XDG_CACHE_HOME: '/c' }).dir).toBe('/x/blobs');
    expect(BlobStore.forEnv({ XDG_CACHE_HOME: '/c' }).dir).toBe('/c/microbox/blobs');
    expect(BlobStore.forEnv({ HOME: '/h' }).dir).toMatch(/\/\.cache\/microbox\/blobs$/);
  });

  it('stores blobs by sha256, read-only, once, and leaves no temp file', async () => {
    const store = new BlobStore(dir);
    const a = await store.put('hello');
    expect(a).toEqual({ digest: 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824', size: 5 });
    expect(store.path(a.digest)).toBe(join(dir, 'sha256', a.digest.slice(7)));
    expect(store.has(a.digest)).toBe(true);
    expect((await stat(store.path(a.digest))).mode & 0o777).toBe(0o444);
    expect(await store.put(Buffer.from('hello'))).toEqual(a);
    expect((await store.get(a.digest)).toString()).toBe('hello');
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('says which digest is missing, and refuses what is not a digest', async () => {
    const store = new BlobStore(dir);
    const missing = `sha256:${'0'.repeat(64)}`;
    await expect(store.get(missing)).rejects.toThrow(`blob ${missing} is not in the blob store at ${dir}`);
    expect(() => store.path('sha256:../../etc/passwd')).toThrow('"sha256:../../etc/passwd" is not a sha256 digest');
  });

  it('says in one line when it cannot write, naming its folder', async () => {
    await writeFile(join(dir, 'file'), '');
    const store = new BlobStore(join(dir, 'file', 'blobs'));
    await expect(store.put('x')).rejects.toThrow(`cannot write to the blob store at ${join(dir, 'file', 'blobs')} (ENOTDIR): free space there or set MICROBOX_BLOB_STORE`);
  });
});
