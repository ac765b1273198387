import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debCacheDir, debFileName, parseAptRecord } from './debs';

describe('debCacheDir', () => {
  it('lives outside the clone, and can be moved', () => {
    expect(debCacheDir({ MICROBOX_DEB_CACHE: '/srv/debs' })).toBe('/srv/debs');
    expect(debCacheDir({ XDG_CACHE_HOME: '/c' })).toBe(join('/c', 'microbox', 'debs'));
  });
});

describe('debFileName', () => {
  it('escapes the epoch colon the way apt-get download does', () => {
    expect(debFileName({ name: 'busybox', version: '1:1.35.0-4+deb12u1+b1', architecture: 'amd64' })).toBe('busybox_1%3a1.35.0-4+deb12u1+b1_amd64.deb');
  });
});

describe('parseAptRecord', () => {
  it('reads version, sha256 and the package names of Depends', () => {
    const record = parseAptRecord(
      [
        'Package: s6',
        'Version: 2.11.3.2-1',
        'Architecture: amd64',
        'Depends: libc6 (>= 2.34), libexecline2.9, libs6-2.11 (>= 2.11.3.2), libskarnet2.13 | libskarnet-alt',
        'SHA256: ' + 'b'.repeat(64),
        'Description: small and secure supervision software suite',
      ].join('\n'),
    );
    expect(record).toEqual({
      name: 's6',
      version: '2.11.3.2-1',
      architecture: 'amd64',
      sha256: 'b'.repeat(64),
      depends: ['libc6', 'libexecline2.9', 'libs6-2.11', 'libskarnet2.13'],
    });
  });
});
