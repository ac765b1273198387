import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBasebox } from '../../basebox/src/build';
import { lockedFor, readLock } from '../../basebox/src/lock';
import { SLIM } from '../../basebox/src/slim';
import { consulTemplatePaths, LOCK_FILE } from '../../basebox/e2e/helpers';
import { layoutReferrers } from '../../image/src/artifact';
import { BlobStore } from '../../image/src/blob-store';
import { digestHex } from '../../image/src/descriptor';
import { type BuildRecord, platformImages, recordOf } from '../../image/src/record';
import { SBOM_MEDIA_TYPE, validateSbom } from '../src/cyclonedx';
import { writeBaseboxSboms } from '../src/image-sbom';
import type { Sbom } from './sbom-json';

// The base's SBOMs as its layout target writes them: one per image manifest
// (amd64 and arm64, full and slim), each in the layout as an artifact whose
// subject is its platform's manifest; the full image's beside the record,
// amd64's under the record's name and arm64's under its platform's.

let work: string;
let record: BuildRecord;
let written: Awaited<ReturnType<typeof writeBaseboxSboms>>;
const layoutDir = () => join(work, 'basebox');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'basebox-sbom-e2e-'));
  const consulTemplate = await consulTemplatePaths();
  record = await buildBasebox({ consulTemplate, lockFile: LOCK_FILE, store: BlobStore.forEnv(), layoutDir: layoutDir(), layoutName: 'basebox', log: () => {} });
  written = await writeBaseboxSboms({ record, layoutDir: layoutDir(), recordFile: join(work, 'basebox.json'), lockFile: LOCK_FILE, consulTemplate });
}, 180_000);

afterAll(() => rm(work, { recursive: true, force: true }));

/** The SBOM the layout holds for a manifest: exactly one. */
async function sbomInLayout(manifestDigest: string): Promise<Sbom> {
  const found = (await layoutReferrers(layoutDir(), manifestDigest)).filter((r) => r.descriptor.artifactType === SBOM_MEDIA_TYPE);
  expect(found).toHaveLength(1);
  return JSON.parse(readFileSync(join(layoutDir(), 'blobs', 'sha256', digestHex(found[0]!.manifest.layers[0]!.digest)), 'utf8')) as Sbom;
}

describe("the base's SBOMs, one per platform", () => {
  it('are written beside the record, amd64 under its name and arm64 under its platform, both valid CycloneDX 1.6', async () => {
    expect(written.files).toEqual([join(work, 'basebox.cdx.json'), join(work, 'basebox.linux-arm64-v8.cdx.json')]);
    for (const file of written.files) await validateSbom(readFileSync(file, 'utf8'), file);
  });

  it("name each platform's image and that architecture's Debian packages, with the lock's sha256", async () => {
    const lock = await readLock(LOCK_FILE);
    for (const [i, { platform, image }] of platformImages(record).entries()) {
      const architecture = image.manifest.platform!.architecture;
      const sbom = JSON.parse(readFileSync(written.files[i]!, 'utf8')) as Sbom;
      expect(sbom.metadata.component.purl).toBe(`pkg:oci/basebox@${image.manifest.digest}?arch=${architecture}`);
      expect(sbom.metadata.component.properties).toContainEqual({ name: 'microbox:platform', value: platform });
      const debs = sbom.components.filter((c) => c.purl?.startsWith('pkg:deb/'));
      const pinned = lockedFor(lock, architecture, LOCK_FILE);
      expect(debs.map((c) => c.name).sort()).toEqual(pinned.map((p) => p.name).sort());
      for (const pkg of pinned) {
        const component = debs.find((c) => c.name === pkg.name)!;
        expect(component.purl).toMatch(new RegExp(`\\?arch=${pkg.name === 'ca-certificates' ? 'all' : architecture}$`));
        expect(component.hashes).toEqual([{ alg: 'SHA-256', content: pkg.sha256 }]);
      }
      expect(sbom.components.some((c) => c.name === 'consul-template')).toBe(true);
    }
  });

  it("are attached in the layout to each platform's manifest, the slim ones without consul-template", async () => {
    for (const { image } of platformImages(record)) {
      expect((await sbomInLayout(image.manifest.digest)).metadata.component.hashes).toEqual([{ alg: 'SHA-256', content: digestHex(image.manifest.digest) }]);
    }
    const slim = platformImages(recordOf(record, SLIM));
    expect(slim.map((s) => s.platform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
    for (const { image } of slim) {
      const sbom = await sbomInLayout(image.manifest.digest);
      expect(sbom.components.some((c) => c.name === 'consul-template')).toBe(false);
      expect(sbom.components.find((c) => c.name === 'busybox')?.purl).toContain(`arch=${image.manifest.platform!.architecture}`);
    }
  });
});
