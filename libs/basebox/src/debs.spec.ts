import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debCacheDir, debFileName } from './debs';

describe('debCacheDir', () => {
  it('lives outside the clone, and can be moved', () => {
    expect(debCacheDir({ MICROBOX_DEB_CACHE: '/srv/debs' })).toBe('/srv/debs');
    expect(debCacheDir({ XDG_CACHE_HOME: '/c' })).toBe(join('/c', 'microbox', 'debs'));
  });
});

describe('debFileName', () => {
  it("is the archive's own file name", () => {
    expect(debFileName({ filename: 'pool/main/b/busybox/busybox_1.35.0-4+deb12u1+b1_arm64.deb' })).toBe('busybox_1.35.0-4+deb12u1+b1_arm64.deb');
  });
});
