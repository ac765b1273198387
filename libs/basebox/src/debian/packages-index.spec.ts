import { describe, expect, it } from 'vitest';
import { PackagesIndex, parseStanza } from './packages-index';

const S6 = `Package: s6
Source: s6 (2.11.3.2-1)
Version: 2.11.3.2-1
Installed-Size: 1234
Maintainer: Someone <someone@example.org>
Architecture: arm64
Depends: libc6 (>= 2.34), libexecline2.9, libs6-2.11 (>= 2.11.3.2), libskarnet2.13 | libskarnet-alt
Pre-Depends: dpkg:any (>= 1.19)
Description: small and secure supervision software suite
 s6 is a small suite of programs for UNIX,
 designed to allow process supervision.
Filename: pool/main/s/s6/s6_2.11.3.2-1_arm64.deb
Size: 321456
SHA256: ${'b'.repeat(64)}
`;

const CA = `Package: ca-certificates
Version: 20250419~deb12u2
Architecture: all
Filename: pool/main/c/ca-certificates/ca-certificates_20250419~deb12u2_all.deb
Size: 160000
SHA256: ${'c'.repeat(64)}
`;

describe('parseStanza', () => {
  it('keeps multi-line fields whole', () => {
    expect(parseStanza(S6).get('Description')).toBe('small and secure supervision software suite\ns6 is a small suite of programs for UNIX,\ndesigned to allow process supervision.');
  });
});

describe('PackagesIndex', () => {
  it('reads each stanza: version, architecture, archive path, size, sha256, and the names its Pre-Depends and Depends give', () => {
    const index = new PackagesIndex(`${S6}\n${CA}`, 'Packages');
    expect(index.records('nonexistent')).toEqual([]);
    expect([...index.records('s6'), ...index.records('ca-certificates')]).toEqual([
      {
        name: 's6',
        version: '2.11.3.2-1',
        architecture: 'arm64',
        filename: 'pool/main/s/s6/s6_2.11.3.2-1_arm64.deb',
        size: 321456,
        sha256: 'b'.repeat(64),
        depends: ['dpkg', 'libc6', 'libexecline2.9', 'libs6-2.11', 'libskarnet2.13'],
      },
      {
        name: 'ca-certificates',
        version: '20250419~deb12u2',
        architecture: 'all',
        filename: 'pool/main/c/ca-certificates/ca-certificates_20250419~deb12u2_all.deb',
        size: 160000,
        sha256: 'c'.repeat(64),
        depends: [],
      },
    ]);
  });

  it('names the index and the package whose stanza lacks a field', () => {
    expect(() => new PackagesIndex(S6.replace(/^SHA256:.*\n/m, ''), 'bookworm main/binary-arm64/Packages.xz').records('s6')).toThrow(
      'bookworm main/binary-arm64/Packages.xz: the stanza of s6 lacks sha256: the index is damaged; check the mirror',
    );
    expect(() => new PackagesIndex(CA.replace('Size: 160000', 'Size: many'), 'P').records('ca-certificates')).toThrow('P: the stanza of ca-certificates lacks a numeric Size');
    expect(() => new PackagesIndex(`${S6}\nVersion: 1\n`, 'P')).toThrow('P has a stanza without a Package field: the index is damaged; check the mirror');
  });
});
