import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addArtifactToLayout, EMPTY_DESCRIPTOR, layoutReferrers } from './artifact';
import { digestHex, sha256Digest } from './descriptor';
import { readLayout } from './layout';
import { REF_NAME_ANNOTATION } from './media-types';
import { writeRandomImage } from './publish/testing/tiny-layout';

const SBOM = 'application/vnd.cyclonedx+json';
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'artifact-spec-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const blob = (digest: string) => readFileSync(join(dir, 'blobs', 'sha256', digestHex(digest)), 'utf8');

describe('addArtifactToLayout', () => {
  it('writes an OCI 1.1 artifact manifest: artifactType, the empty config, one blob, the image as subject; listed in index.json without a ref.name', async () => {
    const { manifest } = writeRandomImage(dir, { tag: 'greeter:latest' });
    const descriptor = await addArtifactToLayout(dir, manifest, { artifactType: SBOM, mediaType: SBOM, data: '{"sbom":1}', annotations: { 'org.opencontainers.image.created': '2000-01-01T00:00:00Z' } });
    expect(JSON.parse(blob(descriptor.digest))).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: SBOM,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest('{}'), size: 2 },
      layers: [{ mediaType: SBOM, digest: sha256Digest('{"sbom":1}'), size: 10 }],
      subject: { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size },
      annotations: { 'org.opencontainers.image.created': '2000-01-01T00:00:00Z' },
    });
    expect(blob(EMPTY_DESCRIPTOR.digest)).toBe('{}');
    expect(blob(sha256Digest('{"sbom":1}'))).toBe('{"sbom":1}');
    const index = (await readLayout(dir)).index;
    expect(index.manifests).toHaveLength(2);
    expect(index.manifests[1]).toEqual({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: descriptor.digest, size: descriptor.size, artifactType: SBOM });
    expect(index.manifests[1]!.annotations?.[REF_NAME_ANNOTATION]).toBeUndefined();
    expect((await readLayout(dir)).find('greeter:latest')?.digest).toBe(manifest.digest);
  });

  it('replaces the artifact of the same type for the same image, and keeps one per image', async () => {
    const { manifest } = writeRandomImage(dir);
    await addArtifactToLayout(dir, manifest, { artifactType: SBOM, mediaType: SBOM, data: 'old' });
    const latest = await addArtifactToLayout(dir, manifest, { artifactType: SBOM, mediaType: SBOM, data: 'new' });
    const found = await layoutReferrers(dir, manifest.digest);
    expect(found.map((f) => f.descriptor.digest)).toEqual([latest.digest]);
    expect(found[0]!.manifest.layers[0]!.digest).toBe(sha256Digest('new'));
    expect(await layoutReferrers(dir, sha256Digest('another image'))).toEqual([]);
  });
});
