import { describe, expect, it } from 'vitest';
import { compareDebianVersions } from './debian-version';

describe('compareDebianVersions', () => {
  it.each([
    ['2.36-9+deb12u14', '2.36-9+deb12u9', 1],
    ['2.36-9+deb12u10', '2.36-9+deb12u10', 0],
    ['1:1.35.0-4', '1.36.0-1', 1],
    ['1.0~rc1-1', '1.0-1', -1],
    ['1.0-1', '1.0-1+b1', -1],
    ['20250419~deb12u2', '20250419', -1],
    ['1.0a-1', '1.0-1', 1],
    ['1.0a', '1.0+', -1],
    ['2.11.3.2-1', '2.11.3.10-1', -1],
  ])('%s vs %s: %i', (a, b, expected) => {
    expect(compareDebianVersions(a, b)).toBe(expected);
    expect(compareDebianVersions(b, a)).toBe(-expected || 0);
  });
});
