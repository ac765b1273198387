import { describe, expect, it } from 'vitest';
import { readAr } from './ar-archive';
import { writeAr } from './deb-fixtures';

describe('readAr', () => {
  it('reads every member in order, odd sizes and GNU-style trailing slashes included', () => {
    const archive = writeAr([
      { name: 'debian-binary', data: Buffer.from('2.0\n') },
      { name: 'control.tar.xz/', data: Buffer.from('abc') },
      { name: 'data.tar.xz', data: Buffer.from('hello') },
    ]);
    expect(readAr(archive, 'x.deb').map((m) => [m.name, m.data.toString()])).toEqual([
      ['debian-binary', '2.0\n'],
      ['control.tar.xz', 'abc'],
      ['data.tar.xz', 'hello'],
    ]);
  });

  it('refuses what is not an ar archive, and a truncated one, naming the file', () => {
    expect(() => readAr(Buffer.from('PK\x03\x04 not ar'), 'x.deb')).toThrow('x.deb is not an ar archive (no !<arch> magic): it is not a .deb');
    const archive = writeAr([{ name: 'data.tar.xz', data: Buffer.alloc(100) }]);
    expect(() => readAr(archive.subarray(0, archive.length - 10), 'x.deb')).toThrow('x.deb: ar member data.tar.xz claims 100 bytes, past the end of the file: it is truncated');
    expect(() => readAr(archive.subarray(0, 30), 'x.deb')).toThrow('x.deb ends inside an ar header at byte 8');
  });
});
