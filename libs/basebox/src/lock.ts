import { readFile, writeFile } from 'node:fs/promises';

/** One Debian package pinned by exact version and the sha256 of its .deb. */
export interface LockedPackage {
  name: string;
  version: string;
  architecture: string;
  sha256: string;
}

export interface DebianLock {
  /** Why this file exists and how to refresh it, for whoever opens it. */
  comment: string;
  packages: LockedPackage[];
}

export const LOCK_COMMAND = 'nx run basebox:lock';

export const LOCK_COMMENT = `Debian packages of the basebox image, pinned with the sha256 of each .deb. Refresh with \`${LOCK_COMMAND}\`.`;

const NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const VERSION = /^[0-9A-Za-z.+~:-]+$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** Parses and checks a lock, naming the file and the entry that is wrong. */
export function parseLock(text: string, file = 'the lock file'): DebianLock {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}): run \`${LOCK_COMMAND}\` to write it again`);
  }
  const packages = (value as { packages?: unknown })?.packages;
  if (!Array.isArray(packages)) throw new Error(`${file} has no "packages" list: run \`${LOCK_COMMAND}\` to write it again`);
  const seen = new Set<string>();
  const checked = packages.map((p: Partial<LockedPackage>, i): LockedPackage => {
    const where = `${file}: packages[${i}]${p?.name ? ` (${p.name})` : ''}`;
    const bad = (field: string, rule: string) =>
      new Error(`${where} has ${field} ${JSON.stringify((p as Record<string, unknown>)?.[field])}, expected ${rule}: run \`${LOCK_COMMAND}\` to write it again`);
    if (typeof p?.name !== 'string' || !NAME.test(p.name)) throw bad('name', 'a Debian package name');
    if (typeof p.version !== 'string' || !VERSION.test(p.version)) throw bad('version', 'a Debian version');
    if (typeof p.architecture !== 'string' || !NAME.test(p.architecture)) throw bad('architecture', 'e.g. amd64 or all');
    if (typeof p.sha256 !== 'string' || !SHA256.test(p.sha256)) throw bad('sha256', '64 lowercase hex digits');
    if (seen.has(p.name)) throw new Error(`${where} is pinned twice: keep one entry per package`);
    seen.add(p.name);
    return { name: p.name, version: p.version, architecture: p.architecture, sha256: p.sha256 };
  });
  return { comment: String((value as { comment?: unknown }).comment ?? LOCK_COMMENT), packages: checked };
}

export function formatLock(lock: DebianLock): string {
  const packages = [...lock.packages].sort((a, b) => a.name.localeCompare(b.name));
  return JSON.stringify({ comment: lock.comment, packages }, null, 2) + '\n';
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

export async function writeLock(path: string, lock: DebianLock): Promise<void> {
  await writeFile(path, formatLock(lock));
}

/** The pinned entry for a package the recipe needs. */
export function pinned(lock: DebianLock, name: string, file = 'the lock file'): LockedPackage {
  const entry = lock.packages.find((p) => p.name === name);
  if (!entry) throw new Error(`${file} pins no version of ${name}: run \`${LOCK_COMMAND}\` to add it`);
  return entry;
}
