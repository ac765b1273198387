import { lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PackageTree } from '../libraries';
import { debOf, writeAr } from './deb-fixtures';
import { unpackDeb } from './deb-unpack';

const DEMO = [
  { name: './', type: 'directory' as const, mode: 0o755 },
  { name: './usr/', type: 'directory' as const, mode: 0o755 },
  { name: './usr/bin/', type: 'directory' as const, mode: 0o755 },
  { name: './usr/bin/tool', mode: 0o755, content: '#!/bin/sh\necho tool\n' },
  { name: './usr/bin/setuid', mode: 0o4755, content: 'x' },
  { name: './usr/bin/same', type: 'link' as const, linkname: './usr/bin/tool' },
  { name: './usr/bin/relative', type: 'symlink' as const, linkname: 'tool' },
  { name: './lib64/', type: 'directory' as const, mode: 0o700 },
  { name: './lib64/ld.so', type: 'symlink' as const, linkname: '/usr/bin/tool' },
  { name: './etc/conf', mode: 0o600, content: 'secret\n' },
];

let root: string;
beforeEach(async () => void (root = await mkdtemp(join(tmpdir(), 'deb-unpack-'))));
afterEach(() => rm(root, { recursive: true, force: true }));

describe('unpackDeb', () => {
  it('keeps files with their modes, folders, symlinks as written, and hard links as links', async () => {
    expect(await unpackDeb(await debOf(DEMO), root, 'demo.deb')).toBe(6);
    expect(readFileSync(join(root, 'usr/bin/tool'), 'utf8')).toBe('#!/bin/sh\necho tool\n');
    expect(statSync(join(root, 'usr/bin/tool')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(root, 'usr/bin/setuid')).mode & 0o7777).toBe(0o4755);
    expect(statSync(join(root, 'etc/conf')).mode & 0o7777).toBe(0o600);
    expect(statSync(join(root, 'lib64')).mode & 0o7777).toBe(0o700);
    expect(statSync(join(root, 'usr/bin/same')).ino).toBe(statSync(join(root, 'usr/bin/tool')).ino);
    expect(readlinkSync(join(root, 'usr/bin/relative'))).toBe('tool');
    expect(readlinkSync(join(root, 'lib64/ld.so'))).toBe('/usr/bin/tool');
    // What the image's parts are read with: absolute links resolve inside the tree.
    const tree = new PackageTree(root);
    expect(tree.entriesFor('/lib64/ld.so').map((e) => e.path)).toEqual(['/lib64/ld.so', '/usr/bin/tool']);
  });

  it('reads data.tar.gz and a plain data.tar too, and a second package over the first replaces shared files', async () => {
    await unpackDeb(await debOf(DEMO, 'data.tar.gz'), root, 'demo.deb');
    await unpackDeb(await debOf([{ name: './usr/bin/tool', mode: 0o700, content: 'new' }], 'data.tar'), root, 'other.deb');
    expect(readFileSync(join(root, 'usr/bin/tool'), 'utf8')).toBe('new');
    expect(statSync(join(root, 'usr/bin/tool')).mode & 0o7777).toBe(0o700);
  });

  it('refuses paths that leave the root, directly or through a symlink', async () => {
    await expect(unpackDeb(await debOf([{ name: '../escape', content: 'x' }]), root, 'evil.deb')).rejects.toThrow(
      'evil.deb holds ../escape, a path outside the package root: refusing to unpack it',
    );
    const outside = await mkdtemp(join(tmpdir(), 'deb-unpack-outside-'));
    try {
      const link = { name: './up', type: 'symlink' as const, linkname: outside };
      await expect(unpackDeb(await debOf([link, { name: './up/planted', content: 'x' }]), root, 'evil.deb')).rejects.toThrow(
        'evil.deb writes ./up/planted through a symlink leading outside the package root',
      );
      await expect(unpackDeb(await debOf([link, { name: './up/deep/er/planted', content: 'x' }]), root, 'evil.deb')).rejects.toThrow(
        'evil.deb writes ./up/deep/er/planted through a symlink leading outside the package root',
      );
      await expect(unpackDeb(await debOf([link, { name: './passwd', type: 'link', linkname: './up/secret' }]), root, 'evil.deb')).rejects.toThrow(
        'evil.deb links ./passwd to ./up/secret, outside the package root: refusing to unpack it',
      );
      expect(await readdir(outside)).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('names a file that is not a .deb, and a compression it does not read', async () => {
    const notDeb = writeAr([{ name: 'hello.txt', data: Buffer.from('hi') }]);
    await expect(unpackDeb(notDeb, root, 'x.deb')).rejects.toThrow('x.deb does not start with a debian-binary member of format 2.x: it is not a .deb');
    await expect(unpackDeb(await debOf(DEMO, 'data.tar.bz2'), root, 'x.deb')).rejects.toThrow('x.deb holds data.tar.bz2, a compression microbox does not read');
    expect(lstatSync(root).isDirectory()).toBe(true);
  });
});
