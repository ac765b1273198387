import { createHash } from 'node:crypto';
import * as CDX from '@cyclonedx/cyclonedx-library';
import type { DebianPackage, GoBinary, ImageContents, SbomSubject } from './contents';
import { spdxIdOf } from './dep5';
import type { GoDependency } from '../../gobuild/src/go-buildinfo';
import { debPurl, golangPurl, ociPurl } from './purls';

export const SBOM_MEDIA_TYPE = 'application/vnd.cyclonedx+json';
const SPEC = CDX.Spec.Spec1dot6;

/** Property names this SBOM uses, under the tool's own namespace. */
export const PROPERTY = {
  platform: 'microbox:platform',
  tag: 'microbox:tag',
  file: 'microbox:file',
  goVersion: 'microbox:go:version',
  goPackage: 'microbox:go:package',
  goModule: 'microbox:go:module',
  goModuleVersion: 'microbox:go:module-version',
  goBuild: 'microbox:go:build:',
  goSum: 'microbox:go:sum',
  goReplaces: 'microbox:go:replaces',
  goReplacedBy: 'microbox:go:replaced-by',
} as const;

const sha256 = (hex: string) => new CDX.Models.HashDictionary([[CDX.Enums.HashAlgorithm['SHA-256'], hex]]);
const properties = (pairs: [string, string][]) => new CDX.Models.PropertyRepository(pairs.map(([name, value]) => new CDX.Models.Property(name, value)));

function licensesOf(names: string[]): CDX.Models.LicenseRepository {
  return new CDX.Models.LicenseRepository(
    names.map((name) => {
      const id = spdxIdOf(name, CDX.SPDX.isSupportedSpdxId);
      return id ? new CDX.Models.SpdxLicense(id) : new CDX.Models.NamedLicense(name);
    }),
  );
}

function debianComponent(pkg: DebianPackage): CDX.Models.Component {
  const purl = debPurl(pkg.name, pkg.version, pkg.architecture);
  return new CDX.Models.Component(CDX.Enums.ComponentType.Library, pkg.name, {
    bomRef: purl,
    version: pkg.version,
    purl,
    hashes: sha256(pkg.sha256),
    licenses: licensesOf(pkg.licenses),
  });
}

/** A replacement by a folder (`=> ../lib`), not by another module: only its path is known. */
const isFolder = (path: string) => /^[./]/.test(path);

/** A dependency as compiled: a module replacement is named by what replaced it, and says what it replaces. */
function goModuleComponent(dep: GoDependency): CDX.Models.Component {
  const byModule = dep.replacedBy && !isFolder(dep.replacedBy.path) ? dep.replacedBy : undefined;
  const used = byModule ?? dep;
  const purl = golangPurl(used.path, used.version);
  const notes: [string, string][] = [];
  if (used.sum) notes.push([PROPERTY.goSum, used.sum]);
  if (byModule) notes.push([PROPERTY.goReplaces, `${dep.path}@${dep.version}`]);
  else if (dep.replacedBy) notes.push([PROPERTY.goReplacedBy, dep.replacedBy.path]);
  return new CDX.Models.Component(CDX.Enums.ComponentType.Library, used.path, { bomRef: purl, version: used.version, purl, properties: properties(notes) });
}

function stdlibComponent(goVersion: string): CDX.Models.Component {
  const version = goVersion.replace(/^go/, '');
  const purl = golangPurl('stdlib', version);
  return new CDX.Models.Component(CDX.Enums.ComponentType.Library, 'stdlib', { bomRef: purl, version, purl, description: `Go's standard library and runtime, ${goVersion}` });
}

function goBinaryComponent(binary: GoBinary): CDX.Models.Component {
  const info = binary.buildInfo;
  const version = info.main.version !== '(devel)' ? info.main.version : binary.version;
  const purl = golangPurl(info.main.path, version, info.path);
  return new CDX.Models.Component(CDX.Enums.ComponentType.Application, info.path.split('/').at(-1)!, {
    bomRef: purl,
    version,
    purl,
    properties: properties([
      [PROPERTY.file, binary.file],
      [PROPERTY.goPackage, info.path],
      [PROPERTY.goModule, info.main.path],
      [PROPERTY.goModuleVersion, info.main.version],
      [PROPERTY.goVersion, info.goVersion],
      ...info.settings.map(([key, value]): [string, string] => [`${PROPERTY.goBuild}${key}`, value]),
    ]),
  });
}

/** A v5-style UUID from a hash of what the SBOM says: the same image and contents give the same serial number. */
function serialNumber(subject: SbomSubject, contents: ImageContents): string {
  const hex = createHash('sha1').update(JSON.stringify({ subject, contents })).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The CycloneDX 1.6 JSON SBOM of one image manifest (one platform), made
 * with the CycloneDX library: the image in the metadata (its manifest
 * digest as hash and purl, its platform and tags), every Debian package,
 * every Go binary with its modules and Go standard library, each component
 * once (a module two binaries share is one component both depend on). No
 * clock and no random number: the image's own time and a serial number
 * derived from the contents, so a rebuild gives the same bytes.
 */
export function makeSbom(subject: SbomSubject, contents: ImageContents): string {
  const arch = subject.platform.architecture;
  const imagePurl = ociPurl(subject.repository, subject.manifestDigest, arch);
  const version = subject.tags.map((t) => t.slice(t.lastIndexOf(':') + 1)).find((t) => t !== 'latest') ?? 'latest';
  const image = new CDX.Models.Component(CDX.Enums.ComponentType.Container, subject.repository, {
    bomRef: imagePurl,
    version,
    purl: imagePurl,
    hashes: sha256(subject.manifestDigest.replace(/^sha256:/, '')),
    properties: properties([
      [PROPERTY.platform, [subject.platform.os, arch, subject.platform.variant].filter(Boolean).join('/')],
      ...subject.tags.map((tag): [string, string] => [PROPERTY.tag, tag]),
    ]),
  });
  const bom = new CDX.Models.Bom({ serialNumber: serialNumber(subject, contents) });
  bom.metadata.timestamp = new Date(subject.created);
  bom.metadata.component = image;
  bom.metadata.tools.components.add(new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'microbox', { bomRef: 'microbox' }));
  const byRef = new Map<string, CDX.Models.Component>();
  const once = (component: CDX.Models.Component) => {
    const ref = component.bomRef.value!;
    const known = byRef.get(ref);
    if (known) return known;
    byRef.set(ref, component);
    bom.components.add(component);
    return component;
  };
  for (const pkg of contents.debian) image.dependencies.add(once(debianComponent(pkg)).bomRef);
  for (const binary of contents.go) {
    const app = once(goBinaryComponent(binary));
    image.dependencies.add(app.bomRef);
    app.dependencies.add(once(stdlibComponent(binary.buildInfo.goVersion)).bomRef);
    for (const dep of binary.buildInfo.deps) app.dependencies.add(once(goModuleComponent(dep)).bomRef);
  }
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(SPEC));
  return serializer.serialize(bom, { sortLists: true, space: 2 }) + '\n';
}

/** Checks an SBOM against the CycloneDX 1.6 JSON schema with the library's validator (offline: the schemas ship with it). */
export async function validateSbom(json: string, where: string): Promise<void> {
  const errors = await new CDX.Validation.JsonStrictValidator(SPEC.version).validate(json);
  if (errors) {
    const first = (Array.isArray(errors) ? errors : [errors])[0] as { instancePath?: string; message?: string } | undefined;
    throw new Error(`${where} is not a valid CycloneDX ${SPEC.version} SBOM (${first?.instancePath ?? ''} ${first?.message ?? JSON.stringify(errors)}): a bug in microbox's SBOM writer; report it with the file`);
  }
}
