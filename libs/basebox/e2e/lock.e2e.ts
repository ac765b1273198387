import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidate, debCacheDir } from '../src/debs';
import { DEBIAN_PACKAGES } from '../src/flavours/debian';
import { parseLock, readLock } from '../src/lock';
import { refreshLock } from '../src/refresh-lock';
import { LOCK_FILE } from './helpers';

const run = promisify(execFile);
let work: string;

beforeAll(async () => void (work = await mkdtemp(join(tmpdir(), 'basebox-lock-'))));
afterAll(() => rm(work, { recursive: true, force: true }));

/** A copy of the committed lock with s6 pinned to a version no archive serves, and an extra package the recipe dropped. */
async function staleCopy(name: string): Promise<string> {
  const lock = JSON.parse(await readFile(LOCK_FILE, 'utf8')) as { packages: Record<string, string>[] };
  lock.packages.find((p) => p.name === 's6')!.version = '2.11.3.2-0stale1';
  lock.packages.push({ name: 'busybox-static', version: '1:1.35.0-4+deb12u1+b1', architecture: 'amd64', sha256: '0'.repeat(64) });
  const path = join(work, name);
  await writeFile(path, JSON.stringify(lock));
  return path;
}

describe('refreshing the lock', () => {
  it("pins what apt serves now: every package of the recipe and s6's libraries, each with its sha256", async () => {
    const path = await staleCopy('refresh.lock.json');
    const lines: string[] = [];
    const lock = await refreshLock(path, debCacheDir(), (line) => lines.push(line));
    const names = lock.packages.map((p) => p.name);
    for (const wanted of DEBIAN_PACKAGES) expect(names).toContain(wanted.name);
    expect(names).toEqual(expect.arrayContaining(['libc6', 'libskarnet2.13', 'libs6-2.11']));
    for (const pkg of lock.packages) {
      const served = await candidate(pkg.name);
      expect(pkg).toEqual({ name: pkg.name, version: served.version, architecture: served.architecture, sha256: served.sha256 });
    }
    expect(lines).toContain(`s6 2.11.3.2-0stale1 -> ${lock.packages.find((p) => p.name === 's6')!.version}`);
    expect(lines).toContain('busybox-static 1:1.35.0-4+deb12u1+b1: removed (the recipe no longer needs it)');
    expect(await readLock(path)).toEqual(lock);
  });

  it('runs as `nx run basebox:lock`', async () => {
    const path = await staleCopy('nx.lock.json');
    const root = join(LOCK_FILE, '..', '..', '..');
    await run('npx', ['nx', 'run', 'basebox:lock', `--lockFile=${path}`, '--skip-nx-cache'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
    });
    const lock = parseLock(await readFile(path, 'utf8'), path);
    expect(lock.packages.find((p) => p.name === 's6')!.version).not.toBe('2.11.3.2-0stale1');
    expect(lock.packages.map((p) => p.name)).not.toContain('busybox-static');
  });
});
