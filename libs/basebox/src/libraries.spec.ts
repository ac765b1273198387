import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debianLibraryDirs, libraryClosure, PackageTree } from './libraries';

const DEBIAN_AMD64 = existsSync('/lib/x86_64-linux-gnu/libc.so.6');

describe.runIf(DEBIAN_AMD64)('libraryClosure', () => {
  it("finds /bin/ls's loader and libraries, recursively, on this host read as a tree", () => {
    const closure = libraryClosure(new PackageTree('/'), ['/bin/ls'], debianLibraryDirs('x86_64-linux-gnu'));
    expect(closure.found.get('libc.so.6')).toBe('/lib/x86_64-linux-gnu/libc.so.6');
    expect([...closure.found.keys()]).toContain('/lib64/ld-linux-x86-64.so.2');
    const paths = closure.entries.map((e) => e.path);
    // /lib64's loader is a link to the real file, and both go in.
    expect(paths).toContain('/lib64/ld-linux-x86-64.so.2');
    expect(paths).toContain('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('names the program and the library no package holds', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tree-'));
    try {
      await mkdir(join(root, 'bin'));
      await copyFile('/bin/ls', join(root, 'bin', 'ls'));
      expect(() => libraryClosure(new PackageTree(root), ['/bin/ls'], ['/lib'])).toThrow(
        /^\/bin\/ls needs the loader \/lib64\/ld-linux-x86-64\.so\.2, which no locked package holds/,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
