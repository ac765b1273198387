import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARCHITECTURES } from './debian/archive-settings';
import { DEBIAN_PACKAGES } from './flavours/debian';
import { type DebianLock, formatLock, LOCK_COMMENT, lockedFor, parseLock, pinned, writeLock } from './lock';

const LOCK_FILE = join(__dirname, '..', 'debian.lock.json');
const deb = { version: '2.11.3.2-1', filename: 'pool/main/s/s6/s6_2.11.3.2-1_amd64.deb', size: 1234, sha256: 'a'.repeat(64), suite: 'bookworm' };
const lock = (packages: unknown, suites: unknown = { bookworm: { date: 'Sat, 11 Jul 2026 10:16:37 UTC' } }) => JSON.stringify({ comment: LOCK_COMMENT, format: 2, suites, packages });
const again = 'run `nx run basebox:lock` to write it again';

describe('the lock file', () => {
  it('is committed, valid, formatted, and pins every package the recipe names for amd64 and arm64', () => {
    const text = readFileSync(LOCK_FILE, 'utf8');
    const parsed = parseLock(text, LOCK_FILE);
    expect(formatLock(parsed)).toBe(text);
    for (const architecture of ARCHITECTURES) {
      for (const wanted of DEBIAN_PACKAGES) expect(pinned(parsed, wanted.name, architecture).version).toMatch(/\d/);
    }
  });
});

describe('parseLock', () => {
  it('keeps what it reads; formatting sorts packages and architectures by name', () => {
    const parsed = parseLock(lock({ s6: { arm64: { ...deb, filename: 'pool/main/s/s6/s6_2.11.3.2-1_arm64.deb' }, amd64: deb }, busybox: { amd64: deb } }));
    expect(parsed.packages.s6!.amd64).toEqual(deb);
    const formatted = JSON.parse(formatLock(parsed));
    expect(Object.keys(formatted.packages)).toEqual(['busybox', 's6']);
    expect(Object.keys(formatted.packages.s6)).toEqual(['amd64', 'arm64']);
    expect(lockedFor(parsed, 'arm64')).toEqual([{ name: 's6', architecture: 'arm64', ...deb, filename: 'pool/main/s/s6/s6_2.11.3.2-1_arm64.deb' }]);
  });

  it('names the file, the entry and the field that is wrong, and the command that fixes it', () => {
    expect(() => parseLock('{', 'x.json')).toThrow(/^x\.json is not valid JSON .*: run `nx run basebox:lock` to write it again$/);
    expect(() => parseLock(JSON.stringify({ packages: [] }), 'x.json')).toThrow(`x.json has format undefined, expected 2 (per-architecture .debs from the archive): ${again}`);
    expect(() => parseLock(lock(undefined), 'x.json')).toThrow(`x.json has no "packages" object: ${again}`);
    expect(() => parseLock(lock({ s6: { amd64: deb } }, { bookworm: {} }), 'x.json')).toThrow(`x.json: suites.bookworm has no "date" (the InRelease Date): ${again}`);
    expect(() => parseLock(lock({ s6: { amd64: { ...deb, sha256: 'abc' } } }), 'x.json')).toThrow(
      `x.json: packages.s6.amd64 has sha256 "abc", expected 64 lowercase hex digits: ${again}`,
    );
    expect(() => parseLock(lock({ s6: { amd64: { ...deb, version: 'two words' } } }), 'x.json')).toThrow('x.json: packages.s6.amd64 has version "two words"');
    expect(() => parseLock(lock({ s6: { amd64: { ...deb, size: -1 } } }), 'x.json')).toThrow('x.json: packages.s6.amd64 has size -1, expected a positive number of bytes');
    expect(() => parseLock(lock({ s6: { amd64: { ...deb, filename: 'pool/../../etc/passwd.deb' } } }), 'x.json')).toThrow(
      'x.json: packages.s6.amd64 has filename "pool/../../etc/passwd.deb", expected an archive path pool/.../NAME_VERSION_ARCH.deb',
    );
    expect(() => parseLock(lock({ s6: { amd64: { ...deb, suite: 'sid' } } }), 'x.json')).toThrow(`x.json: packages.s6.amd64 has suite "sid", expected one of the lock's suites (bookworm): ${again}`);
    expect(() => parseLock(lock({ s6: {} }), 'x.json')).toThrow(`x.json: packages.s6 pins no architecture: ${again}`);
    expect(() => parseLock(lock({ 'Not A Name': { amd64: deb } }), 'x.json')).toThrow('x.json: packages has "Not A Name", expected a Debian package name');
  });

  it('says which package is not pinned for an architecture, and how to add it', () => {
    const parsed = parseLock(lock({ s6: { amd64: deb } }));
    expect(() => pinned(parsed, 'busybox', 'amd64', 'x.json')).toThrow('x.json pins no version of busybox for amd64: run `nx run basebox:lock` to add it');
    expect(() => lockedFor(parsed, 'riscv64', 'x.json')).toThrow('x.json pins no package for riscv64: run `nx run basebox:lock`');
  });
});

describe('writeLock', () => {
  it('replaces the file whole and leaves no temporary file behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lock-write-'));
    try {
      const path = join(dir, 'debian.lock.json');
      const value: DebianLock = parseLock(lock({ s6: { amd64: deb } }));
      await writeLock(path, value);
      expect(parseLock(await readFile(path, 'utf8'))).toEqual(value);
      expect(await readdir(dir)).toEqual(['debian.lock.json']);
      await expect(writeLock(join(dir, 'missing', 'x.json'), value)).rejects.toThrow(/ENOENT/);
      expect(await readdir(dir)).toEqual(['debian.lock.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
