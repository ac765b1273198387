import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EM_AARCH64, EM_X86_64, readElfLinkageOfFile } from '../../elf/src/elf';
import { debFileName } from '../src/debs';
import { archiveSettings, type ArchiveSettings } from '../src/debian/archive-settings';
import { unpackLockedPackages } from '../src/debian/unpack-locked';
import { S6_PROGRAMS } from '../src/flavours/debian';
import { formatLock, lockedFor, parseLock } from '../src/lock';
import { refreshLock } from '../src/refresh-lock';
import { LOCK_FILE, nodeOnlyPath, runWithNodeOnly } from './helpers';

const run = promisify(execFile);
const KEYRING_DIR = new URL('../keys', import.meta.url).pathname;

/** What a test's mirror does to a path the real archive served: change its body, or answer a status instead. */
type Tamper = (path: string, body: Buffer) => Buffer | number | undefined;

/**
 * A local mirror in front of the real one (the archive this machine's apt
 * sources name): /debian and /debian-security, kept in memory so each test
 * fetches the archive once, and changed on the way as a test asks.
 */
class Mirror {
  tamper: Tamper = () => undefined;
  private readonly served = new Map<string, { status: number; body: Buffer }>();
  private server!: Server;
  url = '';

  async start(upstream: ArchiveSettings): Promise<void> {
    const origin = (path: string) => {
      const [, archive, rest] = /^\/(debian|debian-security)(\/.*)$/.exec(path) ?? [];
      const source = upstream.sources.find((s) => (archive === 'debian-security') === s.suite.endsWith('-security'));
      return archive && source ? source.url + rest : undefined;
    };
    this.server = createServer((req, res) => {
      const path = req.url ?? '/';
      void (async () => {
        let entry = this.served.get(path);
        if (!entry) {
          const url = origin(path);
          if (!url) entry = { status: 404, body: Buffer.from('not a Debian archive path') };
          else {
            const response = await fetch(url);
            entry = { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
          }
          this.served.set(path, entry);
        }
        const changed = entry.status === 200 ? this.tamper(path, entry.body) : undefined;
        if (typeof changed === 'number') res.writeHead(changed).end();
        else res.writeHead(entry.status).end(changed ?? entry.body);
      })().catch((err: Error) => res.writeHead(502).end(err.message));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  settings(): ArchiveSettings {
    return archiveSettings({ MICROBOX_DEBIAN_MIRROR: `${this.url}/debian`, MICROBOX_DEBIAN_SECURITY_MIRROR: `${this.url}/debian-security` });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The same bytes with one changed. */
function flipByte(body: Buffer, at: number): Buffer {
  const copy = Buffer.from(body);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

const mirror = new Mirror();
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'basebox-archive-'));
  await mirror.start(archiveSettings());
});

afterAll(async () => {
  await mirror.stop();
  await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  mirror.tamper = () => undefined;
});

/** A refresh through the mirror that must fail on one line, leaving the lock copy and its folder as they were. */
async function refreshFailure(name: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir);
  const lockFile = join(dir, 'debian.lock.json');
  const before = await readFile(LOCK_FILE);
  await writeFile(lockFile, before);
  const cacheDir = join(dir, 'debs');
  const message = await refreshLock({ lockFile, keyringDir: KEYRING_DIR, settings: mirror.settings(), cacheDir, log: () => {} }).then(
    () => 'the refresh succeeded',
    (err: Error) => err.message,
  );
  expect(message).not.toContain('\n');
  expect(await readFile(lockFile)).toEqual(before);
  expect((await readdir(dir)).filter((f) => f !== 'debs')).toEqual(['debian.lock.json']);
  return message;
}

describe('a lock refresh through a mirror that alters what Debian signed', () => {
  it('refuses an InRelease with one byte changed: the signature is bad, nothing is written', async () => {
    mirror.tamper = (path, body) => (path === '/debian/dists/bookworm/InRelease' ? flipByte(body, body.indexOf('Date: ') + 6) : undefined);
    expect(await refreshFailure('in-release')).toMatch(
      new RegExp(`^${mirror.url}/debian/dists/bookworm/InRelease has a bad signature by Debian archive key [0-9a-f]{16} \\(.+\\): the file was altered on the way; use another mirror`),
    );
  });

  it('refuses a Packages index whose sha256 is not the one InRelease lists', async () => {
    const index = /^\/debian\/dists\/bookworm\/main\/binary-arm64\/by-hash\/SHA256\/[0-9a-f]{64}$/;
    mirror.tamper = (path, body) => (index.test(path) ? flipByte(body, 100) : undefined);
    expect(await refreshFailure('packages')).toMatch(
      new RegExp(`^${mirror.url}/debian/dists/bookworm/main/binary-arm64/by-hash/SHA256/[0-9a-f]{64} has sha256 [0-9a-f]{64} \\(\\d+ bytes\\), but the signed InRelease lists [0-9a-f]{64} \\(\\d+ bytes\\) for main/binary-arm64/Packages\\.gz: the mirror is broken or mid-update`),
    );
  });

  it('refuses a .deb whose sha256 is not the one the index lists, and caches nothing of it', async () => {
    // Whichever busybox the archive serves now: the refresh pins and downloads it first.
    const busybox = /^\/debian(-security)?\/pool\/(updates\/)?main\/b\/busybox\/busybox_[^/]+_amd64\.deb$/;
    mirror.tamper = (path, body) => (busybox.test(path) ? flipByte(body, body.length - 1) : undefined);
    expect(await refreshFailure('deb')).toMatch(
      new RegExp(`^${mirror.url}/\\S+/busybox_\\S+_amd64\\.deb has sha256 [0-9a-f]{64}, not the pinned [0-9a-f]{64} for busybox \\S+ \\(amd64\\) in .*: the mirror serves another file`),
    );
    const cached = existsSync(join(work, 'deb', 'debs')) ? await readdir(join(work, 'deb', 'debs')) : [];
    expect(cached.filter((f) => f.startsWith('busybox') || f.startsWith('.'))).toEqual([]);
  });
});

describe('unpacking the locked packages', () => {
  it('says a pinned version the archive no longer serves is stale, names the command that refreshes the lock, and leaves nothing behind', async () => {
    const lock = parseLock(await readFile(LOCK_FILE, 'utf8'), LOCK_FILE);
    const s6 = lock.packages.s6!.amd64!;
    lock.packages.s6!.amd64 = { ...s6, version: '2.11.3.2-0stale1', filename: s6.filename.replace('2.11.3.2-1', '2.11.3.2-0stale1') };
    const lockFile = join(work, 'stale.lock.json');
    await writeFile(lockFile, formatLock(lock));
    const cacheDir = join(work, 'stale-debs');
    const message = await unpackLockedPackages({ lockFile, architecture: 'amd64', cacheDir, settings: mirror.settings() }).then(
      () => 'the unpack succeeded',
      (err: Error) => err.message,
    );
    expect(message).toBe(
      `s6 2.11.3.2-0stale1 (amd64), pinned in ${lockFile}, is no longer served (${mirror.url}/debian/pool/main/s/s6/s6_2.11.3.2-0stale1_amd64.deb answered 404): run \`nx run basebox:lock\` to pin the versions the archive serves`,
    );
    expect((await readdir(cacheDir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('downloads again, once, a cached .deb that is not the pinned one, and says so', async () => {
    const cacheDir = join(work, 'damaged-debs');
    const first = await unpackLockedPackages({ lockFile: LOCK_FILE, architecture: 'arm64', cacheDir, settings: mirror.settings() });
    await first.cleanup();
    const s6 = lockedFor(parseLock(await readFile(LOCK_FILE, 'utf8')), 'arm64').find((p) => p.name === 's6')!;
    const cached = join(cacheDir, debFileName(s6));
    await writeFile(cached, flipByte(await readFile(cached), 500));
    const lines: string[] = [];
    const again = await unpackLockedPackages({ lockFile: LOCK_FILE, architecture: 'arm64', cacheDir, settings: mirror.settings(), log: (l) => lines.push(l) });
    await again.cleanup();
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${cached.replace(/[.+]/g, '\\$&')} has sha256 [0-9a-f]{64}, not the pinned ${s6.sha256}: downloading it again$`)));
    expect(lines.filter((l) => l.startsWith('downloaded '))).toEqual([`downloaded s6 ${s6.version} (arm64) from ${mirror.url}/debian/${s6.filename}`]);
  });

  /** The unpack, in a child process whose PATH holds node and nothing else: no apt-get, dpkg or dpkg-deb to fall back on. */
  async function unpackWithoutDpkg(architecture: string, cacheDir: string): Promise<{ root: string; ms: number }> {
    const stdout = await runWithNodeOnly(
      work,
      'unpack',
      (from) => `import { unpackLockedPackages } from ${from('libs/basebox/src/debian/unpack-locked.ts')};
const [lockFile, architecture, cacheDir] = process.argv.slice(2);
const started = Date.now();
const { root } = await unpackLockedPackages({ lockFile, architecture, cacheDir });
process.stdout.write(JSON.stringify({ root, ms: Date.now() - started }));
`,
      [LOCK_FILE, architecture, cacheDir],
    );
    return JSON.parse(stdout) as { root: string; ms: number };
  }

  it.each([
    ['amd64', EM_X86_64, 'x86_64-linux-gnu'],
    ['arm64', EM_AARCH64, 'aarch64-linux-gnu'],
  ])('gives the s6 programs and libc of %s (e_machine %i) with no apt-get, dpkg or dpkg-deb on PATH, from an empty cache and from a warm one', async (architecture, machine, triplet) => {
    const env = { PATH: await nodeOnlyPath(work) };
    await expect(run('dpkg-deb', ['--version'], { env })).rejects.toThrow(/ENOENT/);
    const cacheDir = join(work, `cold-${architecture}`);
    const roots: string[] = [];
    try {
      const cold = await unpackWithoutDpkg(architecture, cacheDir);
      roots.push(cold.root);
      const warm = await unpackWithoutDpkg(architecture, cacheDir);
      roots.push(warm.root);
      console.log(`unpack ${architecture}: cold (empty cache) ${(cold.ms / 1000).toFixed(1)}s, warm ${(warm.ms / 1000).toFixed(1)}s`);
      for (const root of roots) {
        for (const program of S6_PROGRAMS) expect(readElfLinkageOfFile(join(root, 'usr/bin', program)).machine).toBe(machine);
        const s6svscan = readElfLinkageOfFile(join(root, 'usr/bin/s6-svscan'));
        expect(existsSync(join(root, s6svscan.interpreter!))).toBe(true);
        expect(readElfLinkageOfFile(join(root, 'lib', triplet, 'libc.so.6')).machine).toBe(machine);
        expect(readElfLinkageOfFile(join(root, 'bin/busybox')).machine).toBe(machine);
      }
    } finally {
      for (const root of roots) await rm(root, { recursive: true, force: true });
    }
  });
});
