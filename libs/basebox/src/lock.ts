import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';

/** One package pinned for one architecture: the exact .deb the archive serves for it. */
export interface LockedDeb {
  version: string;
  /** The .deb's path below the archive root (the Packages index's Filename). */
  filename: string;
  size: number;
  sha256: string;
  /** The suite whose signed index listed it, e.g. bookworm or bookworm-security. */
  suite: string;
}

/** A pinned .deb with the package and architecture it is for: what the build fetches and unpacks. */
export interface LockedPackageV2 extends LockedDeb {
  name: string;
  architecture: string;
}

/** What each suite's signed InRelease said when the lock was refreshed: when its indexes were published. */
export interface LockedSuite {
  date: string;
}

export interface DebianLock {
  /** Why this file exists and how to refresh it, for whoever opens it. */
  comment: string;
  format: 2;
  suites: Record<string, LockedSuite>;
  /** package name -> architecture (amd64, arm64) -> the pinned .deb. */
  packages: Record<string, Record<string, LockedDeb>>;
}

export const LOCK_COMMAND = 'nx run basebox:lock';

export const LOCK_COMMENT = `Debian packages of the basebox image, per architecture, pinned to the .deb (path, size, sha256) Debian's signed indexes listed. Refresh with \`${LOCK_COMMAND}\`.`;

const NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const VERSION = /^[0-9A-Za-z.+~:-]+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const FILENAME = /^pool\/[A-Za-z0-9+.~%_/-]+\.deb$/;
const SUITE = /^[a-z0-9][a-z0-9.-]*$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks a lock, naming the file and the entry that is wrong. */
export function parseLock(text: string, file = 'the lock file'): DebianLock {
  const again = `run \`${LOCK_COMMAND}\` to write it again`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}): ${again}`);
  }
  if (!isObject(value)) throw new Error(`${file} is not a JSON object: ${again}`);
  if (value.format !== 2) throw new Error(`${file} has format ${JSON.stringify(value.format)}, expected 2 (per-architecture .debs from the archive): ${again}`);
  if (!isObject(value.suites)) throw new Error(`${file} has no "suites" object: ${again}`);
  if (!isObject(value.packages)) throw new Error(`${file} has no "packages" object: ${again}`);
  const suites: Record<string, LockedSuite> = {};
  for (const [suite, info] of Object.entries(value.suites)) {
    if (!SUITE.test(suite) || !isObject(info) || typeof info.date !== 'string' || !info.date) {
      throw new Error(`${file}: suites.${suite} has no "date" (the InRelease Date): ${again}`);
    }
    suites[suite] = { date: info.date };
  }
  const packages: Record<string, Record<string, LockedDeb>> = {};
  for (const [name, perArch] of Object.entries(value.packages)) {
    if (!NAME.test(name)) throw new Error(`${file}: packages has ${JSON.stringify(name)}, expected a Debian package name: ${again}`);
    if (!isObject(perArch) || !Object.keys(perArch).length) throw new Error(`${file}: packages.${name} pins no architecture: ${again}`);
    packages[name] = {};
    for (const [arch, deb] of Object.entries(perArch)) {
      const where = `${file}: packages.${name}.${arch}`;
      if (!NAME.test(arch)) throw new Error(`${file}: packages.${name} has architecture ${JSON.stringify(arch)}, expected e.g. amd64 or arm64: ${again}`);
      if (!isObject(deb)) throw new Error(`${where} is not an object: ${again}`);
      const bad = (field: string, rule: string) => new Error(`${where} has ${field} ${JSON.stringify(deb[field])}, expected ${rule}: ${again}`);
      if (typeof deb.version !== 'string' || !VERSION.test(deb.version)) throw bad('version', 'a Debian version');
      if (typeof deb.filename !== 'string' || !FILENAME.test(deb.filename) || deb.filename.split('/').includes('..')) throw bad('filename', 'an archive path pool/.../NAME_VERSION_ARCH.deb');
      if (typeof deb.size !== 'number' || !Number.isSafeInteger(deb.size) || deb.size <= 0) throw bad('size', 'a positive number of bytes');
      if (typeof deb.sha256 !== 'string' || !SHA256.test(deb.sha256)) throw bad('sha256', '64 lowercase hex digits');
      if (typeof deb.suite !== 'string' || !(deb.suite in suites)) throw bad('suite', `one of the lock's suites (${Object.keys(suites).join(', ')})`);
      packages[name][arch] = { version: deb.version, filename: deb.filename, size: deb.size, sha256: deb.sha256, suite: deb.suite };
    }
  }
  return { comment: typeof value.comment === 'string' ? value.comment : LOCK_COMMENT, format: 2, suites, packages };
}

const sorted = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

export function formatLock(lock: DebianLock): string {
  const packages = Object.fromEntries(Object.entries(sorted(lock.packages)).map(([name, perArch]) => [name, sorted(perArch)]));
  return JSON.stringify({ comment: lock.comment, format: 2, suites: sorted(lock.suites), packages }, null, 2) + '\n';
}

export async function readLock(path: string): Promise<DebianLock> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`the lock file ${path} cannot be read: run \`${LOCK_COMMAND}\` to write it`);
  }
  return parseLock(text, path);
}

/** Writes the lock whole or not at all: a temporary file beside it, renamed over it. */
export async function writeLock(path: string, lock: DebianLock): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, formatLock(lock));
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

/** Every package the lock pins for an architecture, by name. */
export function lockedFor(lock: DebianLock, architecture: string, file = 'the lock file'): LockedPackageV2[] {
  const list = Object.entries(lock.packages)
    .filter(([, perArch]) => architecture in perArch)
    .map(([name, perArch]) => ({ name, architecture, ...perArch[architecture]! }))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (!list.length) throw new Error(`${file} pins no package for ${architecture}: run \`${LOCK_COMMAND}\` (architectures: amd64, arm64)`);
  return list;
}

/** The pinned entry for a package the recipe needs. */
export function pinned(lock: DebianLock, name: string, architecture: string, file = 'the lock file'): LockedPackageV2 {
  const entry = lock.packages[name]?.[architecture];
  if (!entry) throw new Error(`${file} pins no version of ${name} for ${architecture}: run \`${LOCK_COMMAND}\` to add it`);
  return { name, architecture, ...entry };
}
