import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debCacheDir } from '../src/debs';
import { ARCHITECTURES } from '../src/debian/archive-settings';
import { DEBIAN_PACKAGES } from '../src/flavours/debian';
import { type DebianLock, formatLock, parseLock, readLock } from '../src/lock';
import { lockChanges, refreshLock } from '../src/refresh-lock';
import { LOCK_FILE } from './helpers';

const KEYRING_DIR = new URL('../keys', import.meta.url).pathname;

const run = promisify(execFile);
let work: string;

beforeAll(async () => void (work = await mkdtemp(join(tmpdir(), 'basebox-lock-'))));
afterAll(() => rm(work, { recursive: true, force: true }));

/** A copy of the committed lock with s6 pinned to an older version for arm64, and an extra package the recipe dropped. */
async function staleCopy(name: string): Promise<string> {
  const lock = parseLock(await readFile(LOCK_FILE, 'utf8'), LOCK_FILE);
  const stale: DebianLock = structuredClone(lock);
  stale.packages.s6!.arm64!.version = '2.11.3.2-0stale1';
  stale.packages['busybox-static'] = { amd64: { ...lock.packages.busybox!.amd64!, filename: 'pool/main/b/busybox/busybox-static_1.35.0-4+deb12u1+b1_amd64.deb' } };
  const path = join(work, name);
  await writeFile(path, formatLock(stale));
  return path;
}

describe('refreshing the lock from the archive', () => {
  it("pins, per architecture, every package of the recipe and s6's libraries, and reports what changed and how long it took", async () => {
    const path = await staleCopy('refresh.lock.json');
    const lines: string[] = [];
    const { lock, changes, seconds } = await refreshLock({ lockFile: path, keyringDir: KEYRING_DIR, cacheDir: debCacheDir(), log: (line) => lines.push(line) });
    for (const architecture of ARCHITECTURES) {
      for (const wanted of DEBIAN_PACKAGES) expect(lock.packages[wanted.name]?.[architecture]?.version).toMatch(/\d/);
      for (const name of ['libc6', 'libskarnet2.13', 'libs6-2.11']) expect(lock.packages[name]?.[architecture]?.filename).toMatch(new RegExp(`^pool/.*_(${architecture}|all)\\.deb$`));
    }
    expect(Object.keys(lock.suites)).toEqual(['bookworm', 'bookworm-security']);
    expect(changes).toEqual(
      expect.arrayContaining(['amd64 busybox-static 1:1.35.0-4+deb12u1+b1: removed (the recipe no longer needs it)', `arm64 s6 2.11.3.2-0stale1 -> ${lock.packages.s6!.arm64!.version}`]),
    );
    expect(lines).toEqual(expect.arrayContaining([...changes, expect.stringMatching(new RegExp(`^wrote ${path.replace(/[.]/g, '\\.')} \\(14 \\.debs for amd64, arm64\\) in \\d+\\.\\ds$`))]));
    expect(lines).toContain('http://deb.debian.org/debian bookworm: InRelease signature good, dated ' + lock.suites.bookworm!.date);
    expect(seconds).toBeGreaterThan(0);
    console.log(`lock refresh (warm .deb cache): ${seconds.toFixed(1)}s`);
    expect(await readLock(path)).toEqual(lock);
    // Debian publishes fixes: say when the committed lock is behind, without failing on the archive's schedule.
    const behind = lockChanges(await readLock(LOCK_FILE), lock).filter((line) => !line.includes('busybox-static'));
    if (behind.length) console.log(`the committed lock is behind the archive (run \`nx run basebox:lock\`): ${behind.join('; ')}`);
  });

  it('runs as `nx run basebox:lock`', async () => {
    const path = await staleCopy('nx.lock.json');
    const root = join(LOCK_FILE, '..', '..', '..');
    const { stdout } = await run('npx', ['nx', 'run', 'basebox:lock', `--lockFile=${path}`, '--skip-nx-cache'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
    });
    expect(stdout).toMatch(/arm64 s6 2\.11\.3\.2-0stale1 -> /);
    const lock = parseLock(await readFile(path, 'utf8'), path);
    expect(lock.packages.s6!.arm64!.version).not.toBe('2.11.3.2-0stale1');
    expect(lock.packages).not.toHaveProperty('busybox-static');
  });
});
