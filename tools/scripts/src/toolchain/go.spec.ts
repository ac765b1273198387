import { describe, expect, it } from 'vitest';
import { isAtLeast, parseGoVersion } from './go';

describe('parseGoVersion', () => {
  it('reads release, minor-only and pre-release forms', () => {
    expect(parseGoVersion('go1.26.8')).toEqual([1, 26, 8]);
    expect(parseGoVersion('go1.26')).toEqual([1, 26, 0]);
    expect(parseGoVersion('go1.27rc1')).toEqual([1, 27, 0]);
    expect(parseGoVersion('devel')).toBeUndefined();
  });
});

describe('isAtLeast', () => {
  it('compares component by component', () => {
    expect(isAtLeast([1, 26, 0], [1, 26])).toBe(true);
    expect(isAtLeast([1, 27, 0], [1, 26])).toBe(true);
    expect(isAtLeast([2, 0, 0], [1, 26])).toBe(true);
    expect(isAtLeast([1, 25, 9], [1, 26])).toBe(false);
    expect(isAtLeast([1, 9, 0], [1, 26])).toBe(false);
  });
});
