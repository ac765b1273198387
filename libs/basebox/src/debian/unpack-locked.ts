import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debCacheDir, fetchDeb } from '../debs';
import { type LockedPackageV2, lockedFor, readLock } from '../lock';
import { archiveSettings, type ArchiveSettings, sourceFor } from './archive-settings';
import { unpackDeb } from './deb-unpack';

export interface UnpackOptions {
  lockFile: string;
  /** A Debian architecture the lock pins: amd64 or arm64. */
  architecture: string;
  /** Where .debs are cached; defaults to debCacheDir(). */
  cacheDir?: string;
  /** Where to download from; defaults to archiveSettings(). */
  settings?: ArchiveSettings;
  log?: (line: string) => void;
}

export interface UnpackedPackages {
  /** A temporary folder holding every locked package's files, as an image root (read it with PackageTree). */
  root: string;
  packages: LockedPackageV2[];
  cleanup(): Promise<void>;
}

/**
 * Every package the lock pins for one architecture, fetched (or taken from the
 * cache), checked against the lock's size and sha256, and unpacked into one
 * folder, in TypeScript: no apt-get, dpkg or dpkg-deb is needed on the host.
 */
export async function unpackLockedPackages(options: UnpackOptions): Promise<UnpackedPackages> {
  const log = options.log ?? (() => {});
  const lock = await readLock(options.lockFile);
  const packages = lockedFor(lock, options.architecture, options.lockFile);
  const settings = options.settings ?? archiveSettings();
  const cacheDir = options.cacheDir ?? debCacheDir();
  const root = await mkdtemp(join(tmpdir(), `microbox-debs-${options.architecture}-`));
  const cleanup = () => rm(root, { recursive: true, force: true });
  try {
    for (const pkg of packages) {
      const source = sourceFor(settings, pkg.suite, `${options.lockFile}: packages.${pkg.name}.${pkg.architecture}`);
      const deb = await fetchDeb(pkg, source.url, cacheDir, options.lockFile, log);
      await unpackDeb(deb, root, `${pkg.name} ${pkg.version} (${pkg.filename})`);
    }
    log(`${packages.length} ${options.architecture} packages verified (size, sha256) and unpacked from ${cacheDir}`);
    return { root, packages, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
