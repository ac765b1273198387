import { existsSync } from 'node:fs';
import { candidate, fetchDeb } from './debs';
import { DEBIAN_PACKAGES } from './flavours/debian';
import { type DebianLock, LOCK_COMMENT, type LockedPackage, readLock, writeLock } from './lock';

/**
 * Pins what the machine's apt sources serve now: each package of the recipe
 * (and the Depends of those whose programs link to libraries), each .deb
 * downloaded and checked against the sha256 apt's signed lists give for it.
 */
export async function refreshLock(lockFile: string, cacheDir: string, log: (line: string) => void = console.log): Promise<DebianLock> {
  const before = existsSync(lockFile) ? await readLock(lockFile).catch(() => undefined) : undefined;
  const names: string[] = [];
  for (const wanted of DEBIAN_PACKAGES) {
    names.push(wanted.name);
    if (wanted.withDepends) names.push(...(await candidate(wanted.name)).depends);
  }
  const packages: LockedPackage[] = [];
  for (const name of [...new Set(names)]) {
    const record = await candidate(name);
    const pkg: LockedPackage = { name, version: record.version, architecture: record.architecture, sha256: record.sha256 };
    await fetchDeb(pkg, cacheDir, lockFile, log);
    const old = before?.packages.find((p) => p.name === name);
    log(
      !old ? `${name} ${pkg.version}: added`
      : old.version !== pkg.version || old.sha256 !== pkg.sha256 ? `${name} ${old.version} -> ${pkg.version}`
      : `${name} ${pkg.version}: unchanged`,
    );
    packages.push(pkg);
  }
  for (const old of before?.packages ?? []) {
    if (!packages.some((p) => p.name === old.name)) log(`${old.name} ${old.version}: removed (the recipe no longer needs it)`);
  }
  const lock: DebianLock = { comment: LOCK_COMMENT, packages: packages.sort((a, b) => a.name.localeCompare(b.name)) };
  await writeLock(lockFile, lock);
  log(`wrote ${lockFile} (${packages.length} packages)`);
  return lock;
}
