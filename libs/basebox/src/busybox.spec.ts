import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appletListing } from './busybox-applets';
import { parseAppletList } from './busybox';
import { debCacheDir, fetchDeb } from './debs';
import { archiveSettings, sourceFor } from './debian/archive-settings';
import { unpackDeb } from './debian/deb-unpack';
import { pinned, readLock } from './lock';

const run = promisify(execFile);
const LOCK_FILE = join(__dirname, '..', 'debian.lock.json');

describe('parseAppletList', () => {
  it('gives absolute, sorted applet paths, without busybox itself or bare names', () => {
    expect(parseAppletList('linuxrc\nbin/sh\nusr/bin/awk\nbin/busybox\nbin/ash\n\n')).toEqual(['/bin/ash', '/bin/sh', '/usr/bin/awk']);
  });

  it('links no package manager applet', () => {
    expect(parseAppletList('bin/sh\nbin/rpm\nusr/bin/rpm2cpio\nusr/bin/dpkg\nusr/bin/dpkg-deb\nbin/ls\n')).toEqual(['/bin/ls', '/bin/sh']);
  });
});

/** A binary's tables as busybox lays them out: install_loc (a nibble each, low first), suid (2 bits each), then the names. */
function tables(applets: [name: string, loc: number][]): Buffer {
  const n = applets.length;
  const loc = Buffer.alloc(Math.ceil(n / 2));
  applets.forEach(([, l], i) => (loc[i >> 1] |= l << ((i & 1) * 4)));
  const names = Buffer.from(applets.map(([name]) => `${name}\0`).join('') + '\0', 'latin1');
  return Buffer.concat([Buffer.from('\x7fELF padding\0'), loc, Buffer.alloc(Math.ceil(n / 4)), names, Buffer.from('\0after')]);
}

describe('appletListing', () => {
  it('reads each applet with its folder from the tables, as --list-full prints them', () => {
    const binary = tables([['[', 3], ['[[', 3], ['ash', 1], ['init', 2], ['linuxrc', 0], ['sh', 1], ['udhcpd', 4]]);
    expect(appletListing(binary, 'bb')).toBe('usr/bin/[\nusr/bin/[[\nbin/ash\nsbin/init\nlinuxrc\nbin/sh\nusr/sbin/udhcpd\n');
  });

  it('refuses a binary with no table, two tables, unsorted names or a folder past /usr/sbin, in one line naming it', () => {
    const fix = "pin Debian's busybox (1.35, with the test applets [ and [[) in the lock with `nx run basebox:lock`";
    expect(() => appletListing(Buffer.from('\x7fELF no applets here'), '/x/bin/busybox')).toThrow(
      `/x/bin/busybox: no applet name table (starting "[", "[[") found, so its applets cannot be read from it: ${fix}`,
    );
    const one = tables([['[', 3], ['[[', 3], ['sh', 1]]);
    expect(() => appletListing(Buffer.concat([one, one]), 'bb')).toThrow(/^bb: more than one applet name table/);
    expect(() => appletListing(tables([['[', 3], ['[[', 3], ['sh', 1], ['ash', 1]]), 'bb')).toThrow(/^bb: its applet names are not sorted \(sh before ash\)/);
    expect(() => appletListing(tables([['[', 3], ['[[', 3], ['sh', 7]]), 'bb')).toThrow(/^bb: applet sh has install folder 7, not one of 0 to 4/);
  });
});

/** This check runs the amd64 busybox: only a Linux x86-64 host can. */
const AMD64_LINUX = platform() === 'linux' && arch() === 'x64';

describe.runIf(AMD64_LINUX)("the locked busybox's tables (amd64 host)", () => {
  let dir: string;
  const binaries: Record<string, Buffer> = {};
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'busybox-spec-'));
    const lock = await readLock(LOCK_FILE);
    for (const architecture of ['amd64', 'arm64']) {
      const pkg = pinned(lock, 'busybox', architecture, LOCK_FILE);
      const deb = await fetchDeb(pkg, sourceFor(archiveSettings(), pkg.suite, LOCK_FILE).url, debCacheDir(), LOCK_FILE);
      await mkdir(join(dir, architecture));
      await unpackDeb(deb, join(dir, architecture), pkg.filename);
      binaries[architecture] = await readFile(join(dir, architecture, 'bin', 'busybox'));
    }
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists exactly what the amd64 busybox --list-full prints, and arm64 the same', async () => {
    const binary = join(dir, 'amd64', 'bin', 'busybox');
    await chmod(binary, 0o755);
    const listed = (await run(binary, ['--list-full'])).stdout;
    const read = appletListing(binaries.amd64!, 'amd64 busybox');
    expect(read.split('\n').length).toBeGreaterThan(200);
    expect(read).toBe(listed);
    expect(appletListing(binaries.arm64!, 'arm64 busybox')).toBe(read);
    expect(parseAppletList(read)).toContain('/bin/sh');
  });
});
