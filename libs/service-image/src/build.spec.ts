import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../image/src/blob-store';
import type { Platform } from '../../image/src/descriptor';
import { type Image, readIndex, writeImage, writeIndex } from '../../image/src/image';
import { buildLayer } from '../../image/src/layer';
import { type BuildRecord, type PlatformImage, platformImages, recordedBlobs } from '../../image/src/record';
import { buildServiceImage, servicePlatformRecords, type ServiceImageOptions } from './build';
import { resolveServiceSpec } from './resolve-spec';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const mtime = new Date('2000-01-01T00:00:00Z');

let dir: string;
let store: BlobStore;
let serviceDir: string;
/** The base on both platforms, with an index; and the same base's amd64 image alone, as a single-platform record. */
let base: BuildRecord;
let amd64Base: BuildRecord;

/** A tiny base image of one platform: a shell that says which it is. */
async function baseImage(platform: Platform): Promise<{ image: Image; recorded: PlatformImage }> {
  const layer = await buildLayer(store, [{ type: 'file', path: '/bin/sh', content: `sh for ${platform.architecture}`, mode: 0o755 }], { mtime });
  const image = await writeImage(store, { layers: [layer], config: { platform, created: mtime.toISOString() } });
  return {
    image,
    recorded: {
      manifest: image.manifest,
      id: image.config.digest,
      size: layer.uncompressedSize,
      gzipSize: layer.descriptor.size,
      parts: [{ name: 'busybox', bytes: layer.uncompressedSize, gzipBytes: layer.descriptor.size, digest: layer.descriptor.digest }],
      blobs: [image.manifest.digest, image.config.digest, layer.descriptor.digest],
    },
  };
}

const binary = (arch: string) => {
  const path = join(dir, `greeter_linux_${arch}`);
  writeFileSync(path, `ELF for ${arch}`);
  return path;
};

function options(o: Partial<ServiceImageOptions> & { binaries?: Record<string, string> }, logs: string[]): ServiceImageOptions {
  return {
    spec: resolveServiceSpec('greeter', serviceDir, binary('amd64'), { port: 8080 }),
    serviceDir,
    base,
    store,
    layoutDir: join(dir, 'layout'),
    layoutName: 'dist/images/greeter',
    origin: { revision: 'abc123', created: '2026-11-28T05:00:00Z' },
    revisionTag: 'abc123',
    log: (line) => logs.push(line),
    ...o,
  };
}

const config = (digest: string) => JSON.parse(readFileSync(store.path(digest), 'utf8')) as { architecture: string; variant?: string; config: { Labels: Record<string, string> } };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'service-image-'));
  store = new BlobStore(join(dir, 'store'));
  serviceDir = join(dir, 'greeter');
  mkdirSync(join(serviceDir, 'consul'), { recursive: true });
  writeFileSync(join(serviceDir, 'consul/greeter.json.ctmpl'), '{"greeting": "{{ key "greeter/greeting" }}"}');
  const amd64 = await baseImage(AMD64);
  const arm64 = await baseImage(ARM64);
  amd64Base = { ...amd64.recorded, tags: ['microbox/basebox:0.1.0'], layout: 'dist/images/basebox', meta: {} };
  base = { ...amd64Base, index: await writeIndex(store, [amd64.image, arm64.image]), platforms: { 'linux/arm64/v8': arm64.recorded } };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('buildServiceImage on a base of two platforms', () => {
  it('makes an image per platform and an index over them; amd64 is the record\'s own, the same image an amd64-only base gives', async () => {
    const logs: string[] = [];
    const record = await buildServiceImage(options({ binaries: { 'linux/amd64': binary('amd64'), 'linux/arm64': binary('arm64') } }, logs));

    expect(platformImages(record).map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
    const index = await readIndex(store, record.index!);
    expect(index.manifests.map((m) => [m.digest, m.platform])).toEqual([
      [record.manifest.digest, AMD64],
      [record.platforms!['linux/arm64/v8']!.manifest.digest, ARM64],
    ]);
    const arm = record.platforms!['linux/arm64/v8']!;
    expect(config(record.id)).toMatchObject({ architecture: 'amd64' });
    expect(config(arm.id)).toMatchObject({ architecture: 'arm64', variant: 'v8' });
    // Each platform is built on the base's image of it, and says so.
    expect(record.parts[0]!.digest).toBe(base.manifest.digest);
    expect(arm.parts[0]!.digest).toBe(base.platforms!['linux/arm64/v8']!.manifest.digest);
    expect(config(arm.id).config.Labels['org.opencontainers.image.base.digest']).toBe(arm.parts[0]!.digest);
    // The scripts layer is the same blob on both; the binaries differ; sizes are each platform's.
    expect(arm.parts.map((p) => p.name)).toEqual(record.parts.map((p) => p.name));
    expect(arm.parts[1]!.digest).toBe(record.parts[1]!.digest);
    expect(arm.parts[2]!.digest).not.toBe(record.parts[2]!.digest);
    expect(arm.size).toBe(arm.parts.reduce((s, p) => s + p.bytes, 0));
    expect(record.size).toBe(record.parts.reduce((s, p) => s + p.bytes, 0));

    // The layout's tags name the index; it holds the service's blobs, none of the base's.
    const layoutIndex = JSON.parse(readFileSync(join(dir, 'layout/index.json'), 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    expect(layoutIndex.manifests.map((m) => [m.digest, m.annotations['org.opencontainers.image.ref.name']])).toEqual([
      [record.index!.digest, 'greeter:latest'],
      [record.index!.digest, 'greeter:abc123'],
    ]);
    const blobs = readdirSync(join(dir, 'layout/blobs/sha256')).map((h) => `sha256:${h}`);
    expect(blobs.sort()).toEqual(recordedBlobs(record).filter((d) => !recordedBlobs(base).includes(d)).sort());
    expect(logs.map((l) => l.replace(/ in [\d.]+s;/, ' in Xs;').replace(/[\d.]+ MB/g, 'N MB'))).toEqual([
      `greeter: ${record.manifest.digest} in Xs; linux/amd64, N MB, own layers N MB (N MB gzipped)`,
      `greeter: ${arm.manifest.digest}; linux/arm64/v8, N MB, own layers N MB (N MB gzipped)`,
      `greeter: index ${record.index!.digest} over linux/amd64, linux/arm64/v8: what the tags name`,
    ]);

    // linux/amd64 alone, on the amd64-only base: the very same image.
    const alone = await buildServiceImage(options({ base: amd64Base, layoutDir: join(dir, 'alone') }, []));
    expect(alone.manifest.digest).toBe(record.manifest.digest);
    expect(alone.index).toBeUndefined();
    expect(alone.platforms).toBeUndefined();
  });

  it('gives the same index digest from the same inputs, and another when one platform\'s binary changes', async () => {
    const both = () => ({ 'linux/arm64': binary('arm64') });
    const first = await buildServiceImage(options({ layoutDir: join(dir, 'again-1'), binaries: both() }, []));
    const second = await buildServiceImage(options({ layoutDir: join(dir, 'again-2'), binaries: both() }, []));
    expect(second.index!.digest).toBe(first.index!.digest);
    writeFileSync(join(dir, 'greeter_linux_arm64_v2'), 'ELF for arm64, changed');
    const changed = await buildServiceImage(options({ layoutDir: join(dir, 'again-3'), binaries: { 'linux/arm64': join(dir, 'greeter_linux_arm64_v2') } }, []));
    expect(changed.index!.digest).not.toBe(first.index!.digest);
    expect(changed.manifest.digest).toBe(first.manifest.digest);
  });

  it('leaves out a platform go-build made no binary for, in one line, and makes no index for amd64 alone', async () => {
    const logs: string[] = [];
    const record = await buildServiceImage(options({ layoutDir: join(dir, 'amd64-only') }, logs));
    expect(platformImages(record).map((p) => p.platform)).toEqual(['linux/amd64']);
    expect(record.index).toBeUndefined();
    expect(logs.filter((l) => l.includes('linux/arm64'))).toEqual([
      "greeter: no linux/arm64/v8 image: go-build made no binary for it (add linux/arm64 to go-build's platforms)",
    ]);
    const layoutIndex = JSON.parse(readFileSync(join(dir, 'amd64-only/index.json'), 'utf8')) as { manifests: { digest: string }[] };
    expect(layoutIndex.manifests.map((m) => m.digest)).toEqual([record.manifest.digest, record.manifest.digest]);
  });

  it('leaves out a binary for a platform the base has not, in one line', async () => {
    const logs: string[] = [];
    const record = await buildServiceImage(options({ layoutDir: join(dir, 'riscv'), binaries: { 'linux/arm64': binary('arm64'), 'linux/riscv64': binary('riscv64') } }, logs));
    expect(platformImages(record).map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(logs).toContain('greeter: the linux/riscv64 binary left out: its base microbox/basebox:0.1.0 has no image for it');
  });

  it('says which binary is missing and that go-build makes it', async () => {
    await expect(buildServiceImage(options({ layoutDir: join(dir, 'missing'), binaries: { 'linux/arm64': join(dir, 'nowhere') } }, []))).rejects.toThrow(
      `the binary of greeter is missing at ${join(dir, 'nowhere')}: run \`nx run greeter:go-build\` first`,
    );
  });

  it("gives each platform's image as a record of its own, with the base it was built on", async () => {
    const record = await buildServiceImage(options({ layoutDir: join(dir, 'split'), binaries: { 'linux/arm64': binary('arm64') } }, []));
    const split = servicePlatformRecords(record);
    expect(split.map((s) => [s.platform, s.record.manifest.digest, s.record.meta.baseDigest, s.record.index, s.record.tags])).toEqual([
      ['linux/amd64', record.manifest.digest, base.manifest.digest, undefined, record.tags],
      ['linux/arm64/v8', record.platforms!['linux/arm64/v8']!.manifest.digest, base.platforms!['linux/arm64/v8']!.manifest.digest, undefined, record.tags],
    ]);
  });
});
