import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ImageEntry } from '../../image/src/entries';
import type { PackageTree } from './libraries';

const run = promisify(execFile);

export const BUSYBOX = '/bin/busybox';

/**
 * busybox and a link for each of its applets, at the paths busybox itself
 * lists: it runs on the (Debian) host, so it tells us rather than a list kept
 * by hand.
 */
export async function busyboxEntries(tree: PackageTree): Promise<ImageEntry[]> {
  const binary = join(tree.root, BUSYBOX);
  let listing: string;
  try {
    listing = (await run(binary, ['--list-full'])).stdout;
  } catch (err) {
    throw new Error(`${binary} --list-full failed (${(err as Error).message.split('\n')[0]}): the busybox package must match this machine's architecture`);
  }
  const applets = parseAppletList(listing);
  return [
    { type: 'file', path: BUSYBOX, content: tree.read(BUSYBOX), mode: 0o755 },
    ...applets.map((path): ImageEntry => ({ type: 'symlink', path, target: BUSYBOX })),
  ];
}

/** Applets that install packages: an image holds no package manager, so they get no link. */
export const PACKAGE_MANAGER_APPLETS = ['dpkg', 'dpkg-deb', 'rpm', 'rpm2cpio'];

/** `busybox --list-full` lines as absolute paths; busybox itself, bare names (linuxrc) and package managers are left out. */
export function parseAppletList(listing: string): string[] {
  return listing
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes('/') && !line.endsWith('/') && `/${line}` !== BUSYBOX)
    .filter((line) => !PACKAGE_MANAGER_APPLETS.includes(line.split('/').pop()!))
    .map((line) => `/${line}`)
    .sort();
}
