import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listening, startRegistry, type LocalRegistry } from '../../image/e2e/local-registry';
import { digestHex } from '../../image/src/descriptor';
import { lockedFor, readLock } from '../../basebox/src/lock';
import { cloneWorkspace, type WorkspaceClone } from '../../../tools/nx-microbox/e2e/workspace-clone';
import { nxTasks } from '../../../tools/nx-microbox/e2e/nx-tasks';
import { validateSbom } from '../src/cyclonedx';
import { readGoBuildInfoOfFile } from '../../gobuild/src/go-buildinfo';
import type { Sbom } from './sbom-json';

// greeter's SBOM as `nx run greeter:layout` writes it in a clean clone:
// every package of the lock, consul-template's modules, greeter's own,
// valid CycloneDX; then `nx run greeter:push` to Debian's docker-registry
// 2.8 (no referrers API) leaves it under the tag sha256-<hex>.sbom, its
// subject the image. Port 5571 is this file's own.

const PORT = 5571;
let ws: WorkspaceClone;
let registry: LocalRegistry;

let layoutOutput = '';
beforeAll(async () => {
  if (await listening(PORT)) throw new Error(`127.0.0.1:${PORT} is in use: stop what listens there (a registry left by an earlier run?); it is this test's own`);
  ws = cloneWorkspace('sbom');
  layoutOutput = ws.nx('run', 'greeter:layout', '--outputStyle=static');
  registry = await startRegistry(PORT);
});
afterAll(async () => {
  await registry?.stop();
  ws?.cleanup();
});

describe("greeter's SBOM", () => {
  const sbomText = () => readFileSync(join(ws.dir, 'dist/images/greeter.cdx.json'), 'utf8');
  const sbom = () => JSON.parse(sbomText()) as Sbom;
  const record = () => ws.records().greeter!;

  it('is written beside the record, validates against CycloneDX 1.6, and names the image by its manifest digest and platform', async () => {
    await validateSbom(sbomText(), 'dist/images/greeter.cdx.json');
    const image = sbom().metadata.component;
    expect(image.type).toBe('container');
    expect(image.purl).toBe(`pkg:oci/greeter@${record().manifest.digest}?arch=amd64`);
    expect(image.hashes).toEqual([{ alg: 'SHA-256', content: digestHex(record().manifest.digest) }]);
    expect(image.properties).toContainEqual({ name: 'microbox:platform', value: 'linux/amd64' });
    const made = /greeter: SBOM dist\/images\/greeter\.cdx\.json, (\d+) components, made in ([\d.]+)s/.exec(nxTasks(layoutOutput).get('greeter:layout')!.output);
    expect(Number(made?.[1])).toBe(sbom().components.length);
    const base = /basebox: SBOM \S+, (\d+) components, made in ([\d.]+)s/.exec(nxTasks(layoutOutput).get('basebox:layout')?.output ?? '');
    console.log(`greeter's SBOM: ${sbom().components.length} components, made in ${made?.[2]} s; the base's, which it inherits: ${base?.[1]} components in ${base?.[2]} s (the layout executors' own measures)`);
  });

  it('names every Debian package of the lock with its version, architecture and the .deb sha256', async () => {
    const locked = lockedFor(await readLock(join(ws.dir, 'libs/basebox/debian.lock.json')), 'amd64');
    const debs = sbom().components.filter((c) => c.purl?.startsWith('pkg:deb/'));
    expect(debs.map((c) => c.name).sort()).toEqual(locked.map((p) => p.name).sort());
    for (const pkg of locked) {
      const arch = /_(amd64|all)\.deb$/.exec(pkg.filename)![1];
      const found = debs.find((c) => c.name === pkg.name)!;
      expect(found.purl).toBe(`pkg:deb/debian/${pkg.name}@${pkg.version}?arch=${arch}`);
      expect(found.hashes).toEqual([{ alg: 'SHA-256', content: pkg.sha256 }]);
    }
  });

  it("names consul-template and the modules it was built from, and greeter's modules and Go version, as the binaries say", async () => {
    const purls = new Set(sbom().components.map((c) => c.purl));
    const ct = sbom().components.find((c) => c.name === 'consul-template')!;
    expect(ct.purl).toMatch(/^pkg:golang\/github\.com\/hashicorp\/consul-template@v0\.42\.1$/);
    const ctDeps = sbom().dependencies.find((d) => d.ref === ct.purl)!.dependsOn!;
    expect(ctDeps.some((d) => d.startsWith('pkg:golang/github.com/hashicorp/consul/api@v'))).toBe(true);
    const greeterInfo = await readGoBuildInfoOfFile(join(ws.dir, 'dist/apps/greeter/greeter'));
    const greeter = sbom().components.find((c) => c.properties?.some((p) => p.name === 'microbox:file' && p.value === '/usr/local/bin/greeter'))!;
    expect(greeter.purl).toMatch(/^pkg:golang\/github\.com\/microbox\/workspace@[0-9a-f]{12}(-dirty)?#apps\/greeter$/);
    expect(greeter.properties).toContainEqual({ name: 'microbox:go:version', value: greeterInfo.goVersion });
    expect(purls.has(`pkg:golang/stdlib@${greeterInfo.goVersion.replace(/^go/, '')}`)).toBe(true);
    for (const dep of greeterInfo.deps) expect(purls.has(`pkg:golang/${dep.path}@${dep.version}`)).toBe(true);
  });

  it('travels in the layout and is pushed with the image: Debian’s registry 2.8 holds it under sha256-<hex>.sbom, its subject the image', async () => {
    ws.env.MICROBOX_REGISTRY = registry.host;
    const out = ws.nx('run', 'greeter:push', '--outputStyle=static');
    const digest = record().manifest.digest;
    const tag = `sha256-${digestHex(digest)}.sbom`;
    expect(out).toContain(`(tag ${tag})`);
    const api = `http://${registry.host}/v2/greeter`;
    const tags = ((await (await fetch(`${api}/tags/list`)).json()) as { tags: string[] }).tags;
    expect(tags).toContain(tag);
    const res = await fetch(`${api}/manifests/${tag}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(res.status).toBe(200);
    const manifest = (await res.json()) as { artifactType: string; subject: { digest: string }; config: { mediaType: string }; layers: { mediaType: string; digest: string }[] };
    expect(manifest.artifactType).toBe('application/vnd.cyclonedx+json');
    expect(manifest.subject.digest).toBe(digest);
    expect(manifest.config.mediaType).toBe('application/vnd.oci.empty.v1+json');
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(['application/vnd.cyclonedx+json']);
    expect(await (await fetch(`${api}/blobs/${manifest.layers[0]!.digest}`)).text()).toBe(sbomText());
  });
});
