import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryKind, linuxBinaryProblem } from './binary-platform';

const dir = mkdtempSync(join(tmpdir(), 'binary-platform-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An ELF header's first 20 bytes: class 64, little endian, the OS ABI and machine given. */
function elf(osabi: number, machine: number): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b[5] = 1;
  b[7] = osabi;
  b.writeUInt16LE(machine, 18);
  return b;
}
function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('binaryKind', () => {
  it('tells ELF, Mach-O and PE apart', () => {
    expect(binaryKind(elf(0, 62))).toEqual({ format: 'ELF', osabi: 0, machine: 62 });
    expect(binaryKind(Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]))).toEqual({ format: 'Mach-O' });
    expect(binaryKind(Buffer.from('MZ\x90\x00'))).toEqual({ format: 'PE' });
    expect(binaryKind(Buffer.from('#!/bin/sh\n'))).toEqual({ format: 'unknown' });
  });
});

describe('linuxBinaryProblem', () => {
  it('takes a Linux ELF of the arch', () => {
    expect(linuxBinaryProblem(file('amd64', elf(0, 62)), 'amd64')).toBeUndefined();
    expect(linuxBinaryProblem(file('arm64', elf(3, 183)), 'arm64')).toBeUndefined();
  });

  it('names what is wrong: format, OS, machine', () => {
    expect(linuxBinaryProblem(file('macho', Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1])), 'amd64')).toBe('it is a Mach-O binary, not a Linux ELF');
    expect(linuxBinaryProblem(file('pe', Buffer.from('MZ\x90\x00')), 'amd64')).toBe('it is a PE binary, not a Linux ELF');
    expect(linuxBinaryProblem(file('freebsd', elf(9, 62)), 'amd64')).toBe("its ELF OS ABI is 9, not Linux's");
    expect(linuxBinaryProblem(file('arm-in-amd', elf(0, 183)), 'amd64')).toBe('its ELF machine is 183 (arm64), not 62 (amd64)');
  });
});
