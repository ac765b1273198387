import { PackageURL } from 'packageurl-js';
import type { DebianPackage, GoBinary, ImageContents } from './contents';
import { PROPERTY } from './cyclonedx';
import type { GoDependency } from '../../gobuild/src/go-buildinfo';

interface JsonComponent {
  'bom-ref'?: string;
  type: string;
  name: string;
  version?: string;
  purl?: string;
  hashes?: { alg: string; content: string }[];
  licenses?: { license?: { id?: string; name?: string } }[];
  properties?: { name: string; value?: string }[];
}

interface JsonSbom {
  components?: JsonComponent[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
}

const modulePath = (purl: PackageURL) => [purl.namespace, purl.name].filter(Boolean).join('/');

function props(c: JsonComponent, name: string): string[] {
  return (c.properties ?? []).filter((p) => p.name === name).map((p) => p.value ?? '');
}

function dependencyOf(c: JsonComponent, purl: PackageURL): GoDependency {
  const used = { path: modulePath(purl), version: purl.version ?? '', ...(props(c, PROPERTY.goSum)[0] ? { sum: props(c, PROPERTY.goSum)[0] } : {}) };
  const replaces = props(c, PROPERTY.goReplaces)[0];
  if (replaces) {
    const at = replaces.lastIndexOf('@');
    return { path: replaces.slice(0, at), version: replaces.slice(at + 1), replacedBy: used };
  }
  const folder = props(c, PROPERTY.goReplacedBy)[0];
  return folder ? { ...used, replacedBy: { path: folder, version: '(devel)' } } : used;
}

/**
 * What an SBOM this library wrote says the image holds, read back: how a
 * service's SBOM inherits its base's Debian packages and consul-template
 * without the base's lock or binaries at hand.
 */
export function contentsOfSbom(text: string, where: string): ImageContents {
  let sbom: JsonSbom;
  try {
    sbom = JSON.parse(text) as JsonSbom;
  } catch {
    throw new Error(`${where} is not JSON: build the base image again (nx run basebox:layout --skip-nx-cache)`);
  }
  const components = new Map((sbom.components ?? []).map((c) => [c['bom-ref'] ?? c.purl ?? c.name, c]));
  const dependsOn = new Map((sbom.dependencies ?? []).map((d) => [d.ref, d.dependsOn ?? []]));
  const debian: DebianPackage[] = [];
  const go: GoBinary[] = [];
  for (const [ref, c] of components) {
    if (!c.purl) continue;
    const purl = PackageURL.fromString(c.purl);
    if (purl.type === 'deb') {
      debian.push({
        name: purl.name,
        version: purl.version ?? '',
        architecture: purl.qualifiers?.arch ?? '',
        sha256: c.hashes?.find((h) => h.alg === 'SHA-256')?.content ?? '',
        licenses: (c.licenses ?? []).map((l) => l.license?.id ?? l.license?.name ?? '').filter(Boolean),
      });
    } else if (purl.type === 'golang' && c.type === 'application') {
      const deps = (dependsOn.get(ref) ?? []).map((r) => components.get(r)).filter((d): d is JsonComponent => !!d?.purl && d.name !== 'stdlib');
      const settings = (c.properties ?? [])
        .filter((p) => p.name.startsWith(PROPERTY.goBuild))
        .map((p): [string, string] => [p.name.slice(PROPERTY.goBuild.length), p.value ?? '']);
      const moduleVersion = props(c, PROPERTY.goModuleVersion)[0] ?? purl.version ?? '';
      go.push({
        file: props(c, PROPERTY.file)[0] ?? '',
        ...(c.version && c.version !== moduleVersion ? { version: c.version } : {}),
        buildInfo: {
          goVersion: props(c, PROPERTY.goVersion)[0] ?? '',
          path: props(c, PROPERTY.goPackage)[0] ?? modulePath(purl),
          main: { path: props(c, PROPERTY.goModule)[0] ?? modulePath(purl), version: moduleVersion },
          deps: deps.map((d) => dependencyOf(d, PackageURL.fromString(d.purl!))),
          settings,
        },
      });
    }
  }
  return { debian, go };
}
