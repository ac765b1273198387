import { describe, expect, it } from 'vitest';
import { type DebianLock } from './lock';
import { PackagesIndex } from './debian/packages-index';
import { lockChanges, resolve } from './refresh-lock';

const stanza = (name: string, version: string, depends = '') =>
  `Package: ${name}\nVersion: ${version}\nArchitecture: arm64\n${depends ? `Depends: ${depends}\n` : ''}Filename: pool/main/x/${name}_${version}_arm64.deb\nSize: 10\nSHA256: ${'a'.repeat(64)}\n`;

const bookworm = new PackagesIndex([stanza('s6', '2.11.3.2-1', 'libc6 (>= 2.34), libskarnet2.13'), stanza('libc6', '2.36-9+deb12u10'), stanza('libskarnet2.13', '2.13.1.1-1'), stanza('ca-certificates', '20230311')].join('\n'), 'bookworm');
const security = new PackagesIndex(stanza('libc6', '2.36-9+deb12u14'), 'bookworm-security');
const indexes = [
  { suite: 'bookworm', index: bookworm },
  { suite: 'bookworm-security', index: security },
];

describe('resolve', () => {
  it("pins the recipe's packages, the Depends of those that ask, each at its highest version among the suites", () => {
    const pinned = resolve([{ name: 's6', withDepends: true }, { name: 'ca-certificates', withDepends: false }], indexes, 'arm64');
    expect([...pinned].map(([name, deb]) => `${name} ${deb.version} ${deb.suite}`)).toEqual([
      's6 2.11.3.2-1 bookworm',
      'libc6 2.36-9+deb12u14 bookworm-security',
      'libskarnet2.13 2.13.1.1-1 bookworm',
      'ca-certificates 20230311 bookworm',
    ]);
  });

  it('names a package no suite serves, and why it is wanted', () => {
    expect(() => resolve([{ name: 'busybox', withDepends: true }], indexes, 'arm64')).toThrow(
      'no arm64 package busybox (named by the recipe) in bookworm or bookworm-security: check the recipe in libs/basebox/src/flavours/debian.ts',
    );
  });
});

describe('lockChanges', () => {
  it('says, per architecture, what was added, removed, moved to another version or rebuilt', () => {
    const deb = { version: '1', filename: 'pool/main/a/a_1_amd64.deb', size: 1, sha256: 'a'.repeat(64), suite: 'bookworm' };
    const before: DebianLock = { comment: '', format: 2, suites: {}, packages: { a: { amd64: deb, arm64: deb }, gone: { amd64: deb }, same: { amd64: deb } } };
    const after: DebianLock = { comment: '', format: 2, suites: {}, packages: { a: { amd64: { ...deb, version: '2' }, arm64: { ...deb, sha256: 'b'.repeat(64) } }, same: { amd64: deb }, neu: { arm64: deb } } };
    expect(lockChanges(before, after)).toEqual(['amd64 a 1 -> 2', 'arm64 a 1: rebuilt (sha256 aaaaaaaaaaaa -> bbbbbbbbbbbb)', 'amd64 gone 1: removed (the recipe no longer needs it)', 'arm64 neu 1: added']);
  });
});
