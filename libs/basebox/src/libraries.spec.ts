import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EM_AARCH64, EM_X86_64 } from '../../elf/src/elf';
import { unpackLockedPackages, type UnpackedPackages } from './debian/unpack-locked';
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

describe("libraryClosure of the locked arm64 packages (read, not run, on any host)", () => {
  let unpacked: UnpackedPackages;
  beforeAll(async () => {
    unpacked = await unpackLockedPackages({ lockFile: join(__dirname, '..', 'debian.lock.json'), architecture: 'arm64' });
  }, 120_000);
  afterAll(() => unpacked?.cleanup());

  it("finds the aarch64 loader and libraries of busybox, s6-svscan and s6-svc in Debian's aarch64 folders", () => {
    const closure = libraryClosure(new PackageTree(unpacked.root), ['/bin/busybox', '/usr/bin/s6-svscan', '/usr/bin/s6-svc'], debianLibraryDirs('aarch64-linux-gnu'), { machine: EM_AARCH64, name: 'AArch64' });
    expect(Object.fromEntries(closure.found)).toEqual({
      '/lib/ld-linux-aarch64.so.1': '/lib/ld-linux-aarch64.so.1',
      'libc.so.6': '/lib/aarch64-linux-gnu/libc.so.6',
      'libresolv.so.2': '/lib/aarch64-linux-gnu/libresolv.so.2',
      'ld-linux-aarch64.so.1': '/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1',
      'libskarnet.so.2.13': '/usr/lib/aarch64-linux-gnu/libskarnet.so.2.13',
      'libs6.so.2.11': '/usr/lib/aarch64-linux-gnu/libs6.so.2.11',
    });
  });

  it('refuses them as x86-64, naming the file and its machine', () => {
    expect(() => libraryClosure(new PackageTree(unpacked.root), ['/bin/busybox'], debianLibraryDirs('x86_64-linux-gnu'), { machine: EM_X86_64, name: 'x86-64' })).toThrow(
      '/bin/busybox (needed by /bin/busybox) is for e_machine 183, not x86-64 (62): the lock pins a package of another architecture there; refresh it with `nx run basebox:lock`',
    );
  });
});
