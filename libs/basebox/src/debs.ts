import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sha256File } from '../../checksum/src/sha256';
import { LOCK_COMMAND, type LockedPackage } from './lock';

const run = promisify(execFile);

/** Downloaded .debs live outside the clone, shared by every clone on the machine. */
export function debCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MICROBOX_DEB_CACHE) return env.MICROBOX_DEB_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'microbox', 'debs');
}

export function debFileName(pkg: Pick<LockedPackage, 'name' | 'version' | 'architecture'>): string {
  return `${pkg.name}_${pkg.version.replace(/:/g, '%3a')}_${pkg.architecture}.deb`;
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter((l) => !l.startsWith('W: ')).pop() ?? '';
}

/** The record apt holds for a package: its candidate, or one exact version. */
export interface AptRecord {
  name: string;
  version: string;
  architecture: string;
  sha256: string;
  depends: string[];
}

/** Parses one `apt-cache show` stanza. */
export function parseAptRecord(text: string): AptRecord {
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const depends = field('Depends')
    .split(',')
    .map((d) => d.trim().split(/[\s|(]/)[0]!)
    .filter(Boolean);
  return { name: field('Package'), version: field('Version'), architecture: field('Architecture'), sha256: field('SHA256'), depends };
}

/** What apt would install for `name` now: what a lock refresh pins. */
export async function candidate(name: string): Promise<AptRecord> {
  try {
    const { stdout } = await run('apt-cache', ['show', '--no-all-versions', name]);
    const record = parseAptRecord(stdout.split(/\n\n/)[0] ?? '');
    if (!record.version || !record.sha256) throw new Error(`apt-cache show ${name} gave no version or SHA256`);
    return record;
  } catch (err) {
    const detail = lastLine((err as { stderr?: string }).stderr ?? (err as Error).message);
    throw new Error(`apt knows no package ${name} (${detail}): run \`apt-get update\` as root, then try again`);
  }
}

/**
 * The .deb of a pinned package, from the cache or fetched with the host's
 * apt, checked against the lock's sha256 every time it is used.
 */
export async function fetchDeb(pkg: LockedPackage, cacheDir: string, lockFile: string, log: (line: string) => void = () => {}): Promise<string> {
  const path = join(cacheDir, debFileName(pkg));
  if (existsSync(path)) {
    const actual = await sha256File(path);
    if (actual !== pkg.sha256) {
      throw new Error(
        `${path} has sha256 ${actual}, but ${lockFile} pins ${pkg.sha256} for ${pkg.name}=${pkg.version}: delete that file to download it again, or run \`${LOCK_COMMAND}\` if the archive really changed`,
      );
    }
    return path;
  }
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, '.download-'));
  try {
    log(`apt-get download ${pkg.name}=${pkg.version}`);
    try {
      await run('apt-get', ['download', '-q', `${pkg.name}=${pkg.version}`], { cwd: work });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      if (/was not found|Unable to locate package|has no installation candidate/.test(stderr)) {
        throw new Error(
          `${pkg.name}=${pkg.version}, pinned in ${lockFile}, is not served by this machine's apt sources: run \`apt-get update\` as root and try again; if it is still missing, the archive no longer serves it: run \`${LOCK_COMMAND}\` to pin the versions it serves`,
        );
      }
      throw new Error(`apt-get download ${pkg.name}=${pkg.version} failed (${lastLine(stderr || (err as Error).message)}): check the apt sources, or run \`apt-get update\` as root`);
    }
    const [file] = (await readdir(work)).filter((f) => f.endsWith('.deb'));
    if (!file) throw new Error(`apt-get download ${pkg.name}=${pkg.version} left no .deb in ${work}: check the apt sources`);
    const actual = await sha256File(join(work, file));
    if (actual !== pkg.sha256) {
      throw new Error(
        `apt served ${pkg.name}=${pkg.version} with sha256 ${actual}, but ${lockFile} pins ${pkg.sha256}: run \`${LOCK_COMMAND}\` only if you trust the new archive`,
      );
    }
    await rename(join(work, file), path);
    return path;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Unpacks a .deb's files (its data.tar) into dir, with the host's dpkg-deb. */
export async function extractDeb(deb: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  try {
    await run('dpkg-deb', ['-x', deb, dir]);
  } catch (err) {
    throw new Error(`dpkg-deb -x ${deb} failed (${lastLine((err as { stderr?: string }).stderr ?? (err as Error).message)}): the debian flavour builds on a Debian or Ubuntu host`);
  }
}
