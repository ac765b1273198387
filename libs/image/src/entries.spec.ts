import { describe, expect, it } from 'vitest';
import { type ImageEntry, normaliseEntries } from './entries';

describe('normaliseEntries', () => {
  it('sorts by path, adds missing parents as 0755 directories, and gives each path once', () => {
    const sorted = normaliseEntries([
      { type: 'file', path: '/usr/bin/app', content: 'x' },
      { type: 'directory', path: 'tmp', mode: 0o1777 },
      { type: 'directory', path: 'usr/', mode: 0o700 },
      { type: 'directory', path: 'usr' },
    ]);
    expect(sorted.map((e) => e.path)).toEqual(['tmp', 'usr', 'usr/bin', 'usr/bin/app']);
    expect(sorted.find((e) => e.path === 'usr/bin')).toEqual({ type: 'directory', path: 'usr/bin' });
  });

  it('refuses paths that climb out, are empty or are given twice, naming them', () => {
    expect(() => normaliseEntries([{ type: 'file', path: '../etc/passwd', content: '' }])).toThrow('image path "../etc/passwd" is not a plain relative path');
    expect(() => normaliseEntries([{ type: 'file', path: 'a/./b', content: '' }])).toThrow('image path "a/./b" is not a plain relative path');
    expect(() => normaliseEntries([{ type: 'directory', path: '/' }])).toThrow('image path "/" is not a plain relative path');
    expect(() => normaliseEntries([{ type: 'file', path: 'a//b', content: '' }])).toThrow('image path "a//b"');
    expect(() =>
      normaliseEntries([
        { type: 'file', path: 'a/b', content: '' },
        { type: 'symlink', path: '/a/b', target: 'c' },
      ]),
    ).toThrow('image path "a/b" is given twice');
  });

  it('refuses a file inside a file or a symlink, naming both', () => {
    expect(() =>
      normaliseEntries([
        { type: 'file', path: 'a', content: '' },
        { type: 'file', path: 'a/b', content: '' },
      ]),
    ).toThrow('image path "a" is a file but "a/b" is inside it');
    expect(() =>
      normaliseEntries([
        { type: 'symlink', path: 'lib', target: 'usr/lib' },
        { type: 'file', path: 'lib/x.so', content: '' },
      ]),
    ).toThrow('image path "lib" is a symlink but "lib/x.so" is inside it');
  });

  it('points hardlinks at a file entry, through other hardlinks, and refuses any other target', () => {
    const entries: ImageEntry[] = [
      { type: 'file', path: 'bin/busybox', content: 'elf' },
      { type: 'hardlink', path: 'bin/sh', target: '/bin/busybox' },
      { type: 'hardlink', path: 'bin/ash', target: 'bin/sh' },
    ];
    const byPath = Object.fromEntries(normaliseEntries(entries).map((e) => [e.path, e]));
    expect(byPath['bin/sh']).toMatchObject({ type: 'hardlink', target: 'bin/busybox' });
    expect(byPath['bin/ash']).toMatchObject({ type: 'hardlink', target: 'bin/busybox' });
    expect(() => normaliseEntries([{ type: 'hardlink', path: 'a', target: 'missing' }])).toThrow('hardlink "a" points at "missing", which is not a file of this layer');
    expect(() =>
      normaliseEntries([
        { type: 'directory', path: 'd' },
        { type: 'hardlink', path: 'a', target: 'd' },
      ]),
    ).toThrow('hardlink "a" points at "d", which is not a file of this layer');
    expect(() =>
      normaliseEntries([
        { type: 'hardlink', path: 'a', target: 'b' },
        { type: 'hardlink', path: 'b', target: 'a' },
      ]),
    ).toThrow('hardlink "a" points at "b", which is not a file of this layer');
    expect(() => normaliseEntries([{ type: 'hardlink', path: 'a', target: '../etc/shadow' }])).toThrow('image path "../etc/shadow" is not a plain relative path');
  });
});
