import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatPushSummary, formatSize, pushLayout, type PushLayoutOptions } from './push-layout';
import { MEDIA_TYPES } from '../media-types';
import { startFakeRegistry, type FakeRegistry } from './testing/fake-registry';
import { writeBlob, writeIndex, writeLayoutIndex, writeManifest, writeRandomImage } from './testing/tiny-layout';

let dir: string;
let registry: FakeRegistry;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'push-layout-spec-'));
  registry = await startFakeRegistry();
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await registry.close();
});

const options = (extra: Partial<PushLayoutOptions> = {}): PushLayoutOptions => ({
  layoutDir: dir,
  tags: ['latest'],
  registry: { host: registry.host, namespace: ['team'] },
  repository: 'greeter',
  credentials: 'anonymous',
  retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 5 },
  ...extra,
});

describe('pushLayout', () => {
  it('uploads every blob, then tags; a second push uploads nothing; another repository mounts', async () => {
    const { manifest } = writeRandomImage(dir, { layers: 3 });
    const lines: string[] = [];
    const first = await pushLayout(options({ onProgress: (l) => lines.push(l) }));
    expect(first).toEqual({
      digest: manifest.digest,
      references: [`${registry.host}/team/greeter:latest`],
      manifests: [{ reference: `${registry.host}/team/greeter:latest`, digest: manifest.digest }],
      blobs: { total: 4, uploaded: 4, existing: 0, mounted: 0 },
      referrers: [],
    });
    expect(lines.filter((l) => / uploaded$/.test(l))).toHaveLength(4);
    expect(lines[0]).toMatch(/^sha256:[a-f0-9]{12} 2\.0 kB uploaded$|^sha256:[a-f0-9]{12} \d+ B uploaded$/);
    expect(lines.at(-1)).toBe(`${registry.host}/team/greeter:latest ${manifest.digest}`);
    expect((await pushLayout(options())).blobs).toEqual({ total: 4, uploaded: 0, existing: 4, mounted: 0 });
    const mounted = await pushLayout(options({ repository: 'gateway', mountFrom: ['greeter'] }));
    expect(mounted.blobs).toEqual({ total: 4, uploaded: 0, existing: 0, mounted: 4 });
    expect(registry.log.some((l) => l.includes('/v2/team/gateway/blobs/uploads/?mount=') && l.includes('from=team%2Fgreeter'))).toBe(true);
  });

  it('sends a blob shared by several tags and an index once, child manifests before the index and tags', async () => {
    const shared = writeBlob(dir, randomBytes(100), 'application/vnd.oci.image.layer.v1.tar+gzip');
    const config = writeBlob(dir, Buffer.from('{"os":"linux"}'), 'application/vnd.oci.image.config.v1+json');
    const amd = writeManifest(dir, config, [shared]);
    const arm = writeManifest(dir, config, [shared, writeBlob(dir, randomBytes(50), 'application/vnd.oci.image.layer.v1.tar+gzip')]);
    const index = writeIndex(dir, [amd, arm]);
    writeLayoutIndex(dir, { latest: index, 'greeter:1.0': index, amd });
    const result = await pushLayout(options({ tags: ['latest', 'greeter:1.0', 'amd'], concurrency: 2 }));
    expect(result.blobs).toEqual({ total: 3, uploaded: 3, existing: 0, mounted: 0 });
    expect(result.references).toEqual([`${registry.host}/team/greeter:latest`, `${registry.host}/team/greeter:1.0`, `${registry.host}/team/greeter:amd`]);
    expect(result.digest).toBe(index.digest);
    expect(registry.log.filter((l) => l.startsWith('PUT /v2/team/greeter/blobs/'))).toHaveLength(3);
    const manifestPuts = registry.log.filter((l) => l.startsWith('PUT /v2/team/greeter/manifests/'));
    expect(manifestPuts).toEqual([
      `PUT /v2/team/greeter/manifests/${amd.digest}`,
      `PUT /v2/team/greeter/manifests/${arm.digest}`,
      'PUT /v2/team/greeter/manifests/latest',
      'PUT /v2/team/greeter/manifests/1.0',
      'PUT /v2/team/greeter/manifests/amd',
    ]);
    expect(registry.manifests.get('team/greeter:latest')?.mediaType).toBe(MEDIA_TYPES.index);
  });

  it('names a blob missing from the layout, and a tag it lacks, before any request', async () => {
    const { layers } = writeRandomImage(dir, { layers: 2 });
    await expect(pushLayout(options({ tags: ['v2'] }))).rejects.toThrow(`${join(dir, 'index.json')} has no image named "v2" (org.opencontainers.image.ref.name): it has "latest"; build the image with that tag`);
    const layerBytes = readFileSync(join(dir, 'blobs', 'sha256', layers[1]!.digest.slice(7)));
    unlinkSync(join(dir, 'blobs', 'sha256', layers[1]!.digest.slice(7)));
    await expect(pushLayout(options())).rejects.toThrow(`blob ${layers[1]!.digest} (application/vnd.oci.image.layer.v1.tar+gzip, of the image in team/greeter) is missing from the layout`);
    const store = mkdtempSync(join(tmpdir(), 'push-layout-store-'));
    try {
      await expect(pushLayout(options({ blobStores: [store] }))).rejects.toThrow(`is missing from the layout: no ${join(dir, 'blobs', 'sha256', layers[1]!.digest.slice(7))} nor in ${store}`);
      mkdirSync(join(store, 'sha256'));
      writeFileSync(join(store, 'sha256', layers[1]!.digest.slice(7)), layerBytes);
      expect(registry.log).toEqual([]);
      expect((await pushLayout(options({ blobStores: [store] }))).blobs.uploaded).toBe(3);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
    await expect(pushLayout(options({ layoutDir: join(dir, 'nope') }))).rejects.toThrow(`${join(dir, 'nope')} is not an OCI image layout`);
  });

  it('refuses a bad tag or repository by name', async () => {
    writeRandomImage(dir, { tag: 'Bad Tag!' });
    await expect(pushLayout(options({ tags: ['Bad Tag!'] }))).rejects.toThrow('ref.name "Bad Tag!" is neither a tag nor a reference');
    await expect(pushLayout(options({ repository: 'Greeter' }))).rejects.toThrow('"Greeter" is not a valid repository name part');
    expect(registry.log).toEqual([]);
  });

  it('moves no tag when a blob fails', async () => {
    writeRandomImage(dir, { layers: 4 });
    registry.intercept = (req, res) => {
      if (req.method !== 'PUT' || !req.url!.includes('/blobs/') || registry.blobs.get('team/greeter')?.size !== 2) return false;
      res.writeHead(400).end(JSON.stringify({ errors: [{ code: 'BLOB_UPLOAD_INVALID', message: 'blob upload invalid' }] }));
      return true;
    };
    await expect(pushLayout(options({ concurrency: 1 }))).rejects.toThrow(/refused the upload of blob sha256:[a-f0-9]{64} to team\/greeter: HTTP 400 BLOB_UPLOAD_INVALID blob upload invalid/);
    expect(registry.log.filter((l) => l.includes('/manifests/'))).toEqual([]);
    // Started no more blobs after the failure.
    expect(registry.log.filter((l) => l.startsWith('PUT'))).toHaveLength(3);
  });
});

describe('formatPushSummary and formatSize', () => {
  it('says what the executor prints', () => {
    expect(formatPushSummary({ total: 9, uploaded: 2, existing: 6, mounted: 1 })).toBe('2 of 9 blobs uploaded, 6 already there, 1 mounted');
    expect([formatSize(96), formatSize(2048), formatSize(18_450_000)]).toEqual(['96 B', '2.0 kB', '18.4 MB']);
  });
});
