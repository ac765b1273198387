import { existsSync } from 'node:fs';
import { debCacheDir, fetchDeb } from './debs';
import { archiveSettings, type ArchiveSettings } from './debian/archive-settings';
import { compareDebianVersions } from './debian/debian-version';
import { fetchRelease } from './debian/in-release';
import { readKeyring } from './debian/keyring';
import { fetchPackages, type PackagesIndex } from './debian/packages-index';
import { DEBIAN_PACKAGES, type WantedPackage } from './flavours/debian';
import { type DebianLock, type LockedDeb, LOCK_COMMENT, readLock, writeLock } from './lock';

export interface RefreshOptions {
  lockFile: string;
  /** The folder of the Debian archive keys (*.asc) the InRelease signatures are checked against. */
  keyringDir: string;
  settings?: ArchiveSettings;
  /** Where the pinned .debs are downloaded to, to check the archive serves them as its index says. */
  cacheDir?: string;
  recipe?: readonly WantedPackage[];
  log?: (line: string) => void;
}

export interface RefreshResult {
  lock: DebianLock;
  /** One line per package and architecture added, removed or moved to another version. */
  changes: string[];
  seconds: number;
}

/** A suite's index for one architecture. */
export interface SuiteIndex {
  suite: string;
  index: PackagesIndex;
}

async function fetchIndexes(settings: ArchiveSettings, keyringDir: string, log: (line: string) => void) {
  const keys = await readKeyring(keyringDir);
  const suites: DebianLock['suites'] = {};
  const byArch = new Map<string, SuiteIndex[]>(settings.architectures.map((a) => [a, []]));
  for (const source of settings.sources) {
    const release = await fetchRelease(source, keys);
    suites[source.suite] = { date: release.date };
    log(`${source.url} ${source.suite}: InRelease signature good, dated ${release.date}`);
    const indexes = await Promise.all(settings.architectures.map((architecture) => fetchPackages(source, release, settings.component, architecture)));
    settings.architectures.forEach((architecture, i) => byArch.get(architecture)!.push({ suite: source.suite, index: indexes[i]! }));
  }
  return { suites, byArch };
}

type Served = LockedDeb & { depends: string[] };

/** The highest version of a package among the suites (a security fix outranks the release's build), with its suite. */
function newest(indexes: SuiteIndex[], name: string): Served | undefined {
  let best: Served | undefined;
  for (const { suite, index } of indexes) {
    for (const r of index.records(name)) {
      if (!best || compareDebianVersions(r.version, best.version) > 0) best = { version: r.version, filename: r.filename, size: r.size, sha256: r.sha256, suite, depends: r.depends };
    }
  }
  return best;
}

/** The recipe's packages and, for those that ask, their Depends, as one architecture's indexes serve them. */
export function resolve(recipe: readonly WantedPackage[], indexes: SuiteIndex[], architecture: string): Map<string, LockedDeb> {
  const find = (name: string, why: string) => {
    const found = newest(indexes, name);
    if (!found) throw new Error(`no ${architecture} package ${name} (${why}) in ${indexes.map((i) => i.suite).join(' or ')}: check the recipe in libs/basebox/src/flavours/debian.ts`);
    return found;
  };
  const pinned = new Map<string, LockedDeb>();
  for (const wanted of recipe) {
    const top = find(wanted.name, 'named by the recipe');
    for (const name of [wanted.name, ...(wanted.withDepends ? top.depends : [])]) {
      const { version, filename, size, sha256, suite } = find(name, `a Depends of ${wanted.name}`);
      pinned.set(name, { version, filename, size, sha256, suite });
    }
  }
  return pinned;
}

/** What changed between two locks, per package and architecture. */
export function lockChanges(before: DebianLock | undefined, after: DebianLock): string[] {
  const changes: string[] = [];
  const names = [...new Set([...Object.keys(before?.packages ?? {}), ...Object.keys(after.packages)])].sort();
  for (const name of names) {
    const archs = [...new Set([...Object.keys(before?.packages[name] ?? {}), ...Object.keys(after.packages[name] ?? {})])].sort();
    for (const arch of archs) {
      const old = before?.packages[name]?.[arch];
      const now = after.packages[name]?.[arch];
      if (!old) changes.push(`${arch} ${name} ${now!.version}: added`);
      else if (!now) changes.push(`${arch} ${name} ${old.version}: removed (the recipe no longer needs it)`);
      else if (old.version !== now.version) changes.push(`${arch} ${name} ${old.version} -> ${now.version}`);
      else if (old.sha256 !== now.sha256) changes.push(`${arch} ${name} ${now.version}: rebuilt (sha256 ${old.sha256.slice(0, 12)} -> ${now.sha256.slice(0, 12)})`);
    }
  }
  return changes;
}

/**
 * Pins what the archive serves now, for every architecture of the settings:
 * each suite's InRelease verified against the Debian keyring, each Packages
 * index against the sha256 InRelease lists, each pinned .deb downloaded and
 * checked against its index entry. The lock file is replaced only when all
 * of that succeeded.
 */
export async function refreshLock(options: RefreshOptions): Promise<RefreshResult> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const settings = options.settings ?? archiveSettings();
  const cacheDir = options.cacheDir ?? debCacheDir();
  let before: DebianLock | undefined;
  if (existsSync(options.lockFile)) {
    before = await readLock(options.lockFile).catch((err: Error) => void log(`the current lock is not read (${err.message}): every package is reported as added`));
  }
  const { suites, byArch } = await fetchIndexes(settings, options.keyringDir, log);
  const lock: DebianLock = { comment: LOCK_COMMENT, format: 2, suites, packages: {} };
  for (const architecture of settings.architectures) {
    for (const [name, deb] of resolve(options.recipe ?? DEBIAN_PACKAGES, byArch.get(architecture)!, architecture)) {
      const source = settings.sources.find((s) => s.suite === deb.suite)!;
      await fetchDeb({ name, architecture, ...deb }, source.url, cacheDir, options.lockFile, log);
      (lock.packages[name] ??= {})[architecture] = deb;
    }
  }
  const changes = lockChanges(before, lock);
  await writeLock(options.lockFile, lock);
  const seconds = (Date.now() - started) / 1000;
  const count = Object.values(lock.packages).reduce((n, perArch) => n + Object.keys(perArch).length, 0);
  for (const line of changes.length ? changes : ['no package changed']) log(line);
  log(`wrote ${options.lockFile} (${count} .debs for ${settings.architectures.join(', ')}) in ${seconds.toFixed(1)}s`);
  return { lock, changes, seconds };
}
