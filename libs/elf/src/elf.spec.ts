import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isElf, NotElfError, readElfLinkage } from './elf';

/** What binutils says, when it is there, as the reference to agree with. */
function readelfNeeded(path: string): string[] | undefined {
  try {
    const out = execFileSync('readelf', ['-d', path], { encoding: 'utf8' });
    return [...out.matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g)].map((m) => m[1]!);
  } catch {
    return undefined;
  }
}

describe('readElfLinkage on system files', () => {
  it('reads the loader and the needed libraries of /bin/ls as readelf does', () => {
    const linking = readElfLinkage(readFileSync('/bin/ls'));
    expect(linking.interpreter).toMatch(/^\/lib.*\/ld-linux.*\.so\.\d$/);
    expect(linking.needed).toContain('libc.so.6');
    const reference = readelfNeeded('/bin/ls');
    if (reference) expect(linking.needed).toEqual(reference);
  });

  it('reads the soname of a shared library', () => {
    const libc = execFileSync('sh', ['-c', 'ldd /bin/ls | sed -n "s/.*libc.so.6 => \\([^ ]*\\).*/\\1/p"'], { encoding: 'utf8' }).trim();
    expect(readElfLinkage(readFileSync(libc)).soname).toBe('libc.so.6');
  });

  it('tells a script from an ELF file', () => {
    expect(isElf(Buffer.from('#!/bin/sh\n'))).toBe(false);
    expect(isElf(readFileSync('/bin/ls'))).toBe(true);
  });

  it('refuses what is not ELF, or is cut short', () => {
    expect(() => readElfLinkage(Buffer.from('#!/bin/sh\n'.padEnd(64)))).toThrow(NotElfError);
    expect(() => readElfLinkage(readFileSync('/bin/ls').subarray(0, 200))).toThrow(/truncated/);
  });
});
