import { PackageURL } from 'packageurl-js';

/** `pkg:deb/debian/<name>@<version>?arch=<arch>`, encoded as packageurl-js does (the purl spec's own library). */
export function debPurl(name: string, version: string, architecture: string): string {
  return new PackageURL('deb', 'debian', name, version, { arch: architecture }, undefined).toString();
}

/** `pkg:golang/<module>@<version>`, with the package inside the module as the subpath (`#apps/greeter`); no version for `(devel)`. */
export function golangPurl(module: string, version: string | undefined, packagePath?: string): string {
  const at = module.lastIndexOf('/');
  const [namespace, name] = at < 0 ? [undefined, module] : [module.slice(0, at), module.slice(at + 1)];
  const subpath = packagePath && packagePath !== module && packagePath.startsWith(`${module}/`) ? packagePath.slice(module.length + 1) : undefined;
  return new PackageURL('golang', namespace, name, version && version !== '(devel)' ? version : undefined, undefined, subpath).toString();
}

/** `pkg:oci/<last part of the repository>@sha256:…?arch=<arch>`: an image by its manifest digest. */
export function ociPurl(repository: string, manifestDigest: string, architecture: string): string {
  const name = repository.split('/').at(-1)!.toLowerCase();
  return new PackageURL('oci', undefined, name, manifestDigest, { arch: architecture }, undefined).toString();
}
