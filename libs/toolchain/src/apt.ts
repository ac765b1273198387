import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { $ } from 'zx';
import { ok, progress } from './report';

const LISTS = '/var/lib/apt/lists';

export function isDebianLike(): boolean {
  if (!existsSync('/etc/os-release')) return false;
  const text = readFileSync('/etc/os-release', 'utf8');
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(text);
}

/** Where the bootstrap may install Debian packages itself: as root, with apt. */
export function canAptInstall(): boolean {
  return process.getuid?.() === 0 && isDebianLike() && existsSync('/usr/bin/apt-get');
}

function listsPresent(): boolean {
  return existsSync(LISTS) && readdirSync(LISTS).some((f) => f.endsWith('_Packages') || f.endsWith('_Packages.lz4'));
}

/** Installs a Debian package, updating the package lists first when apt has no candidate for it. */
export async function aptInstall(label: string, pkg: string): Promise<void> {
  const policy = await $({ nothrow: true, quiet: true })`apt-cache policy ${pkg}`;
  if (!/Candidate: (?!\(none\))/.test(policy.stdout)) {
    progress(label, 'apt-get update (package lists are empty or stale)');
    await $({ quiet: true })`apt-get update`;
  }
  progress(label, `installing Debian's ${pkg} with apt-get`);
  await $({ quiet: true, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })`apt-get install -y --no-install-recommends ${pkg}`;
}

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
  if (listsPresent()) {
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

/**
 * Debian's docker-registry, a real registry the push tests start on
 * loopback. Installed where the bootstrap may; elsewhere the line says how.
 */
export async function ensureDockerRegistry(): Promise<void> {
  const label = 'docker-registry';
  const path = '/usr/bin/docker-registry';
  if (!existsSync(path)) {
    if (!canAptInstall()) {
      ok(label, 'not installed: the push tests need it (`apt-get install docker-registry` on Debian or Ubuntu)');
      return;
    }
    await aptInstall(label, 'docker-registry');
  }
  // It prints "<path> github.com/docker/distribution <version>".
  const version = (await $({ nothrow: true, quiet: true })`${path} --version`).stdout.trim().split(/\s+/).pop();
  ok(label, `${version || 'installed'} at ${path} (for the push tests)`);
}
