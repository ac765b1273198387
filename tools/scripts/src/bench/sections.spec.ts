import { describe, expect, it } from 'vitest';
import { SECTIONS, parseRounds, parseSections } from './sections';

describe('parseSections', () => {
  it('is every section by default, or those named', () => {
    expect([...(parseSections(undefined) as Set<string>)]).toEqual([...SECTIONS]);
    expect([...(parseSections('ko, nx') as Set<string>)]).toEqual(['ko', 'nx']);
  });

  it('refuses an unknown or empty list in one line naming it', () => {
    expect(parseSections('ko,oci')).toBe('--only=ko,oci: "oci" is not a section: use a comma list of readme, nx, library, ko, dockerfile, many');
    expect(parseSections('')).toMatch(/^--only=: "" is not a section/);
  });
});

describe('parseRounds', () => {
  it('is 5 by default, else a whole number from 1 to 50', () => {
    expect(parseRounds(undefined)).toBe(5);
    expect(parseRounds('3')).toBe(3);
    expect(parseRounds('0')).toBe('--rounds=0 is not a whole number from 1 to 50: e.g. --rounds=3');
    expect(parseRounds('2.5')).toMatch(/^--rounds=2.5 is not/);
  });
});
