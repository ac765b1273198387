import { describe, expect, it } from 'vitest';
import { markdownTable, summarise } from './stats';

describe('summarise', () => {
  it('gives the median, min and max of odd and even counts, in any order', () => {
    expect(summarise([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, rounds: 3 });
    expect(summarise([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, rounds: 4 });
    expect(summarise([])).toBeUndefined();
  });
});

describe('markdownTable', () => {
  it('writes a header, a rule and one line a row', () => {
    expect(markdownTable(['a', 'b'], [['1', '2']])).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |');
  });
});
