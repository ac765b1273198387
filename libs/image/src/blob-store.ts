import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { digestHex } from './descriptor';
import type { Layer } from './layer';

/**
 * A content-addressed store of blobs (layers, configs, manifests, indexes),
 * shared by every clone on the machine: blobs/sha256/<hex>, each written once
 * through a temp file and a rename, so concurrent writers never see half a
 * blob. Blobs are read-only, since layouts hard-link them.
 *
 * It also remembers finished layers by a key of their entries, so a layer made
 * of the same files is never tarred or compressed again.
 */
export class BlobStore {
  /** How many layers were tarred and gzipped, and how many came from the memo: for logs and tests. */
  readonly stats = { layersPacked: 0, layersRemembered: 0 };

  constructor(readonly dir: string) {}

  /** MICROBOX_BLOB_STORE, else ${XDG_CACHE_HOME:-~/.cache}/microbox/blobs: beside the tool cache. */
  static forEnv(env: NodeJS.ProcessEnv = process.env): BlobStore {
    if (env.MICROBOX_BLOB_STORE) return new BlobStore(env.MICROBOX_BLOB_STORE);
    return new BlobStore(join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'microbox', 'blobs'));
  }

  path(digest: string): string {
    return join(this.dir, 'sha256', digestHex(digest));
  }

  has(digest: string): boolean {
    return existsSync(this.path(digest));
  }

  async put(data: Buffer | string): Promise<{ digest: string; size: number }> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (!this.has(digest)) await this.writeAtomic(this.path(digest), bytes, 0o444);
    return { digest, size: bytes.length };
  }

  async get(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new Error(`blob ${digest} is not in the blob store at ${this.dir}: build the image again to write it`);
    }
  }

  /** A layer finished earlier from entries with this key, if its blob is still here. */
  async rememberedLayer(key: string): Promise<Layer | undefined> {
    let layer: Layer;
    try {
      layer = JSON.parse(await readFile(this.memoPath(key), 'utf8')) as Layer;
    } catch {
      return undefined;
    }
    return this.has(layer.descriptor.digest) ? layer : undefined;
  }

  async rememberLayer(key: string, layer: Layer): Promise<void> {
    await this.writeAtomic(this.memoPath(key), Buffer.from(JSON.stringify(layer)), 0o644);
    await this.rememberLayerInfo(layer.descriptor.digest, { diffId: layer.diffId, uncompressedSize: layer.uncompressedSize });
  }

  /** The diff id and uncompressed size of a layer blob this store has built or measured. */
  async layerInfo(digest: string): Promise<{ diffId: string; uncompressedSize: number } | undefined> {
    try {
      return JSON.parse(await readFile(this.layerInfoPath(digest), 'utf8')) as { diffId: string; uncompressedSize: number };
    } catch {
      return undefined;
    }
  }

  async rememberLayerInfo(digest: string, info: { diffId: string; uncompressedSize: number }): Promise<void> {
    await this.writeAtomic(this.layerInfoPath(digest), Buffer.from(JSON.stringify(info)), 0o644);
  }

  private memoPath(key: string): string {
    return join(this.dir, 'layers', key);
  }

  private layerInfoPath(digest: string): string {
    return join(this.dir, 'layer-info', digestHex(digest));
  }

  private async writeAtomic(file: string, bytes: Buffer, mode: number): Promise<void> {
    const tmpDir = join(this.dir, 'tmp');
    const tmp = join(tmpDir, `${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(tmpDir, { recursive: true });
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(tmp, bytes, { mode });
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw new Error(`cannot write to the blob store at ${this.dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): free space there or set MICROBOX_BLOB_STORE to a writable folder`);
    }
  }
}
