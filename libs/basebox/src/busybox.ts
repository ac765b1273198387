import type { ImageEntry } from '../../image/src/entries';
import { appletListing } from './busybox-applets';
import type { PackageTree } from './libraries';

export const BUSYBOX = '/bin/busybox';

/**
 * busybox and a link for each of its applets, at the paths busybox's own
 * tables give (read, not run: the tree may be of another architecture than
 * the host's), rather than a list kept by hand.
 */
export function busyboxEntries(tree: PackageTree): ImageEntry[] {
  const binary = tree.read(BUSYBOX);
  const applets = parseAppletList(appletListing(binary, `${BUSYBOX} of the locked busybox package`));
  return [
    { type: 'file', path: BUSYBOX, content: binary, mode: 0o755 },
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
