import { describe, expect, it } from 'vitest';
import { parseFlags } from './flags';

describe('parseFlags', () => {
  it('reads the flags it knows, and --help', () => {
    expect(parseFlags(['--keep'], ['keep', 'down'])).toEqual({ flags: { keep: true, down: false, help: false } });
    expect(parseFlags(['--help'], ['keep'])).toEqual({ flags: { keep: false, help: true } });
    expect(parseFlags([], [])).toEqual({ flags: { help: false } });
  });

  it('refuses an unknown flag or a stray word, naming it', () => {
    expect(parseFlags(['--keep', '--kep'], ['keep'])).toEqual({ refusal: 'unknown argument --kep' });
    expect(parseFlags(['-k'], ['keep'])).toEqual({ refusal: 'unknown argument -k' });
    expect(parseFlags(['down'], ['keep', 'down'])).toEqual({ refusal: 'unknown argument down' });
  });

  it('refuses a value given to a flag that takes none', () => {
    expect(parseFlags(['--keep=yes'], ['keep'])).toEqual({ refusal: "Option '--keep' does not take an argument" });
  });

  it('reads options that take a value, and refuses one given none', () => {
    expect(parseFlags(['--rounds=3', '--only', 'oci,ko'], ['keep'], ['rounds', 'only'])).toEqual({ flags: { keep: false, help: false, rounds: '3', only: 'oci,ko' } });
    expect(parseFlags([], ['keep'], ['rounds'])).toEqual({ flags: { keep: false, help: false } });
    expect(parseFlags(['--rounds'], [], ['rounds'])).toEqual({ refusal: "Option '--rounds <value>' argument missing" });
  });
});
