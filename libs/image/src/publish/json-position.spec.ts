import { describe, expect, it } from 'vitest';
import { jsonErrorPosition } from './json-position';

describe('jsonErrorPosition', () => {
  it('is undefined for valid JSON, whatever it holds', () => {
    for (const text of ['{}', ' [1, -2.5e3, "a\\"\\u00e9", true, false, null, {"x": []}] ', '"s"', '0']) {
      expect(JSON.parse(text)).toBeDefined();
      expect(jsonErrorPosition(text)).toBeUndefined();
    }
  });

  it('gives the line and column of the first bad character', () => {
    expect(jsonErrorPosition('{\n  "a": 1,\n  "b": nope\n}')).toEqual({ line: 3, column: 8 });
    expect(jsonErrorPosition('{"a": 1,}')).toEqual({ line: 1, column: 9 });
    expect(jsonErrorPosition('{"a": 1')).toEqual({ line: 1, column: 8 });
    expect(jsonErrorPosition('{} x')).toEqual({ line: 1, column: 4 });
    expect(jsonErrorPosition('"\\q"')).toEqual({ line: 1, column: 3 });
  });
});
