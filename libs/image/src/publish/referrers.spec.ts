import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addArtifactToLayout } from '../artifact';
import { digestHex, sha256Digest } from '../descriptor';
import { pushLayout, type PushLayoutOptions } from './push-layout';
import { referrerTag } from './referrers';
import { startFakeRegistry, type FakeRegistry } from './testing/fake-registry';
import { writeRandomImage } from './testing/tiny-layout';

const SBOM = 'application/vnd.cyclonedx+json';
let dir: string;
let registry: FakeRegistry;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'referrers-spec-'));
  registry = await startFakeRegistry();
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await registry.close();
});

const options = (): PushLayoutOptions => ({
  layoutDir: dir,
  tags: ['latest'],
  registry: { host: registry.host, namespace: [] },
  repository: 'greeter',
  credentials: 'anonymous',
  retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
});

describe('referrerTag', () => {
  it('is sha256-<hex>.sbom for an SBOM, .att for another kind', () => {
    expect(referrerTag(`sha256:${'a'.repeat(64)}`, SBOM)).toBe(`sha256-${'a'.repeat(64)}.sbom`);
    expect(referrerTag(`sha256:${'b'.repeat(64)}`, 'application/vnd.example+json')).toBe(`sha256-${'b'.repeat(64)}.att`);
  });
});

describe('pushLayout with an SBOM in the layout', () => {
  it('puts the SBOM under sha256-<hex>.sbom where the registry has no referrers API, after the image', async () => {
    const { manifest } = writeRandomImage(dir);
    const artifact = await addArtifactToLayout(dir, manifest, { artifactType: SBOM, mediaType: SBOM, data: '{"bomFormat":"CycloneDX"}' });
    const pushed = await pushLayout(options());
    const tag = referrerTag(manifest.digest, SBOM);
    expect(pushed.referrers).toEqual([{ subject: manifest.digest, artifactType: SBOM, digest: artifact.digest, via: `tag ${tag}` }]);
    const stored = JSON.parse(registry.manifests.get(`greeter:${tag}`)!.body.toString()) as { subject: { digest: string }; artifactType: string };
    expect(stored.subject.digest).toBe(manifest.digest);
    expect(stored.artifactType).toBe(SBOM);
    const order = registry.log.filter((l) => l.startsWith('PUT /v2/greeter/manifests/'));
    expect(order).toEqual(['PUT /v2/greeter/manifests/latest', `PUT /v2/greeter/manifests/${tag}`]);
  });

  it('puts it by digest where GET /v2/<name>/referrers/<digest> answers with an index, and tags nothing more', async () => {
    const { manifest } = writeRandomImage(dir);
    const artifact = await addArtifactToLayout(dir, manifest, { artifactType: SBOM, mediaType: SBOM, data: '{"bomFormat":"CycloneDX"}' });
    registry.intercept = (req, res) => {
      if (!req.url!.startsWith('/v2/greeter/referrers/')) return false;
      res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.index.v1+json' }).end('{"schemaVersion":2,"manifests":[]}');
      return true;
    };
    const pushed = await pushLayout(options());
    expect(pushed.referrers.map((r) => r.via)).toEqual(['referrers API']);
    expect(registry.manifests.has(`greeter:${artifact.digest}`)).toBe(true);
    expect([...registry.manifests.keys()].some((k) => k.endsWith('.sbom'))).toBe(false);
  });

  it('refuses before any request when the SBOM blob is missing from the layout', async () => {
    const { manifest } = writeRandomImage(dir);
    await addArtifactToLayout(dir, manifest, { artifactType: SBOM, mediaType: SBOM, data: 'sbom' });
    rmSync(join(dir, 'blobs', 'sha256', digestHex(sha256Digest('sbom'))));
    await expect(pushLayout(options())).rejects.toThrow(/blob sha256:[a-f0-9]{64} \(application\/vnd\.cyclonedx\+json, of the application\/vnd\.cyclonedx\+json artifact of sha256:.*is missing from the layout/);
    expect(registry.log).toEqual([]);
  });
});
