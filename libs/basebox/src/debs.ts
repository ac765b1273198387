import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, posix } from 'node:path';
import { fetchBytes, HttpStatusError } from './debian/fetch-url';
import { LOCK_COMMAND, type LockedPackageV2 } from './lock';

/** Downloaded .debs live outside the clone, shared by every clone on the machine. */
export function debCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MICROBOX_DEB_CACHE) return env.MICROBOX_DEB_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'microbox', 'debs');
}

/** The cache's name for a pinned .deb: the archive's own file name (NAME_VERSION_ARCH.deb, unique in a Debian pool). */
export function debFileName(pkg: Pick<LockedPackageV2, 'filename'>): string {
  return posix.basename(pkg.filename);
}

/** Why a .deb is not the pinned one, or undefined when it is. */
function mismatch(data: Buffer, pkg: LockedPackageV2): string | undefined {
  if (data.length !== pkg.size) return `${data.length} bytes, not the pinned ${pkg.size}`;
  const actual = createHash('sha256').update(data).digest('hex');
  return actual === pkg.sha256 ? undefined : `sha256 ${actual}, not the pinned ${pkg.sha256}`;
}

async function readCached(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/**
 * The bytes of a pinned .deb: from the cache when its size and sha256 are
 * the lock's, else downloaded from the archive (once) and cached atomically.
 * `archiveUrl` is the root of the archive of the entry's suite.
 */
export async function fetchDeb(pkg: LockedPackageV2, archiveUrl: string, cacheDir: string, lockFile: string, log: (line: string) => void = () => {}): Promise<Buffer> {
  const path = join(cacheDir, debFileName(pkg));
  const what = `${pkg.name} ${pkg.version} (${pkg.architecture})`;
  const cached = await readCached(path);
  if (cached) {
    const wrong = mismatch(cached, pkg);
    if (!wrong) return cached;
    log(`${path} has ${wrong}: downloading it again`);
  }
  const url = `${archiveUrl}/${pkg.filename}`;
  let data: Buffer;
  try {
    data = await fetchBytes(url, `check the mirror ${archiveUrl} and the network`);
  } catch (err) {
    if (err instanceof HttpStatusError && err.status === 404) {
      throw new Error(`${what}, pinned in ${lockFile}, is no longer served (${url} answered 404): run \`${LOCK_COMMAND}\` to pin the versions the archive serves`);
    }
    throw err;
  }
  const wrong = mismatch(data, pkg);
  if (wrong) {
    throw new Error(`${url} has ${wrong} for ${what} in ${lockFile}: the mirror serves another file; use another mirror, or run \`${LOCK_COMMAND}\` only if the archive really changed`);
  }
  await mkdir(cacheDir, { recursive: true });
  const temporary = join(cacheDir, `.${debFileName(pkg)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw new Error(`cannot write ${path} (${(err as Error).message}): make ${cacheDir} writable, or set MICROBOX_DEB_CACHE`);
  }
  log(`downloaded ${what} from ${url}`);
  return data;
}
