import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isElf, readElfLinking } from './elf';

/** What binutils says, when it is there, as the reference to agree with. */
function readelfNeeded(path: string): string[] | undefined {
  try {
    const out = execFileSync('readelf', ['-d', path], { encoding: 'utf8' });
    return [...out.matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g)].map((m) => m[1]!);
  } catch {
    return undefined;
  }
}

describe('readElfLinking', () => {
  it('reads the loader and the needed libraries of /bin/ls', () => {
    const linking = readElfLinking(readFileSync('/bin/ls'), '/bin/ls');
    expect(linking.interpreter).toMatch(/^\/lib.*\/ld-linux.*\.so\.\d$/);
    expect(linking.needed).toContain('libc.so.6');
    const reference = readelfNeeded('/bin/ls');
    if (reference) expect(linking.needed).toEqual(reference);
  });

  it('reads the soname of a shared library', () => {
    const libc = execFileSync('sh', ['-c', 'ldd /bin/ls | sed -n "s/.*libc.so.6 => \\([^ ]*\\).*/\\1/p"'], { encoding: 'utf8' }).trim();
    expect(readElfLinking(readFileSync(libc), libc).soname).toBe('libc.so.6');
  });

  it('refuses what it cannot read, naming the file', () => {
    expect(isElf(Buffer.from('#!/bin/sh\n'))).toBe(false);
    expect(() => readElfLinking(Buffer.from('#!/bin/sh\n'), 'run')).toThrow('run is not an ELF file');
    const elf32 = Buffer.alloc(64);
    elf32.writeUInt32BE(0x7f454c46, 0);
    elf32[4] = 1;
    elf32[5] = 1;
    expect(() => readElfLinking(elf32, 'old')).toThrow(/old is not a 64-bit little-endian ELF/);
  });
});
