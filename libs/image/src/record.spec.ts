import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BuildRecord, formatMB, normalisePlatform, readRecord, recordedBlobs, recordForPlatform, recordOf, taggedDescriptor, writeRecord } from './record';

const record: BuildRecord = {
  manifest: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 1200 },
  id: `sha256:${'c'.repeat(64)}`,
  tags: ['microbox-test/x:1'],
  layout: 'dist/images/x',
  size: 18_445_358,
  gzipSize: 7_541_584,
  parts: [{ name: 'busybox', bytes: 908_800, gzipBytes: 470_243, digest: `sha256:${'b'.repeat(64)}` }],
  blobs: [`sha256:${'a'.repeat(64)}`, `sha256:${'c'.repeat(64)}`, `sha256:${'b'.repeat(64)}`],
  meta: { 'deb:busybox': '1:1.35.0-4+deb12u1+b1' },
};

describe('build record', () => {
  let dir: string;
  beforeEach(async () => void (dir = await mkdtemp(join(tmpdir(), 'record-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads back what it wrote, creating the folder', async () => {
    const path = join(dir, 'dist', 'images', 'x.json');
    await writeRecord(path, record);
    expect(await readRecord(path)).toEqual(record);
    expect((await readFile(path, 'utf8')).endsWith('}\n')).toBe(true);
  });

  it('leaves the old record whole and no partial file when the write fails', async () => {
    const path = join(dir, 'x.json');
    await writeRecord(path, record);
    await mkdir(`${path}.partial`);
    await expect(writeRecord(path, { ...record, tags: ['other:1'] })).rejects.toThrow(`cannot write the build record ${path} (EISDIR)`);
    expect(await readRecord(path)).toEqual(record);
  });

  it('reads a missing or broken record as none, so the image is simply built', async () => {
    expect(await readRecord(join(dir, 'none.json'))).toBeUndefined();
    await writeFile(join(dir, 'bad.json'), '{"id":');
    expect(await readRecord(join(dir, 'bad.json'))).toBeUndefined();
    await writeFile(join(dir, 'other.json'), '{"id":"x"}');
    expect(await readRecord(join(dir, 'other.json'))).toBeUndefined();
  });

  it('reads a record with variants and one without, and gives a variant as a record of its own', async () => {
    const slim = { manifest: { ...record.manifest, digest: 'sha256:slim' }, id: 'sha256:slimconfig', tags: ['base:slim'], size: 1, gzipSize: 1, parts: [], blobs: ['sha256:slim'] };
    const path = join(dir, 'v.json');
    await writeRecord(path, { ...record, variants: { slim } });
    const read = (await readRecord(path))!;
    expect(recordOf(read, 'slim')).toEqual({ ...record, ...slim });
    expect(recordOf(read)).toBe(read);
    await writeRecord(path, record);
    const old = (await readRecord(path))!;
    expect(() => recordOf(old, 'slim')).toThrow('has no "slim" variant in its record: build it again');
  });

  it('formats sizes in decimal megabytes, as the goals are stated', () => {
    expect(formatMB(19_600_000)).toBe('19.60 MB');
  });
});

describe('multi-platform records', () => {
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  const image = (c: string, architecture: string, variant?: string) => ({
    manifest: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest(c), size: 1, platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) } },
    id: digest(c === 'a' ? 'b' : 'c'),
    size: 10,
    gzipSize: 5,
    parts: [],
    blobs: [digest(c)],
  });
  const record: BuildRecord = {
    ...image('a', 'amd64'),
    tags: ['svc:latest'],
    layout: 'dist/images/svc',
    meta: {},
    index: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: digest('e'), size: 2 },
    platforms: { 'linux/arm64/v8': image('d', 'arm64', 'v8') },
  };

  it('gives the image of the platform asked for, by any of its names, as a single-platform record', () => {
    for (const name of ['arm64', 'linux/arm64', 'linux/arm64/v8', 'linux/aarch64']) {
      const arm = recordForPlatform(record, name);
      expect(arm.manifest.digest).toBe(digest('d'));
      expect(arm.tags).toEqual(['svc:latest']);
      expect(arm.index).toBeUndefined();
      expect(arm.platforms).toBeUndefined();
    }
    expect(recordForPlatform(record, 'linux/x86_64').manifest.digest).toBe(digest('a'));
  });

  it('refuses a platform it has not, naming those it has', () => {
    expect(() => recordForPlatform(record, 'linux/s390x')).toThrow('svc:latest has no image for linux/s390x (it has linux/amd64, linux/arm64/v8)');
  });

  it('names every blob once: both images and the index', () => {
    expect(recordedBlobs(record).sort()).toEqual([digest('a'), digest('d'), digest('e')].sort());
    expect(taggedDescriptor(record).digest).toBe(digest('e'));
    expect(normalisePlatform('linux/arm/v7')).toBe('linux/arm/v7');
  });
});
