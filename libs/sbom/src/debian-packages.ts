import { posix } from 'node:path';
import { extract } from 'tar-stream';
import { debDataTar } from '../../basebox/src/debian/deb-unpack';
import { archiveSettings, sourceFor } from '../../basebox/src/debian/archive-settings';
import { debCacheDir, fetchDeb } from '../../basebox/src/debs';
import { lockedFor, readLock } from '../../basebox/src/lock';
import type { DebianPackage } from './contents';
import { dep5Licenses } from './dep5';

/** The .deb's architecture, from its pool file name NAME_VERSION_ARCH.deb (`all` for ca-certificates). */
function debArchitecture(filename: string, where: string): string {
  const arch = /_([a-z0-9-]+)\.deb$/.exec(posix.basename(filename))?.[1];
  if (!arch) throw new Error(`${where}: the file name ${filename} does not end in _ARCH.deb: run \`nx run basebox:lock\``);
  return arch;
}

/** The text of one file in a .deb's data, or undefined when it has none (or it is a link to another package's). */
async function debFile(deb: Buffer, path: string, where: string): Promise<string | undefined> {
  const entries = extract();
  entries.end(await debDataTar(deb, where));
  let found: string | undefined;
  for await (const entry of entries) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type === 'file' && posix.normalize(`/${entry.header.name}`) === path) found = Buffer.concat(chunks).toString('utf8');
  }
  return found;
}

/**
 * Every package the lock pins for an architecture, as an SBOM names it:
 * version, the .deb's architecture and sha256, and the licenses its
 * /usr/share/doc/<name>/copyright says. The .debs come from the cache the
 * base build filled (checked against the lock again), else from the archive.
 */
export async function lockedDebianPackages(options: { lockFile: string; architecture: string; cacheDir?: string; env?: NodeJS.ProcessEnv }): Promise<DebianPackage[]> {
  const lock = await readLock(options.lockFile);
  const settings = archiveSettings(options.env);
  const cacheDir = options.cacheDir ?? debCacheDir(options.env);
  const packages: DebianPackage[] = [];
  for (const pkg of lockedFor(lock, options.architecture, options.lockFile)) {
    const where = `${pkg.name} ${pkg.version} (${pkg.filename})`;
    const source = sourceFor(settings, pkg.suite, `${options.lockFile}: packages.${pkg.name}.${pkg.architecture}`);
    const deb = await fetchDeb(pkg, source.url, cacheDir, options.lockFile);
    const copyright = await debFile(deb, `/usr/share/doc/${pkg.name}/copyright`, where);
    packages.push({
      name: pkg.name,
      version: pkg.version,
      architecture: debArchitecture(pkg.filename, where),
      sha256: pkg.sha256,
      licenses: (copyright && dep5Licenses(copyright)) || [],
    });
  }
  return packages;
}
