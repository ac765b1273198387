import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, drops undefined, adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same text whatever order the keys were set in', () => {
    expect(canonicalJson({ x: 'a\nb', Env: ['A=1'] })).toBe(canonicalJson({ Env: ['A=1'], x: 'a\nb' }));
  });
});
