import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { ImageEntry } from '../../image/src/entries';
import { isElf, readElfLinkage } from '../../elf/src/elf';

/**
 * A folder holding unpacked packages, read as if it were the image's root:
 * absolute symlinks inside it point inside it.
 */
export class PackageTree {
  constructor(readonly root: string) {}

  private host(imagePath: string): string {
    return join(this.root, imagePath);
  }

  exists(imagePath: string): boolean {
    const host = this.host(imagePath);
    return existsSync(host) || isLink(host);
  }

  isSymlink(imagePath: string): boolean {
    return isLink(this.host(imagePath));
  }

  /** Where a symlink points, as an absolute image path. */
  linkTarget(imagePath: string): string {
    const target = readlinkSync(this.host(imagePath));
    return target.startsWith('/') ? target : posix.join(posix.dirname(imagePath), target);
  }

  read(imagePath: string): Buffer {
    return readFileSync(this.host(imagePath));
  }

  /** The path itself and, through any symlinks, the file it ends at: what the image must hold for the path to work. */
  entriesFor(imagePath: string, mode = 0o755): ImageEntry[] {
    const entries: ImageEntry[] = [];
    let path = imagePath;
    for (let hops = 0; this.isSymlink(path); hops++) {
      if (hops > 16) throw new Error(`${imagePath} is a symlink loop in the unpacked packages`);
      const raw = readlinkSync(this.host(path));
      entries.push({ type: 'symlink', path, target: raw });
      path = this.linkTarget(path);
    }
    if (!existsSync(this.host(path))) throw new Error(`${imagePath} leads to ${path}, which no locked package holds`);
    entries.push({ type: 'file', path, content: this.read(path), mode });
    return entries;
  }
}

function isLink(host: string): boolean {
  try {
    return lstatSync(host).isSymbolicLink();
  } catch {
    return false;
  }
}

export interface LibraryClosure {
  /** Library and loader files (and the symlinks leading to them), each once. */
  entries: ImageEntry[];
  /** soname -> image path where it was found, for the report. */
  found: Map<string, string>;
}

/**
 * Everything the given programs need at run time, found the way the loader
 * finds it: PT_INTERP for the loader, then DT_NEEDED, recursively, looked up
 * in the library folders (and any DT_RUNPATH). Nothing is guessed: a library
 * no package holds is an error naming the program that needs it. With
 * `machine`, every ELF read must be for that machine (e_machine), so a
 * package of the wrong architecture is caught here rather than at run time.
 */
export function libraryClosure(tree: PackageTree, programs: readonly string[], libraryDirs: readonly string[], machine?: { machine: number; name: string }): LibraryClosure {
  const found = new Map<string, string>();
  const entries = new Map<string, ImageEntry>();
  const add = (list: ImageEntry[]) => list.forEach((e) => entries.set(e.path, e));
  const queue = programs.map((path) => ({ path, by: path }));
  const seen = new Set<string>();
  while (queue.length) {
    const { path, by } = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const data = tree.read(path);
    if (!isElf(data)) continue; // a script: the shell it names is part of the recipe already
    let linking;
    try {
      linking = readElfLinkage(data);
    } catch (err) {
      throw new Error(`${path} in the unpacked packages cannot be read as ELF (${(err as Error).message}): refresh the lock with \`nx run basebox:lock\``);
    }
    if (machine && linking.machine !== machine.machine) {
      throw new Error(`${path} (needed by ${by}) is for e_machine ${linking.machine}, not ${machine.name} (${machine.machine}): the lock pins a package of another architecture there; refresh it with \`nx run basebox:lock\``);
    }
    if (linking.interpreter && !found.has(linking.interpreter)) {
      if (!tree.exists(linking.interpreter)) {
        throw new Error(`${by} needs the loader ${linking.interpreter}, which no locked package holds: add the C library's package to the recipe`);
      }
      found.set(linking.interpreter, linking.interpreter);
      add(tree.entriesFor(linking.interpreter));
    }
    const dirs = [...(linking.runpath?.split(':').filter((d) => d.startsWith('/')) ?? []), ...libraryDirs];
    for (const soname of linking.needed) {
      if (found.has(soname)) continue;
      const dir = dirs.find((d) => tree.exists(posix.join(d, soname)));
      if (!dir) {
        throw new Error(`${path} (needed by ${by}) needs ${soname}, which no locked package holds in ${dirs.join(', ')}: add the package that ships it to the recipe`);
      }
      const libPath = posix.join(dir, soname);
      found.set(soname, libPath);
      const libEntries = tree.entriesFor(libPath);
      add(libEntries);
      const real = libEntries[libEntries.length - 1]!.path;
      queue.push({ path: real, by });
    }
  }
  return { entries: [...entries.values()], found };
}

/** The library folders of a Debian multiarch system, in the loader's order. */
export function debianLibraryDirs(triplet: string): string[] {
  return [`/lib/${triplet}`, `/usr/lib/${triplet}`, '/lib64', '/usr/lib64', '/lib', '/usr/lib'];
}
