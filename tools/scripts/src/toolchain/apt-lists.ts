import { existsSync, readdirSync } from 'node:fs';
import { $ } from 'zx';
import { isDebianLike } from './docker-engine';
import { ok, progress } from './report';

const LISTS = '/var/lib/apt/lists';

/**
 * The basebox is assembled from .debs that `apt-get download` fetches, which
 * needs package lists; a new machine may have none. Where apt is not there
 * (a laptop), the debian flavour cannot be built and the line says so.
 */
export async function ensureAptLists(): Promise<void> {
  const label = 'apt lists';
  if (!isDebianLike() || !existsSync('/usr/bin/apt-get')) {
    ok(label, 'no apt here: `nx run basebox:image` (debian flavour) needs a Debian or Ubuntu host');
    return;
  }
  const present = existsSync(LISTS) && readdirSync(LISTS).some((f) => f.endsWith('_Packages') || f.endsWith('_Packages.lz4'));
  if (present) {
    ok(label, `present in ${LISTS}`);
    return;
  }
  if (process.getuid?.() !== 0) {
    ok(label, `none in ${LISTS}: run \`sudo apt-get update\` before \`nx run basebox:image\``);
    return;
  }
  progress(label, `none in ${LISTS}: apt-get update`);
  await $({ quiet: true })`apt-get update`;
  ok(label, `updated in ${LISTS}`);
}
