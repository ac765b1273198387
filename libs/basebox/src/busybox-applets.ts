/**
 * busybox's applets read from the binary's own tables rather than by running
 * it, so a base for any architecture can be made on any host.
 *
 * busybox keeps `applet_names` (every applet's name, NUL-terminated, sorted,
 * ended by an empty string: the first two are always `[` and `[[`), and just
 * before it `applet_install_loc` (a 4-bit folder per applet, low nibble
 * first) followed by `applet_suid` (2 bits per applet). That is what
 * `busybox --list-full` prints from.
 */

/** Where an applet's link goes, by install_loc value: `/`, `/bin`, `/sbin`, `/usr/bin`, `/usr/sbin` (as --list-full prints them). */
const INSTALL_DIRS = ['', 'bin/', 'sbin/', 'usr/bin/', 'usr/sbin/'] as const;

const NAMES_START = Buffer.from('[\0[[\0', 'latin1');
const MAX_APPLETS = 1024;
const APPLET_NAME = /^[\x21-\x7e]+$/;

/**
 * `busybox --list-full` of a busybox binary (any architecture): one applet a
 * line, with its install folder and no leading slash. `name` says which
 * binary in errors.
 */
export function appletListing(binary: Buffer, name: string): string {
  const fail = (why: string) =>
    new Error(`${name}: ${why}, so its applets cannot be read from it: pin Debian's busybox (1.35, with the test applets [ and [[) in the lock with \`nx run basebox:lock\``);
  const start = binary.indexOf(NAMES_START);
  if (start < 0) throw fail('no applet name table (starting "[", "[[") found');
  if (binary.indexOf(NAMES_START, start + 1) >= 0) throw fail('more than one applet name table ("[", "[[") found');

  const names: string[] = [];
  for (let offset = start; ; ) {
    const end = binary.indexOf(0, offset);
    if (end < 0) throw fail('its applet name table has no end');
    const applet = binary.toString('latin1', offset, end);
    offset = end + 1;
    if (!applet) break;
    if (!APPLET_NAME.test(applet)) throw fail(`its applet name table holds ${JSON.stringify(applet)}, not an applet name`);
    if (names.length && names[names.length - 1]! >= applet) throw fail(`its applet names are not sorted (${names[names.length - 1]} before ${applet})`);
    names.push(applet);
    if (names.length > MAX_APPLETS) throw fail(`its applet name table runs past ${MAX_APPLETS} names`);
  }

  const count = names.length;
  const installLoc = start - Math.ceil(count / 4) - Math.ceil(count / 2);
  if (installLoc < 0) throw fail('its install folder table would start before the file');
  return names
    .map((applet, i) => {
      const loc = (binary[installLoc + (i >> 1)]! >> ((i & 1) * 4)) & 0xf;
      const dir = INSTALL_DIRS[loc];
      if (dir === undefined) throw fail(`applet ${applet} has install folder ${loc}, not one of 0 to ${INSTALL_DIRS.length - 1}`);
      return `${dir}${applet}\n`;
    })
    .join('');
}
