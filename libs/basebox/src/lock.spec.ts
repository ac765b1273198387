import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEBIAN_PACKAGES } from './flavours/debian';
import { formatLock, LOCK_COMMENT, parseLock, pinned } from './lock';

const LOCK_FILE = join(__dirname, '..', 'debian.lock.json');
const entry = { name: 's6', version: '2.11.3.2-1', architecture: 'amd64', sha256: 'a'.repeat(64) };

describe('the lock file', () => {
  it('is committed, valid, formatted, and pins every package the recipe names', () => {
    const text = readFileSync(LOCK_FILE, 'utf8');
    const lock = parseLock(text, LOCK_FILE);
    expect(formatLock(lock)).toBe(text);
    for (const wanted of DEBIAN_PACKAGES) expect(pinned(lock, wanted.name).version).toMatch(/\d/);
  });
});

describe('parseLock', () => {
  it('keeps what it reads and sorts by name when formatting', () => {
    const other = { ...entry, name: 'busybox', version: '1:1.35.0-4+deb12u1+b1' };
    const lock = parseLock(JSON.stringify({ comment: LOCK_COMMENT, packages: [entry, other] }));
    expect(lock.packages).toEqual([entry, other]);
    expect(JSON.parse(formatLock(lock)).packages.map((p: { name: string }) => p.name)).toEqual(['busybox', 's6']);
  });

  it('names the file, the entry and the field that is wrong, and the command that fixes it', () => {
    expect(() => parseLock('{', 'x.json')).toThrow(/^x\.json is not valid JSON .*: run `nx run basebox:lock` to write it again$/);
    expect(() => parseLock('{}', 'x.json')).toThrow('x.json has no "packages" list: run `nx run basebox:lock`');
    expect(() => parseLock(JSON.stringify({ packages: [{ ...entry, sha256: 'abc' }] }), 'x.json')).toThrow(
      'x.json: packages[0] (s6) has sha256 "abc", expected 64 lowercase hex digits: run `nx run basebox:lock` to write it again',
    );
    expect(() => parseLock(JSON.stringify({ packages: [{ ...entry, version: 'two words' }] }), 'x.json')).toThrow('has version "two words"');
    expect(() => parseLock(JSON.stringify({ packages: [entry, entry] }), 'x.json')).toThrow('x.json: packages[1] (s6) is pinned twice');
  });

  it('says which package is not pinned and how to add it', () => {
    expect(() => pinned({ comment: '', packages: [entry] }, 'busybox', 'x.json')).toThrow('x.json pins no version of busybox: run `nx run basebox:lock` to add it');
  });
});
