import { describe, expect, it } from 'vitest';
import type { ImageContents, SbomSubject } from './contents';
import { makeSbom, validateSbom } from './cyclonedx';
import { contentsOfSbom } from './inherit';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const subject: SbomSubject = {
  repository: 'greeter',
  tags: ['greeter:latest', 'greeter:6fc48c7ff67a'],
  manifestDigest: DIGEST,
  platform: { os: 'linux', architecture: 'amd64' },
  created: '2026-11-29T20:41:16+00:00',
};
const api = { path: 'github.com/hashicorp/consul/api', version: 'v1.32.1', sum: 'h1:api=' };
const contents: ImageContents = {
  debian: [
    { name: 'busybox', version: '1:1.35.0-4+deb12u1+b1', architecture: 'amd64', sha256: 'a'.repeat(64), licenses: [] },
    { name: 'ca-certificates', version: '20250419~deb12u2', architecture: 'all', sha256: 'b'.repeat(64), licenses: ['GPL-2+', 'MPL-2.0', 'GPL-2+ or Artistic'] },
  ],
  go: [
    {
      file: '/usr/bin/consul-template',
      buildInfo: {
        goVersion: 'go1.26.8',
        path: 'github.com/hashicorp/consul-template',
        main: { path: 'github.com/hashicorp/consul-template', version: 'v0.42.1' },
        deps: [api, { path: 'github.com/old/x', version: 'v1.0.0', sum: 'h1:old=', replacedBy: { path: 'github.com/fork/x', version: 'v1.0.1', sum: 'h1:fork=' } }],
        settings: [['CGO_ENABLED', '0'], ['GOARCH', 'amd64']],
      },
    },
    {
      file: '/usr/local/bin/greeter',
      version: '6fc48c7ff67a',
      buildInfo: {
        goVersion: 'go1.26.8',
        path: 'github.com/microbox/workspace/apps/greeter',
        main: { path: 'github.com/microbox/workspace', version: '(devel)' },
        deps: [api, { path: 'example.com/lib', version: 'v0.0.0', replacedBy: { path: '../lib', version: '(devel)' } }],
        settings: [['-trimpath', 'true']],
      },
    },
  ],
};

interface Sbom {
  serialNumber: string;
  metadata: { timestamp: string; component: { type: string; name: string; version: string; purl: string; hashes: { alg: string; content: string }[]; properties: { name: string; value: string }[] } };
  components: { name: string; version?: string; purl: string; type: string; licenses?: { license: { id?: string; name?: string } }[]; properties?: { name: string; value: string }[] }[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

describe('makeSbom', () => {
  const text = makeSbom(subject, contents);
  const sbom = JSON.parse(text) as Sbom;
  const component = (purl: string) => sbom.components.find((c) => c.purl === purl);

  it('validates against the CycloneDX 1.6 JSON schema with the library’s validator', async () => {
    await expect(validateSbom(text, 'greeter’s SBOM')).resolves.toBeUndefined();
  });

  it('names the image in the metadata: its manifest digest as hash and purl, its platform, its tags and time', () => {
    const image = sbom.metadata.component;
    expect(image).toMatchObject({ type: 'container', name: 'greeter', version: '6fc48c7ff67a', purl: `pkg:oci/greeter@${DIGEST}?arch=amd64` });
    expect(image.hashes).toEqual([{ alg: 'SHA-256', content: 'd'.repeat(64) }]);
    expect(image.properties).toContainEqual({ name: 'microbox:platform', value: 'linux/amd64' });
    expect(image.properties.filter((p) => p.name === 'microbox:tag').map((p) => p.value).sort()).toEqual(['greeter:6fc48c7ff67a', 'greeter:latest']);
    expect(sbom.metadata.timestamp).toBe('2026-11-29T20:41:16.000Z');
  });

  it('names Debian packages with version, architecture, sha256 and licenses (SPDX where DEP-5 maps, else the name)', () => {
    const ca = component('pkg:deb/debian/ca-certificates@20250419~deb12u2?arch=all')!;
    expect(ca.licenses).toHaveLength(3);
    expect(ca.licenses).toEqual(expect.arrayContaining([{ license: { id: 'GPL-2.0-or-later' } }, { license: { id: 'MPL-2.0' } }, { license: { name: 'GPL-2+ or Artistic' } }]));
    expect(component('pkg:deb/debian/busybox@1:1.35.0-4+deb12u1+b1?arch=amd64')?.licenses).toBeUndefined();
  });

  it('names each Go binary with its Go version and modules; a module two binaries use is one component both depend on', () => {
    expect(component('pkg:golang/github.com/hashicorp/consul-template@v0.42.1')?.properties).toContainEqual({ name: 'microbox:go:version', value: 'go1.26.8' });
    expect(component('pkg:golang/github.com/microbox/workspace@6fc48c7ff67a#apps/greeter')).toMatchObject({ type: 'application', name: 'greeter', version: '6fc48c7ff67a' });
    expect(sbom.components.filter((c) => c.purl === 'pkg:golang/github.com/hashicorp/consul/api@v1.32.1')).toHaveLength(1);
    expect(component('pkg:golang/github.com/fork/x@v1.0.1')?.properties).toContainEqual({ name: 'microbox:go:replaces', value: 'github.com/old/x@v1.0.0' });
    expect(component('pkg:golang/example.com/lib@v0.0.0')?.properties).toContainEqual({ name: 'microbox:go:replaced-by', value: '../lib' });
    expect(component('pkg:golang/stdlib@1.26.8')).toBeDefined();
    const greeter = sbom.dependencies.find((d) => d.ref === 'pkg:golang/github.com/microbox/workspace@6fc48c7ff67a#apps/greeter')!;
    expect(greeter.dependsOn?.sort()).toEqual(['pkg:golang/example.com/lib@v0.0.0', 'pkg:golang/github.com/hashicorp/consul/api@v1.32.1', 'pkg:golang/stdlib@1.26.8']);
    expect(sbom.dependencies.find((d) => d.ref === sbom.metadata.component.purl)?.dependsOn).toHaveLength(4);
    // 2 packages, 2 binaries, 3 modules (the shared one once), one standard library.
    expect(sbom.components).toHaveLength(2 + 2 + 3 + 1);
  });

  it('is the same bytes for the same image and contents (no clock, no random), another serial number for other contents', () => {
    expect(makeSbom(subject, contents)).toBe(text);
    expect(sbom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((JSON.parse(makeSbom(subject, { ...contents, debian: [] })) as Sbom).serialNumber).not.toBe(sbom.serialNumber);
  });
});

describe('contentsOfSbom', () => {
  it('reads back what an SBOM says, so a service’s SBOM can carry its base’s components as they were', () => {
    const again = JSON.parse(makeSbom(subject, contentsOfSbom(makeSbom(subject, contents), 'base'))) as Sbom;
    const first = JSON.parse(makeSbom(subject, contents)) as Sbom;
    expect(again.components).toEqual(first.components);
    expect(again.dependencies).toEqual(first.dependencies);
  });
});

describe('validateSbom', () => {
  it('refuses a document the schema does not allow, in one line naming the place', async () => {
    const bad = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library' }] });
    await expect(validateSbom(bad, 'x.cdx.json')).rejects.toThrow(/^x\.cdx\.json is not a valid CycloneDX 1\.6 SBOM \(\/components\/0 must have required property 'name'\)/);
  });
});
